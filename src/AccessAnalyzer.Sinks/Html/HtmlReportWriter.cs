using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sinks.Language;

namespace AccessAnalyzer.Sinks.Html;

/// <summary>
/// The HTML report: one self-contained file (inline style and script, SVG charts drawn here, system fonts, no request
/// of any kind) that opens from a USB stick in any browser. Sections in a fixed order: what was not checked, the
/// headline, excess by the org tree, the reach ÷ caseload distribution, the accounts with most excess, findings, the
/// plan, usage, and the trend across stored runs when there is one. Every chart has a table beside it; every sentence
/// comes from <see cref="Texts"/>; every value from the data is encoded; no beneficiary file id is ever written (the
/// document holds none: files arrive as counts).
/// </summary>
public static class HtmlReportWriter
{
    /// <summary>Accounts listed in the table, worst first: the file stays small at national scale (57,000 accounts).</summary>
    public const int MaxAccounts = 500;

    /// <summary>Messages listed per rule; the rest are counted.</summary>
    public const int MaxMessagesPerRule = 50;

    /// <summary>Plan items listed; the curve covers every item.</summary>
    public const int MaxPlanItems = 25;

    private const string PartnerColour = "#b3261e";
    private const string StaffColour = "#1f5f9e";
    private const string ServiceColour = "#5f6b2d";
    private const string CaseloadColour = "#8c96a3";

