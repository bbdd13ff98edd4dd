using System.Text;

namespace AccessAnalyzer.Sinks.Evidence;

/// <summary>How a piece of text is shown: as prose, as an identifier (a code span), or emphasised.</summary>
internal enum RunKind
{
    Text,
    Code,
    Strong,
}

/// <summary>A piece of text of one kind; each medium escapes it its own way.</summary>
internal readonly record struct Run(string Value, RunKind Kind)
{
    public static Run T(string value) => new(value, RunKind.Text);

    public static Run C(string value) => new(value, RunKind.Code);

    public static Run B(string value) => new(value, RunKind.Strong);
}

/// <summary>A block of a document for people: built once, rendered as markdown and as HTML, so both say the same.</summary>
internal abstract record Block;

internal sealed record Heading(int Level, string Text) : Block;

internal sealed record Paragraph(IReadOnlyList<Run> Runs) : Block;

internal sealed record BulletList(IReadOnlyList<IReadOnlyList<Run>> Items) : Block;

/// <summary>A table; <see cref="Numeric"/> marks the right-aligned columns.</summary>
internal sealed record TableBlock(IReadOnlyList<string> Headers, IReadOnlyList<bool> Numeric, IReadOnlyList<IReadOnlyList<IReadOnlyList<Run>>> Rows) : Block;

/// <summary>A document: a title and its blocks.</summary>
internal sealed record Document(string Title, string Lang, IReadOnlyList<Block> Blocks);

/// <summary>
/// Markdown (GitHub flavour). Prose has every character markdown could read as syntax backslash-escaped; identifiers go
/// in code spans whose fence is longer than any run of backticks inside them; inside tables a pipe is escaped even in a
/// code span, as tables require. Line breaks and control characters in values never break a line.
/// </summary>
internal static class MarkdownRenderer
{
    public static void Write(Document document, TextWriter writer)
    {
        writer.Write("# " + Text(document.Title, inTable: false) + "\n");
        foreach (var block in document.Blocks)
        {
            writer.Write('\n');
            switch (block)
            {
                case Heading h:
                    writer.Write(new string('#', h.Level) + " " + Text(h.Text, inTable: false) + "\n");
                    break;
                case Paragraph p:
                    writer.Write(Runs(p.Runs, inTable: false) + "\n");
                    break;
                case BulletList l:
                    foreach (var item in l.Items)
                    {
                        writer.Write("- " + Runs(item, inTable: false) + "\n");
                    }

                    break;
                case TableBlock t:
                    writer.Write("| " + string.Join(" | ", t.Headers.Select(h => Text(h, inTable: true))) + " |\n");
                    writer.Write("|" + string.Join("|", t.Numeric.Select(n => n ? "---:" : "---")) + "|\n");
                    foreach (var row in t.Rows)
                    {
                        writer.Write("| " + string.Join(" | ", row.Select(c => Runs(c, inTable: true))) + " |\n");
                    }

                    break;
            }
        }
    }

    private static string Runs(IReadOnlyList<Run> runs, bool inTable) => string.Concat(runs.Select(r => r.Kind switch
    {
        RunKind.Code => Code(r.Value, inTable),
        RunKind.Strong => "**" + Text(r.Value, inTable) + "**",
        _ => Text(r.Value, inTable),
    }));

    /// <summary>Prose: see <see cref="Escape.MarkdownText"/> (a pipe is escaped everywhere, so tables need nothing more).</summary>
    public static string Text(string value, bool inTable)
    {
        _ = inTable;
        return Escape.MarkdownText(value);
    }

    /// <summary>An identifier: see <see cref="Escape.MarkdownCode"/>.</summary>
    public static string Code(string value, bool inTable)
    {
        _ = inTable;
        return Escape.MarkdownCode(value);
    }
}

/// <summary>HTML: one self-contained page, every value encoded, no script, no external resource.</summary>
internal static class HtmlRenderer
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}" +
        "table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}" +
        "td.n,th.n{text-align:right}code{background:#f3f3f3;padding:0 .2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem}";

    public static void Write(Document document, TextWriter writer)
    {
        writer.Write("<!DOCTYPE html>\n<html lang=\"" + Encode(document.Lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n");
        writer.Write("<title>" + Encode(document.Title) + "</title>\n<style>" + Style + "</style>\n</head>\n<body>\n");
        writer.Write("<h1>" + Encode(document.Title) + "</h1>\n");
        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case Heading h:
                    writer.Write($"<h{h.Level}>{Encode(h.Text)}</h{h.Level}>\n");
                    break;
                case Paragraph p:
                    writer.Write("<p>" + Runs(p.Runs) + "</p>\n");
                    break;
                case BulletList l:
                    writer.Write("<ul>\n");
                    foreach (var item in l.Items)
                    {
                        writer.Write("<li>" + Runs(item) + "</li>\n");
                    }

                    writer.Write("</ul>\n");
                    break;
                case TableBlock t:
                    writer.Write("<table>\n<thead><tr>");
                    for (var i = 0; i < t.Headers.Count; i++)
                    {
                        writer.Write((t.Numeric[i] ? "<th class=\"n\">" : "<th>") + Encode(t.Headers[i]) + "</th>");
                    }

                    writer.Write("</tr></thead>\n<tbody>\n");
                    foreach (var row in t.Rows)
                    {
                        writer.Write("<tr>");
                        for (var i = 0; i < row.Count; i++)
                        {
                            writer.Write((t.Numeric[i] ? "<td class=\"n\">" : "<td>") + Runs(row[i]) + "</td>");
                        }

                        writer.Write("</tr>\n");
                    }

                    writer.Write("</tbody>\n</table>\n");
                    break;
            }
        }

        writer.Write("</body>\n</html>\n");
    }

    private static string Runs(IReadOnlyList<Run> runs) => string.Concat(runs.Select(r => r.Kind switch
    {
        RunKind.Code => "<code>" + Encode(r.Value) + "</code>",
        RunKind.Strong => "<strong>" + Encode(r.Value) + "</strong>",
        _ => Encode(r.Value),
    }));

    /// <summary>Text as HTML: the one encoder of the HTML report (entities, control characters replaced).</summary>
    public static string Encode(string value) => Html.HtmlBuilder.Encode(value);
}
