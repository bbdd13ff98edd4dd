using System.Security.Cryptography;
using System.Text;

namespace AccessAnalyzer.Sinks.Html;

/// <summary>
/// The report's one style sheet and one script, inline so the file is self-contained. The Content-Security-Policy
/// allows exactly these two by their SHA-256 hashes and nothing else: no other script, no style attribute, no request
/// of any kind (default-src 'none'), so even markup that slipped past the encoder could neither run nor call out.
/// </summary>
internal static class HtmlAssets
{
    public const string Style = """

        :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;background:#fff}
        body{margin:0 auto;max-width:72rem;padding:1rem 1.5rem 3rem;line-height:1.45}
        h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:2px solid #d0d4da;padding-bottom:.2rem}
        h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
        .meta{color:#444;margin:0}
        .warn{border:2px solid #a15c00;background:#fff6e5;padding:.5rem 1rem;margin:1rem 0}
        .warn h2{margin-top:.3rem;border:0}
        .note{color:#444;font-size:.92rem}
        table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
        th,td{border-bottom:1px solid #d0d4da;padding:.25rem .5rem;text-align:left;vertical-align:top}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        th button{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;color:#0b4f8a;text-decoration:underline}
        th[aria-sort=ascending] button::after{content:" \2191"}th[aria-sort=descending] button::after{content:" \2193"}
        .tree button{font:inherit;background:none;border:0;padding:0;cursor:pointer;color:#0b4f8a;text-align:left}
        .tree button::before{content:"\25B8 ";display:inline-block;width:1em}.tree button[aria-expanded=true]::before{content:"\25BE "}
        .tree .leaf{padding-left:1em}
        .d1{padding-left:1.5rem}.d2{padding-left:3rem}.d3{padding-left:4.5rem}.d4{padding-left:6rem}.d5{padding-left:7.5rem}.d6{padding-left:9rem}
        .id{color:#555;font-size:.85em}
        .sev-critical{color:#9b1c1c}.sev-high{color:#8a3b00}
        svg{max-width:100%;height:auto;font-family:inherit}
        svg text{fill:#1b1b1b;font-size:12px}
        details{margin:.3rem 0 1rem}summary{cursor:pointer;color:#0b4f8a}
        input[type=search]{font:inherit;padding:.2rem .4rem;margin-left:.5rem}
        .figures{display:flex;flex-wrap:wrap;gap:1rem}
        footer{margin-top:3rem;color:#444;font-size:.85rem}

        """;

    public const string Script = """

        (function () {
          'use strict';
          var tree = document.getElementById('unit-tree');
          function setChildren(id, show) {
            var rows = tree.querySelectorAll('tr[data-parent="' + id + '"]');
            for (var i = 0; i < rows.length; i++) {
              rows[i].hidden = !show;
              if (!show) {
                var b = rows[i].querySelector('button[aria-expanded]');
                if (b && b.getAttribute('aria-expanded') === 'true') {
                  b.setAttribute('aria-expanded', 'false');
                  setChildren(rows[i].id, false);
                }
              }
            }
          }
          if (tree) {
            tree.addEventListener('click', function (e) {
              var b = e.target.closest('button[aria-expanded]');
              if (!b) { return; }
              var open = b.getAttribute('aria-expanded') !== 'true';
              b.setAttribute('aria-expanded', open ? 'true' : 'false');
              setChildren(b.closest('tr').id, open);
            });
          }
          var table = document.getElementById('account-table');
          if (!table) { return; }
          var body = table.tBodies[0];
          var heads = table.querySelectorAll('thead th');
          function value(row, col, numeric) {
            var cell = row.cells[col];
            var v = cell.getAttribute('data-v');
            if (v === null) { v = cell.textContent; }
            return numeric ? Number(v) : v.toLowerCase();
          }
          table.querySelector('thead').addEventListener('click', function (e) {
            var b = e.target.closest('button');
            if (!b) { return; }
            var th = b.parentNode;
            var col = Number(b.getAttribute('data-col'));
            var numeric = b.getAttribute('data-type') === 'n';
            var current = th.getAttribute('aria-sort');
            var dir = current === 'descending' ? 'ascending' : current === 'ascending' ? 'descending' : (numeric ? 'descending' : 'ascending');
            for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute('aria-sort'); }
            th.setAttribute('aria-sort', dir);
            var rows = Array.prototype.slice.call(body.rows);
            var sign = dir === 'ascending' ? 1 : -1;
            rows.sort(function (a, c) {
              var x = value(a, col, numeric), y = value(c, col, numeric);
              return x < y ? -sign : x > y ? sign : Number(a.getAttribute('data-rank')) - Number(c.getAttribute('data-rank'));
            });
            for (var r = 0; r < rows.length; r++) { body.appendChild(rows[r]); }
          });
          var filter = document.getElementById('account-filter');
          var count = document.getElementById('account-count');
          filter.addEventListener('input', function () {
            var q = filter.value.trim().toLowerCase();
            var shown = 0;
            for (var i = 0; i < body.rows.length; i++) {
              var match = q === '' || body.rows[i].textContent.toLowerCase().indexOf(q) >= 0;
              body.rows[i].hidden = !match;
              if (match) { shown++; }
            }
            count.textContent = count.getAttribute('data-template').replace('{0}', String(shown)).replace('{1}', String(body.rows.length));
          });
        })();

        """;

    /// <summary>The CSP source expression that allows exactly <paramref name="content"/> as an inline element.</summary>
    public static string Hash(string content) => "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content))) + "'";

    /// <summary>No request of any kind; the inline style and script allowed by hash; no base URL or form target.</summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src {Hash(Style)}; script-src {Hash(Script)}; base-uri 'none'; form-action 'none'";
}