    /// <summary>Writes the report as UTF-8 (no byte order mark, LF line ends).</summary>
    public static void Write(ReportDocument document, Stream stream, Lang lang, ToolStamp tool, IReadOnlyList<TrendPoint>? history)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tool);
        var html = new Writer(document, lang, tool).Render(history);
        var bytes = new UTF8Encoding(false).GetBytes(html);
        stream.Write(bytes);
    }

    private sealed class Writer(ReportDocument document, Lang lang, ToolStamp tool)
    {
        private readonly HtmlBuilder _h = new();
        private readonly AnalysisReport _report = document.Report;

        private string T(string key, params object[] args) => Texts.Get(lang, key, args);

        private string N(long value) => Texts.Number(lang, value);

        private string D(DateOnly value) => Texts.Date(lang, value);

        public string Render(IReadOnlyList<TrendPoint>? history)
        {
            _h.Raw("<!DOCTYPE html>\n<html").Attr("lang", lang == Lang.Fr ? "fr" : "en").Raw(">\n<head>\n<meta charset=\"utf-8\">\n")
                .Raw("<meta http-equiv=\"Content-Security-Policy\"").Attr("content", HtmlAssets.ContentSecurityPolicy).Raw(">\n")
                .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .Raw("<meta name=\"referrer\" content=\"no-referrer\">\n")
                .Raw("<title>").Text(T("html.title") + " — " + _report.Header.Source).Raw("</title>\n")
                .Raw("<style>").Raw(HtmlAssets.Style).Raw("</style>\n</head>\n<body>\n<header>\n")
                .Element("h1", T("html.title"))
                .Raw("\n<p class=\"meta\">").Text($"{T("common.source")}: {_report.Header.Source} · {T("common.asOf", D(_report.Header.AsOf))} · {tool.Name} {tool.Version}")
                .Raw("</p>\n</header>\n<main>\n");
            NotChecked();
            Headline();
            Units();
            Ratios();
            Accounts();
            Findings();
            Plan();
            Usage();
            if (history is not null)
            {
                Trend(history);
            }

            _h.Raw("</main>\n<footer><p>").Text(T("html.footer", tool.Name, tool.Version)).Raw("</p></footer>\n")
                .Raw("<script>").Raw(HtmlAssets.Script).Raw("</script>\n</body>\n</html>\n");
            return _h.ToString();
        }

        private void Section(string id, string titleKey, string? leadKey = null, params object[] leadArgs)
        {
            _h.Raw("<section").Attr("id", id).Attr("aria-labelledby", id + "-title").Raw(">\n<h2").Attr("id", id + "-title").Raw(">")
                .Text(T(titleKey)).Raw("</h2>\n");
            if (leadKey is not null)
            {
                _h.Element("p", T(leadKey, leadArgs)).Raw("\n");
            }
        }

        private void EndSection() => _h.Raw("</section>\n");

        private void NotChecked()
        {
            var missing = _report.Coverage.Where(c => !c.Ran).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            _h.Raw("<section id=\"not-checked\" class=\"warn\" aria-labelledby=\"not-checked-title\">\n<h2 id=\"not-checked-title\">")
                .Text(T("common.notChecked")).Raw("</h2>\n").Element("p", T("html.notChecked.lead")).Raw("\n<ul>\n");
            foreach (var item in missing)
            {
                _h.Raw("<li><strong>").Text(CheckName(item.Check)).Raw("</strong> (").Text(item.Check).Raw("): ").Text(item.Reason).Raw("</li>\n");
            }

            _h.Raw("</ul>\n</section>\n");
        }

        private string CheckName(string check) => Texts.TryGet(lang, "html.check." + check, out var name) ? name : check;

        // ---- headline -------------------------------------------------------------------------------------------

        private void Headline()
        {
            var totals = _report.Totals;
            var rows = new List<(string Label, long Reach, long Caseload, long? Excess)>
            {
                (T("html.headline.all", N(totals.Principals)), totals.Distinct.Reachable, totals.CaseloadFiles, totals.Distinct.Excess),
            };
            foreach (var org in _report.Organizations.Where(o => o.Partner))
            {
                var caseload = _report.Principals.Where(p => p.Organization == org.Organization).Sum(p => p.CaseloadFiles);
                rows.Add((T("html.headline.partner", org.Organization, N(org.Principals)), org.Figures.Reachable, caseload, org.Figures.Excess));
            }

            var noMfa = _report.Principals.Where(p => !p.Mfa).ToList();
            rows.Add((T("html.headline.noMfa", N(noMfa.Count)), totals.Distinct.Phishable, noMfa.Sum(p => p.CaseloadFiles), null));

            Section("headline", "html.headline.title", "html.headline.lead", N(totals.Files));
            BarChart("headline-chart", T("html.headline.chart"),
                [.. rows.Select(r => (r.Label, (IReadOnlyList<(long Value, string Colour, string Legend)>)
                    [(r.Reach, PartnerColour, T("html.headline.canOpen")), (r.Caseload, CaseloadColour, T("html.headline.caseload"))]))]);
            _h.Raw("<table>\n<caption>").Text(T("html.headline.table")).Raw("</caption>\n<thead><tr>")
                .Raw("<th scope=\"col\">").Text(T("html.headline.who")).Raw("</th>")
                .Raw("<th scope=\"col\" class=\"n\">").Text(T("html.headline.canOpen")).Raw("</th>")
                .Raw("<th scope=\"col\" class=\"n\">").Text(T("html.headline.beyond")).Raw("</th>")
                .Raw("<th scope=\"col\" class=\"n\">").Text(T("html.headline.caseload")).Raw("</th></tr></thead>\n<tbody>\n");
            foreach (var (label, reach, caseload, excess) in rows)
            {
                _h.Raw("<tr><th scope=\"row\">").Text(label).Raw("</th>").Raw("<td class=\"n\">").Text(N(reach)).Raw("</td><td class=\"n\">")
                    .Text(excess is { } e ? N(e) : "—").Raw("</td><td class=\"n\">").Text(N(caseload)).Raw("</td></tr>\n");
            }

            _h.Raw("</tbody>\n</table>\n").Element("p", T("html.headline.note"), "note").Raw("\n");
            EndSection();
        }

        /// <summary>Horizontal bars, one group per row, each group one bar per value, with a legend.</summary>
        private void BarChart(string id, string label, IReadOnlyList<(string Label, IReadOnlyList<(long Value, string Colour, string Legend)> Bars)> groups)
        {
            const double LabelWidth = 260, Width = 760, Bar = 14, Gap = 10;
            var max = Math.Max(1, groups.SelectMany(g => g.Bars).Max(b => b.Value));
            var bars = groups.Count == 0 ? 0 : groups[0].Bars.Count;
            var height = 30 + (groups.Count * ((bars * Bar) + Gap));
            SvgOpen(id, label, Width, height);
            var y = 24.0;
            var legendX = LabelWidth;
            foreach (var (_, colour, legend) in groups.Count > 0 ? groups[0].Bars : [])
            {
                _h.Raw($"<rect x=\"{C(legendX)}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{C(legendX + 16)}\" y=\"14\">").Text(legend).Raw("</text>");
                legendX += 200;
            }

            foreach (var (groupLabel, values) in groups)
            {
                _h.Raw($"<text x=\"0\" y=\"{C(y + (values.Count * Bar / 2.0) + 4)}\">").Text(Shorten(groupLabel, 40)).Raw("</text>");
                foreach (var (value, colour, _) in values)
                {
                    var w = Math.Max(value > 0 ? 1 : 0, (Width - LabelWidth - 90) * value / (double)max);
                    _h.Raw($"<rect x=\"{C(LabelWidth)}\" y=\"{C(y)}\" width=\"{C(w)}\" height=\"{C(Bar - 2)}\" fill=\"{colour}\"/>")
                        .Raw($"<text x=\"{C(LabelWidth + w + 4)}\" y=\"{C(y + Bar - 4)}\">").Text(N(value)).Raw("</text>");
                    y += Bar;
                }

                y += Gap;
            }

            _h.Raw("</svg>\n");
        }

        // ---- org tree -------------------------------------------------------------------------------------------

        private void Units()
        {
            var tree = document.Units;
            Section("units", "html.units.title", "html.units.lead");
            var max = Math.Max(1, tree.Rows.Count == 0 ? 1 : tree.Rows.Where(r => r.Depth > 0 || r.Parent < 0).Max(r => r.Excess));
            _h.Raw("<table id=\"unit-tree\" class=\"tree\">\n<caption>").Text(T("html.units.caption")).Raw("</caption>\n<thead><tr>")
                .Raw("<th scope=\"col\">").Text(T("html.units.unit")).Raw("</th>")
                .Raw("<th scope=\"col\">").Text(T("html.units.kind")).Raw("</th>")
                .Raw("<th scope=\"col\" class=\"n\">").Text(T("html.units.accounts")).Raw("</th>")
                .Raw("<th scope=\"col\" class=\"n\">").Text(T("html.units.withExcess")).Raw("</th>")
                .Raw("<th scope=\"col\" class=\"n\">").Text(T("html.units.excess")).Raw("</th>")
                .Raw("<th scope=\"col\"><span class=\"id\">").Text(T("html.units.bar")).Raw("</span></th>")
                .Raw("<th scope=\"col\" class=\"n\">").Text(T("html.units.sensitive")).Raw("</th></tr></thead>\n<tbody>\n");
            for (var i = 0; i < tree.Rows.Count; i++)
            {
                var row = tree.Rows[i];
                // Roots and their children are shown at first (national and regions); the rest opens on demand.
                var visible = row.Depth <= 1;
                var open = row.Depth == 0;
                _h.Raw("<tr").Attr("id", "u" + i.ToString(CultureInfo.InvariantCulture));
                if (row.Parent >= 0)
                {
                    _h.Attr("data-parent", "u" + row.Parent.ToString(CultureInfo.InvariantCulture));
                }

                _h.Raw(visible ? ">" : " hidden>").Raw("<th scope=\"row\"").Attr("class", "d" + Math.Min(row.Depth, 6).ToString(CultureInfo.InvariantCulture)).Raw(">");
                if (row.HasChildren)
                {
                    _h.Raw("<button type=\"button\"").Attr("aria-expanded", open ? "true" : "false").Raw(">").Text(row.Name).Raw("</button>");
                }
                else
                {
                    _h.Raw("<span class=\"leaf\">").Text(row.Name).Raw("</span>");
                }

                _h.Raw(" <span class=\"id\">").Text(row.UnitId).Raw("</span></th><td>").Text(row.Kind).Raw("</td>")
                    .Raw("<td class=\"n\">").Text(N(row.Accounts)).Raw("</td><td class=\"n\">").Text(N(row.AccountsWithExcess)).Raw("</td>")
                    .Raw("<td class=\"n\">").Text(N(row.Excess)).Raw("</td><td>");
                var w = 160.0 * row.Excess / max;
                _h.Raw($"<svg width=\"160\" height=\"10\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"{C(Math.Min(160, w))}\" height=\"10\" fill=\"{PartnerColour}\"/></svg>")
                    .Raw("</td><td class=\"n\">").Text(N(row.SensitiveExcess)).Raw("</td></tr>\n");
            }

            _h.Raw("</tbody>\n</table>\n");
            if (tree.UnplacedAccounts > 0)
            {
                _h.Element("p", T("html.units.unplaced", N(tree.UnplacedAccounts), N(tree.UnplacedExcess)), "note").Raw("\n");
            }

            EndSection();
        }

        // ---- reach ÷ caseload -----------------------------------------------------------------------------------

        private string KindName(PrincipalKind kind) => T("html.kind." + Spellings.Of(kind));

        private static string KindColour(PrincipalKind kind) => kind switch
        {
            PrincipalKind.Partner => PartnerColour,
            PrincipalKind.Staff => StaffColour,
            _ => ServiceColour,
        };

        private string BinLabel(IReadOnlyList<double> bounds, int bin)
        {
            string B(double v) => v.ToString("#,0", CultureInfo.InvariantCulture).Replace(",", lang == Lang.Fr ? " " : ",", StringComparison.Ordinal);
            return bin == 0 ? "≤ 1" : bin == bounds.Count - 1 ? "> " + B(bounds[bin - 1]) : $"{B(bounds[bin - 1])}–{B(bounds[bin])}";
        }

        private void Ratios()
        {
            var histogram = document.Ratios;
            Section("ratios", "html.ratios.title", "html.ratios.lead");
            var labels = Enumerable.Range(0, histogram.UpperBounds.Count).Select(b => BinLabel(histogram.UpperBounds, b)).Append(T("html.ratios.noCaseload")).ToList();
            var figures = _h;
            figures.Raw("<div class=\"figures\">\n");
            foreach (var series in histogram.Series)
            {
                var counts = series.Counts.Append(series.NoCaseload).ToList();
                ColumnChart("ratios-" + Spellings.Of(series.Kind), T("html.ratios.chart", KindName(series.Kind)), KindName(series.Kind), labels, counts, KindColour(series.Kind));
            }

            figures.Raw("</div>\n<details><summary>").Text(T("html.tableAlternative")).Raw("</summary>\n<table>\n<caption>").Text(T("html.ratios.table")).Raw("</caption>\n<thead><tr><th scope=\"col\">")
                .Text(T("html.ratios.ratio")).Raw("</th>");
            foreach (var series in histogram.Series)
            {
                _h.Raw("<th scope=\"col\" class=\"n\">").Text(KindName(series.Kind)).Raw("</th>");
            }

            _h.Raw("</tr></thead>\n<tbody>\n");
            for (var b = 0; b < labels.Count; b++)
            {
                _h.Raw("<tr><th scope=\"row\">").Text(labels[b]).Raw("</th>");
                foreach (var series in histogram.Series)
                {
                    _h.Raw("<td class=\"n\">").Text(N(b < series.Counts.Count ? series.Counts[b] : series.NoCaseload)).Raw("</td>");
                }

                _h.Raw("</tr>\n");
            }

            _h.Raw("</tbody>\n</table>\n</details>\n");
            EndSection();
        }

        /// <summary>Vertical bars over labelled bins (the x axis is already a log scale: 1-2-5 bins).</summary>
        private void ColumnChart(string id, string label, string title, IReadOnlyList<string> labels, IReadOnlyList<int> counts, string colour)
        {
            const double Left = 40, Bottom = 60, Top = 26, Plot = 160;
            var column = 34.0;
            var width = Left + (labels.Count * column) + 10;
            var height = Top + Plot + Bottom;
            var max = Math.Max(1, counts.Max());
            SvgOpen(id, label, width, height);
            _h.Raw("<text x=\"0\" y=\"14\" font-weight=\"700\">").Text(title).Raw("</text>");
            _h.Raw($"<line x1=\"{C(Left)}\" y1=\"{C(Top + Plot)}\" x2=\"{C(width - 10)}\" y2=\"{C(Top + Plot)}\" stroke=\"#555\"/>");
            for (var i = 0; i < counts.Count; i++)
            {
                var h = Plot * counts[i] / max;
                var x = Left + (i * column);
                _h.Raw($"<rect x=\"{C(x + 3)}\" y=\"{C(Top + Plot - h)}\" width=\"{C(column - 6)}\" height=\"{C(h)}\" fill=\"{colour}\"/>");
                if (counts[i] > 0)
                {
                    _h.Raw($"<text x=\"{C(x + (column / 2))}\" y=\"{C(Top + Plot - h - 3)}\" text-anchor=\"middle\">").Text(N(counts[i])).Raw("</text>");
                }

                _h.Raw($"<text transform=\"translate({C(x + (column / 2) + 4)},{C(Top + Plot + 8)}) rotate(45)\">").Text(labels[i]).Raw("</text>");
            }

            _h.Raw("</svg>\n");
        }

        // ---- accounts -------------------------------------------------------------------------------------------

        private void Accounts()
        {
            var all = _report.Principals;
            var shown = all.Take(MaxAccounts).ToList();
            Section("accounts", "html.accounts.title", "html.accounts.lead");
            if (all.Count > shown.Count)
            {
                _h.Element("p", T("html.accounts.capped", N(shown.Count), N(all.Count)), "note").Raw("\n");
            }

            _h.Raw("<p><label for=\"account-filter\">").Text(T("html.accounts.filter")).Raw("</label><input type=\"search\" id=\"account-filter\" autocomplete=\"off\"></p>\n")
                .Raw("<p id=\"account-count\" class=\"note\" aria-live=\"polite\"").Attr("data-template", T("html.accounts.count")).Raw(">")
                .Text(T("html.accounts.count", N(shown.Count), N(shown.Count))).Raw("</p>\n");
            var columns = new (string Key, bool Numeric)[]
            {
                ("html.accounts.account", false), ("html.accounts.kind", false), ("html.accounts.organization", false), ("html.accounts.unit", false),
                ("html.accounts.mfa", false), ("html.accounts.lastLogin", false), ("html.accounts.reach", true), ("html.accounts.caseload", true),
                ("html.accounts.excess", true), ("html.accounts.sensitive", true),
            };
            _h.Raw("<table id=\"account-table\">\n<caption>").Text(T("html.accounts.caption")).Raw("</caption>\n<thead><tr>");
            for (var c = 0; c < columns.Length; c++)
            {
                _h.Raw("<th scope=\"col\"").Attr("class", columns[c].Numeric ? "n" : null).Raw(c == 8 ? " aria-sort=\"descending\">" : ">")
                    .Raw("<button type=\"button\"").Attr("data-col", c.ToString(CultureInfo.InvariantCulture)).Attr("data-type", columns[c].Numeric ? "n" : "s").Raw(">")
                    .Text(T(columns[c].Key)).Raw("</button></th>");
            }

            _h.Raw("</tr></thead>\n<tbody>\n");
            for (var i = 0; i < shown.Count; i++)
            {
                var p = shown[i];
                _h.Raw("<tr").Attr("data-rank", i.ToString(CultureInfo.InvariantCulture)).Raw("><th scope=\"row\">").Text(p.PrincipalId).Raw("</th>")
                    .Raw("<td>").Text(KindName(p.Kind)).Raw("</td><td>").Text(p.Organization).Raw("</td><td>");
                if (p.UnitId is null)
                {
                    _h.Text("—");
                }
                else
                {
                    _h.Text(p.UnitName ?? p.UnitId).Raw(" <span class=\"id\">").Text(p.UnitId).Raw("</span>");
                }

                _h.Raw("</td><td>").Text(T(p.Mfa ? "html.yes" : "html.no")).Raw("</td><td")
                    .Attr("data-v", p.LastLogin is { } l ? l.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "").Raw(">")
                    .Text(p.LastLogin is { } login ? D(login) : "—").Raw("</td>");
                foreach (var value in new[] { p.ReachableFiles, p.CaseloadFiles, p.ExcessFiles, p.SensitiveExcessFiles })
                {
                    _h.Raw("<td class=\"n\"").Attr("data-v", value.ToString(CultureInfo.InvariantCulture)).Raw(">").Text(N(value)).Raw("</td>");
                }

                _h.Raw("</tr>\n");
            }

            _h.Raw("</tbody>\n</table>\n");
            EndSection();
        }

        // ---- findings -------------------------------------------------------------------------------------------

        private void Findings()
        {
            Section("findings", "html.findings.title", "html.findings.lead", N(_report.Findings.Count));
            var catalog = FindingRules.Catalog.Concat(UsageRules.Catalog).ToDictionary(r => r.Id, r => r.Description, StringComparer.Ordinal);
            foreach (var severity in _report.Findings.Select(f => f.Severity).Distinct().OrderDescending())
            {
                var ofSeverity = _report.Findings.Where(f => f.Severity == severity).ToList();
                var name = T("html.severity." + Names.Of(severity));
                _h.Raw("<h3").Attr("class", "sev-" + Names.Of(severity)).Raw(">").Text(T("html.findings.severity", name, N(ofSeverity.Count))).Raw("</h3>\n");
                foreach (var rule in ofSeverity.GroupBy(f => f.RuleId, StringComparer.Ordinal))
                {
                    var findings = rule.ToList();
                    var explanation = Texts.TryGet(lang, "html.rule." + rule.Key, out var text) ? text : catalog.GetValueOrDefault(rule.Key, "");
                    _h.Raw("<p><strong>").Text(rule.Key).Raw("</strong> — ").Text(explanation).Raw(" ").Text(T("html.findings.count", N(findings.Count))).Raw("</p>\n")
                        .Raw("<details><summary>").Text(T("html.findings.messages", rule.Key)).Raw("</summary>\n<ul>\n");
                    foreach (var finding in findings.Take(MaxMessagesPerRule))
                    {
                        _h.Raw("<li>").Text(finding.Message).Raw("</li>\n");
                    }

                    _h.Raw("</ul>\n");
                    if (findings.Count > MaxMessagesPerRule)
                    {
                        _h.Element("p", T("html.findings.more", N(findings.Count - MaxMessagesPerRule)), "note").Raw("\n");
                    }

                    _h.Raw("</details>\n");
                }
            }

            EndSection();
        }

        // ---- plan -----------------------------------------------------------------------------------------------

        private string ChangeName(RemediationChange change) => T(change switch
        {
            RemediationChange.Remove => "html.plan.remove",
            RemediationChange.NarrowToCaseload => "html.plan.narrowToCaseload",
            _ => "html.plan.narrowToUnit",
        });

        private void Plan()
        {
            var plan = document.Plan;
            var totals = plan.Totals;
            Section("plan", "html.plan.title", "html.plan.lead", N(plan.Items.Count), N(totals.ExcessExposureBefore), N(totals.ExcessExposureAfter));
            // Excess left after the first k changes, k = 0 … n.
            var left = new List<long>(plan.Items.Count + 1) { totals.ExcessExposureBefore };
            left.AddRange(plan.Items.Select(i => totals.ExcessExposureBefore - i.CumulativeExcessRemoved));
            LineChart("plan-curve", T("html.plan.chart"), T("html.plan.axisChanges"), [(T("html.plan.excessLeft"), PartnerColour, left)],
                [.. Enumerable.Range(0, left.Count).Select(k => k.ToString(CultureInfo.InvariantCulture))]);
            _h.Raw("<details><summary>").Text(T("html.tableAlternative")).Raw("</summary>\n<table>\n<caption>").Text(T("html.plan.curveTable")).Raw("</caption>\n<thead><tr><th scope=\"col\" class=\"n\">")
                .Text(T("html.plan.k")).Raw("</th><th scope=\"col\" class=\"n\">").Text(T("html.plan.excessLeft")).Raw("</th></tr></thead>\n<tbody>\n");
            foreach (var k in SampleIndices(left.Count, 40))
            {
                _h.Raw("<tr><td class=\"n\">").Text(N(k)).Raw("</td><td class=\"n\">").Text(N(left[k])).Raw("</td></tr>\n");
            }

            _h.Raw("</tbody>\n</table>\n</details>\n");

            if (plan.Items.Count > 0)
            {
                _h.Raw("<table>\n<caption>").Text(T("html.plan.itemsCaption", N(Math.Min(MaxPlanItems, plan.Items.Count)), N(plan.Items.Count))).Raw("</caption>\n<thead><tr>");
                foreach (var key in new[] { "html.plan.rank", "html.plan.change", "html.plan.assignment", "html.plan.role", "html.plan.scope", "html.plan.newScope", "html.plan.holders", "html.plan.removed", "html.plan.cumulative" })
                {
                    _h.Raw("<th scope=\"col\">").Text(T(key)).Raw("</th>");
                }

                _h.Raw("</tr></thead>\n<tbody>\n");
                foreach (var item in plan.Items.Take(MaxPlanItems))
                {
                    _h.Raw("<tr><td class=\"n\">").Text(N(item.Rank)).Raw("</td><td>").Text(ChangeName(item.Change)).Raw("</td><th scope=\"row\">").Text(item.AssignmentId).Raw("</th><td>");
                    Named(item.RoleName, item.RoleId);
                    _h.Raw("</td><td>");
                    Named(item.ScopeUnitName, item.ScopeUnitId);
                    _h.Raw("</td><td>");
                    if (item.Change == RemediationChange.NarrowToCaseload)
                    {
                        _h.Text(T("html.plan.ownCaseload"));
                    }
                    else
                    {
                        Named(item.NewScopeUnitName, item.NewScopeUnitId);
                    }

                    _h.Raw("</td><td class=\"n\">").Text(N(item.Holders)).Raw("</td><td class=\"n\">").Text(N(item.ExcessRemoved))
                        .Raw("</td><td class=\"n\">").Text(N(item.CumulativeExcessRemoved)).Raw("</td></tr>\n");
                }

                _h.Raw("</tbody>\n</table>\n");
            }

            _h.Element("h3", T("html.plan.leftAlone")).Raw("\n");
            if (plan.LeftAlone.Count == 0)
            {
                _h.Element("p", T("html.plan.noneLeftAlone")).Raw("\n");
            }
            else
            {
                _h.Raw("<table>\n<caption>").Text(T("html.plan.leftAloneCaption")).Raw("</caption>\n<thead><tr>");
                foreach (var key in new[] { "html.plan.subject", "html.plan.reason", "html.plan.owner", "html.plan.expires", "html.plan.reach" })
                {
                    _h.Raw("<th scope=\"col\">").Text(T(key)).Raw("</th>");
                }

                _h.Raw("</tr></thead>\n<tbody>\n");
                foreach (var j in plan.LeftAlone)
                {
                    _h.Raw("<tr><th scope=\"row\">").Text(j.SubjectType).Raw(" ");
                    Named(j.SubjectName, j.SubjectId);
                    _h.Raw("</th><td>").Text(j.Reason).Raw("</td><td>").Text(j.Owner).Raw("</td><td>").Text(D(j.Expires)).Raw("</td><td class=\"n\">")
                        .Text(N(j.ReachBeyondCaseload)).Raw("</td></tr>\n");
                }

                _h.Raw("</tbody>\n</table>\n");
            }

            EndSection();
        }

        /// <summary>A name with its id beside it (only the id when there is no name, a dash when neither).</summary>
        private void Named(string? name, string? id)
        {
            if (id is null)
            {
                _h.Text("—");
                return;
            }

            if (!string.IsNullOrEmpty(name) && name != id)
            {
                _h.Text(name).Raw(" ");
            }

            _h.Raw("<span class=\"id\">").Text(id).Raw("</span>");
        }

        /// <summary>Up to about <paramref name="count"/> indices of 0 … n-1: every one when few, else evenly spread, first and last kept.</summary>
        private static IEnumerable<int> SampleIndices(int n, int count)
        {
            if (n <= count)
            {
                return Enumerable.Range(0, n);
            }

            return Enumerable.Range(0, count).Select(i => (int)((long)i * (n - 1) / (count - 1))).Distinct();
        }

        /// <summary>Lines over an index axis (runs, plan steps), downsampled to at most 400 points so a long plan stays small.</summary>
        private void LineChart(string id, string label, string axis, IReadOnlyList<(string Legend, string Colour, IReadOnlyList<long> Values)> lines, IReadOnlyList<string> xLabels)
        {
            const double Left = 90, Right = 20, Top = 30, Plot = 220, Bottom = 50, Width = 760;
            var n = lines.Max(l => l.Values.Count);
            var max = Math.Max(1, lines.SelectMany(l => l.Values).DefaultIfEmpty(0).Max());
            double X(int i) => Left + (n <= 1 ? 0 : (Width - Left - Right) * i / (double)(n - 1));
            double Y(long v) => Top + Plot - (Plot * v / (double)max);
            SvgOpen(id, label, Width, Top + Plot + Bottom);
            _h.Raw($"<line x1=\"{C(Left)}\" y1=\"{C(Top + Plot)}\" x2=\"{C(Width - Right)}\" y2=\"{C(Top + Plot)}\" stroke=\"#555\"/>")
                .Raw($"<line x1=\"{C(Left)}\" y1=\"{C(Top)}\" x2=\"{C(Left)}\" y2=\"{C(Top + Plot)}\" stroke=\"#555\"/>");
            foreach (var v in new[] { 0, max / 2, max })
            {
                _h.Raw($"<text x=\"{C(Left - 6)}\" y=\"{C(Y(v) + 4)}\" text-anchor=\"end\">").Text(N(v)).Raw("</text>");
            }

            foreach (var i in SampleIndices(n, 6))
            {
                _h.Raw($"<text x=\"{C(X(i))}\" y=\"{C(Top + Plot + 18)}\" text-anchor=\"middle\">").Text(xLabels[i]).Raw("</text>");
            }

            _h.Raw($"<text x=\"{C(Left + ((Width - Left - Right) / 2))}\" y=\"{C(Top + Plot + 40)}\" text-anchor=\"middle\">").Text(axis).Raw("</text>");
            var legendX = Left;
            foreach (var (legend, colour, values) in lines)
            {
                var points = new StringBuilder();
                foreach (var i in SampleIndices(values.Count, 400))
                {
                    points.Append(C(X(i))).Append(',').Append(C(Y(values[i]))).Append(' ');
                }

                _h.Raw($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>")
                    .Raw($"<rect x=\"{C(legendX)}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{C(legendX + 16)}\" y=\"16\">").Text(legend).Raw("</text>");
                legendX += 260;
            }

            _h.Raw("</svg>\n");
        }

        // ---- usage ----------------------------------------------------------------------------------------------

        private void Usage()
        {
            var usage = document.Usage;
            Section("usage", "html.usage.title");
            if (usage is null)
            {
                _h.Element("p", T("html.usage.noLog")).Raw("\n");
                EndSection();
                return;
            }

            _h.Element("p", T("html.usage.lead", N(usage.FlaggedAccounts))).Raw("\n");
            if (usage.FlaggedAccounts > usage.Accounts.Count)
            {
                _h.Element("p", T("html.usage.capped", N(usage.Accounts.Count), N(usage.FlaggedAccounts)), "note").Raw("\n");
            }

            var index = 0;
            foreach (var account in usage.Accounts)
            {
                _h.Raw("<h3>").Text(account.PrincipalId).Raw(" <span class=\"id\">").Text($"{KindName(account.Kind)}, {account.Organization} — {string.Join(", ", account.Rules)}").Raw("</span></h3>\n");
                if (account.Days.Count == 0 || usage.FirstDay is not { } first || usage.LastDay is not { } last)
                {
                    _h.Element("p", T("html.usage.noReads")).Raw("\n");
                    continue;
                }

                DailyChart("usage-" + index.ToString(CultureInfo.InvariantCulture), account, first, last);
                index++;
                _h.Raw("<details><summary>").Text(T("html.tableAlternative")).Raw("</summary>\n<table>\n<caption>").Text(T("html.usage.table", account.PrincipalId)).Raw("</caption>\n<thead><tr>")
                    .Raw("<th scope=\"col\">").Text(T("html.usage.day")).Raw("</th><th scope=\"col\" class=\"n\">").Text(T("html.usage.files")).Raw("</th><th scope=\"col\">")
                    .Text(T("html.usage.flagged")).Raw("</th></tr></thead>\n<tbody>\n");
                var flagged = account.Flagged.ToHashSet();
                for (var d = 0; d < account.Days.Count; d++)
                {
                    _h.Raw("<tr><th scope=\"row\">").Text(D(account.Days[d])).Raw("</th><td class=\"n\">").Text(N(account.DistinctFiles[d])).Raw("</td><td>")
                        .Text(flagged.Contains(account.Days[d]) ? T("html.yes") : "").Raw("</td></tr>\n");
                }

                _h.Raw("</tbody>\n</table>\n</details>\n");
            }

            EndSection();
        }

        /// <summary>One bar per day of the log's period; flagged days in red, and named under the chart.</summary>
        private void DailyChart(string id, DailyReads account, DateOnly first, DateOnly last)
        {
            const double Left = 60, Top = 20, Plot = 120, Bottom = 30, Width = 760;
            var days = Math.Max(1, last.DayNumber - first.DayNumber + 1);
            var step = (Width - Left - 10) / days;
            var max = Math.Max(1, account.DistinctFiles.Max());
            var flagged = account.Flagged.ToHashSet();
            var label = T("html.usage.chart", account.PrincipalId, N(account.Flagged.Count));
            SvgOpen(id, label, Width, Top + Plot + Bottom);
            _h.Raw($"<line x1=\"{C(Left)}\" y1=\"{C(Top + Plot)}\" x2=\"{C(Width - 10)}\" y2=\"{C(Top + Plot)}\" stroke=\"#555\"/>");
            foreach (var v in new[] { 0, max })
            {
                _h.Raw($"<text x=\"{C(Left - 6)}\" y=\"{C(Top + Plot - (Plot * v / (double)max) + 4)}\" text-anchor=\"end\">").Text(N(v)).Raw("</text>");
            }

            for (var d = 0; d < account.Days.Count; d++)
            {
                var offset = account.Days[d].DayNumber - first.DayNumber;
                if (offset < 0 || offset >= days)
                {
                    continue;
                }

                var h = Math.Max(1, Plot * account.DistinctFiles[d] / (double)max);
                var colour = flagged.Contains(account.Days[d]) ? PartnerColour : StaffColour;
                _h.Raw($"<rect x=\"{C(Left + (offset * step))}\" y=\"{C(Top + Plot - h)}\" width=\"{C(Math.Max(1, step - 0.5))}\" height=\"{C(h)}\" fill=\"{colour}\"/>");
            }

            _h.Raw($"<text x=\"{C(Left)}\" y=\"{C(Top + Plot + 18)}\">").Text(D(first)).Raw("</text>")
                .Raw($"<text x=\"{C(Width - 10)}\" y=\"{C(Top + Plot + 18)}\" text-anchor=\"end\">").Text(D(last)).Raw("</text>")
                .Raw($"<rect x=\"{C(Left + 200)}\" y=\"{C(Top + Plot + 8)}\" width=\"12\" height=\"12\" fill=\"{PartnerColour}\"/>")
                .Raw($"<text x=\"{C(Left + 216)}\" y=\"{C(Top + Plot + 18)}\">").Text(T("html.usage.flaggedLegend")).Raw("</text>")
                .Raw("</svg>\n");
        }

        // ---- trend ----------------------------------------------------------------------------------------------

        private void Trend(IReadOnlyList<TrendPoint> history)
        {
            Section("trend", "html.trend.title", "html.trend.lead", N(history.Count));
            if (history.Count == 0)
            {
                _h.Element("p", T("html.trend.none")).Raw("\n");
                EndSection();
                return;
            }

            var labels = history.Select(p => D(p.AsOf)).ToList();
            LineChart("trend-chart", T("html.trend.chart"), T("html.trend.axis"),
                [(T("html.trend.excessExposure"), PartnerColour, [.. history.Select(p => p.ExcessExposure)]),
                 (T("html.trend.distinctExcess"), StaffColour, [.. history.Select(p => p.DistinctExcessFiles ?? 0)])], labels);
            _h.Raw("<details><summary>").Text(T("html.tableAlternative")).Raw("</summary>\n<table>\n<caption>").Text(T("html.trend.table")).Raw("</caption>\n<thead><tr>");
            foreach (var key in new[] { "html.trend.asOf", "html.trend.principals", "html.trend.excessExposure", "html.trend.distinctExcess", "html.trend.withExcess", "html.trend.findings" })
            {
                _h.Raw("<th scope=\"col\">").Text(T(key)).Raw("</th>");
            }

            _h.Raw("</tr></thead>\n<tbody>\n");
            foreach (var p in history)
            {
                _h.Raw("<tr><th scope=\"row\">").Text(D(p.AsOf)).Raw("</th><td class=\"n\">").Text(N(p.Principals)).Raw("</td><td class=\"n\">").Text(N(p.ExcessExposure))
                    .Raw("</td><td class=\"n\">").Text(p.DistinctExcessFiles is { } d ? N(d) : "—").Raw("</td><td class=\"n\">").Text(N(p.PrincipalsWithExcess))
                    .Raw("</td><td class=\"n\">").Text(N(p.Findings)).Raw("</td></tr>\n");
            }

            _h.Raw("</tbody>\n</table>\n</details>\n");
            EndSection();
        }

        // ---- SVG ------------------------------------------------------------------------------------------------

        private void SvgOpen(string id, string label, double width, double height) =>
            _h.Raw("<svg role=\"img\"").Attr("id", id).Attr("aria-label", label)
                .Raw($" viewBox=\"0 0 {C(width)} {C(height)}\" width=\"{C(width)}\" height=\"{C(height)}\">");

        private static string C(double value) => HtmlBuilder.Coordinate(value);

        private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
    }
}
