using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Language;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>The stored runs of one report store, oldest first, and the language the markdown is written in.</summary>
public sealed record TrendReport(string Store, IReadOnlyList<TrendPoint> Runs, Lang Lang = Lang.En);

/// <summary>
/// Renders the trend across stored runs: each run's totals and distinct figures with the change since the previous
/// run. A distinct figure a run did not store (runs stored before those columns existed) is shown as missing, and so is
/// its change; it is never taken as zero.
/// </summary>
public static class TrendWriters
{
    /// <summary>The figures shown, in order: the text key suffix (trend.*) and how to read it from a run.</summary>
    private static readonly (string Id, Func<TrendPoint, long?> Value)[] Figures =
    [
        ("principals", p => p.Principals),
        ("exposure", p => p.Exposure),
        ("excessExposure", p => p.ExcessExposure),
        ("sensitiveExcessExposure", p => p.SensitiveExcessExposure),
        ("principalsWithExcess", p => p.PrincipalsWithExcess),
        ("findings", p => p.Findings),
        ("distinctReachableFiles", p => p.DistinctReachableFiles),
        ("distinctExcessFiles", p => p.DistinctExcessFiles),
        ("distinctSensitiveExcessFiles", p => p.DistinctSensitiveExcessFiles),
        ("distinctPhishableFiles", p => p.DistinctPhishableFiles),
    ];

    /// <summary>The change of a figure since the previous run; null for the first run or when either value is missing.</summary>
    public static long? Change(IReadOnlyList<TrendPoint> runs, int index, Func<TrendPoint, long?> value)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(value);
        return index > 0 && value(runs[index]) is { } now && value(runs[index - 1]) is { } before ? now - before : null;
    }

    public static void WriteTable(TrendReport report, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(console);
        Format.Heading(console, $"[bold]Trend[/] — {Escape.Terminal(report.Store)}: {report.Runs.Count} stored run(s)");
        if (report.Runs.Count == 0)
        {
            console.WriteLine(Texts.Get(Lang.En, "trend.noRuns"));
            return;
        }

        // The console is narrow: the run's stored time and the two broadest figures are left to JSON and markdown.
        var shown = Figures.Where(f => f.Id is not ("principals" or "exposure" or "distinctReachableFiles")).ToArray();
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("Run");
        table.AddColumn("As of");
        table.AddColumn("Source");
        foreach (var (id, _) in shown)
        {
            table.AddColumn(new TableColumn(Escape.Terminal(Texts.Get(Lang.En, "trend." + id))).RightAligned());
        }

        for (var i = 0; i < report.Runs.Count; i++)
        {
            var run = report.Runs[i];
            var cells = new List<string>
            {
                (i + 1).ToString(CultureInfo.InvariantCulture), Format.Date(run.AsOf), Escape.Terminal(run.Source),
            };
            foreach (var (_, value) in shown)
            {
                cells.Add(Escape.Terminal(Cell(value(run), Change(report.Runs, i, value), i, v => Format.G(v))));
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);
        console.WriteLine(Texts.Get(Lang.En, "trend.explain"));
    }

    public static void WriteJson(TrendReport report, Stream output, ToolStamp tool)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(tool);
        Format.WriteJsonObject(output, json =>
        {
            json.WriteString("tool", tool.Name);
            json.WriteString("version", tool.Version);
            json.WriteString("store", report.Store);
            var index = 0;
            Format.WriteArray(json, "runs", report.Runs, run =>
            {
                var i = index++;
                json.WriteNumber("run", i + 1);
                json.WriteString("runId", run.RunId.ToString("D"));
                json.WriteString("storedAt", Stored(run.StoredAt));
                json.WriteString("asOf", Format.Date(run.AsOf));
                json.WriteString("source", run.Source);
                json.WriteString("toolVersion", run.ToolVersion);
                json.WriteNumber("files", run.Files);
                foreach (var (id, value) in Figures)
                {
                    Number(json, id, value(run));
                }

                if (i == 0)
                {
                    json.WriteNull("changeSincePrevious");
                }
                else
                {
                    json.WriteStartObject("changeSincePrevious");
                    foreach (var (id, value) in Figures)
                    {
                        Number(json, id, Change(report.Runs, i, value));
                    }

                    json.WriteEndObject();
                }
            });
        });
    }

    public static void WriteMarkdown(TrendReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var lang = report.Lang;
        string X(string key) => Texts.Get(lang, key);
        writer.Write("# " + Evidence.MarkdownRenderer.Text(X("trend.title"), false) + "\n\n");
        writer.Write(Evidence.MarkdownRenderer.Text(X("trend.store"), false) + ": " + Evidence.MarkdownRenderer.Code(report.Store, false) + "\n\n");
        if (report.Runs.Count == 0)
        {
            writer.Write(Evidence.MarkdownRenderer.Text(X("trend.noRuns"), false) + "\n");
            return;
        }

        var headers = new List<string> { X("trend.run"), X("trend.asOf"), X("trend.storedAt"), X("common.source") };
        headers.AddRange(Figures.Select(f => X("trend." + f.Id)));
        writer.Write("| " + string.Join(" | ", headers.Select(h => Evidence.MarkdownRenderer.Text(h, true))) + " |\n");
        writer.Write("|---|---|---|---|" + string.Concat(Figures.Select(_ => "---:|")) + "\n");
        for (var i = 0; i < report.Runs.Count; i++)
        {
            var run = report.Runs[i];
            var cells = new List<string>
            {
                Texts.Number(lang, i + 1), Texts.Date(lang, run.AsOf), Stored(run.StoredAt), Evidence.MarkdownRenderer.Code(run.Source, true),
            };
            foreach (var (_, value) in Figures)
            {
                cells.Add(Cell(value(run), Change(report.Runs, i, value), i, v => Texts.Number(lang, v)));
            }

            writer.Write("| " + string.Join(" | ", cells) + " |\n");
        }

        writer.Write("\n" + Evidence.MarkdownRenderer.Text(X("trend.explain"), false) + "\n");
    }

    private static string Cell(long? value, long? change, int index, Func<long, string> number)
    {
        if (value is not { } v)
        {
            return "—";
        }

        if (index == 0)
        {
            return number(v);
        }

        return change is { } c ? $"{number(v)} ({(c > 0 ? "+" : string.Empty)}{number(c)})" : $"{number(v)} (—)";
    }

    private static string Stored(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
