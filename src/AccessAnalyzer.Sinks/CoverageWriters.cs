using System.Text.Json;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Language;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>
/// The "Not checked" block every human output shows when a check could not run, and the <c>coverage</c> array of the
/// JSON outputs: one way to say it, so no output can stay silent about an input it lacked.
/// </summary>
internal static class CoverageWriters
{
    public const string Title = "Not checked";

    public static IReadOnlyList<CoverageItem> NotRun(IEnumerable<CoverageItem> coverage) => [.. coverage.Where(c => !c.Ran)];

    /// <summary><c>"coverage": [ { "check", "ran", "reason" } ]</c>, every check, run or not.</summary>
    public static void WriteJson(Utf8JsonWriter json, IEnumerable<CoverageItem> coverage, string property = "coverage")
    {
        Format.WriteArray(json, property, coverage, c =>
        {
            json.WriteString("check", c.Check);
            json.WriteBoolean("ran", c.Ran);
            json.WriteString("reason", c.Reason);
        });
    }

    /// <summary>The checks that did not run, with their reasons; nothing when every check ran.</summary>
    public static void WriteConsole(IEnumerable<CoverageItem> coverage, IAnsiConsole console) =>
        WriteConsole(Unlabelled(coverage), console);

    /// <summary>The checks that did not run (labelled when given, e.g. the side of a diff), then a blank line; nothing when all ran.</summary>
    public static void WriteConsole(IEnumerable<(CoverageItem Item, string? Label)> notRun, IAnsiConsole console)
    {
        var items = notRun.ToList();
        if (items.Count == 0)
        {
            return;
        }

        console.MarkupLine($"[yellow bold]{Title}[/]");
        var grid = new Grid().AddColumn(new GridColumn().Padding(2, 0, 2, 0).NoWrap()).AddColumn();
        foreach (var (c, label) in items)
        {
            grid.AddRow($"[yellow]{Escape.Terminal(c.Check)}[/]{Escape.Terminal(label is null ? string.Empty : $" ({label})")}", Escape.Terminal(c.Reason));
        }

        console.Write(grid);
        console.WriteLine();
    }

    /// <summary>
    /// The checks that did not run on either side of a comparison: once, unlabelled, when both sides lacked the input for
    /// the same reason; otherwise each side's own, labelled <c>before</c> or <c>after</c>.
    /// </summary>
    public static IReadOnlyList<(CoverageItem Item, string? Label)> NotRun(IReadOnlyList<CoverageItem> before, IReadOnlyList<CoverageItem> after)
    {
        var result = new List<(CoverageItem, string?)>();
        var beforeByCheck = before.ToDictionary(c => c.Check, StringComparer.Ordinal);
        foreach (var a in after)
        {
            var b = beforeByCheck.GetValueOrDefault(a.Check);
            if (b is { Ran: false } && !a.Ran && string.Equals(a.Reason, b.Reason, StringComparison.Ordinal))
            {
                result.Add((a, null));
                continue;
            }

            if (b is { Ran: false })
            {
                result.Add((b, "before"));
            }

            if (!a.Ran)
            {
                result.Add((a, "after"));
            }
        }

        return result;
    }

    private static IEnumerable<(CoverageItem Item, string? Label)> Unlabelled(IEnumerable<CoverageItem> coverage) =>
        NotRun(coverage).Select(c => (c, (string?)null));

    /// <summary>A markdown block listing the checks that did not run (labelled when given), then a blank line; nothing when all ran.</summary>
    public static void WriteMarkdown(IEnumerable<(CoverageItem Item, string? Label)> notRun, TextWriter writer, Lang lang = Lang.En)
    {
        var items = notRun.ToList();
        if (items.Count == 0)
        {
            return;
        }

        writer.Write($"**{Escape.MarkdownText(Texts.Get(lang, "common.notChecked"))}**\n\n");
        foreach (var (c, label) in items)
        {
            writer.Write($"- `{c.Check}`{(label is null ? string.Empty : $" ({label})")}: {Escape.MarkdownText(c.Reason)}\n");
        }

        writer.Write('\n');
    }

    public static void WriteMarkdown(IEnumerable<CoverageItem> coverage, TextWriter writer) => WriteMarkdown(Unlabelled(coverage), writer);
}
