using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Reporting;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>Every output format, for every kind of report. Which ones a report has is what its registry says.</summary>
public enum OutputFormat { Table, Text, Json, Csv, Markdown, Sarif, JUnit }

/// <summary>The spelling of each format on the command line and in messages.</summary>
public static class OutputFormats
{
    private static readonly (OutputFormat Format, string Name)[] Spellings =
    [
        (OutputFormat.Table, "table"), (OutputFormat.Text, "text"), (OutputFormat.Json, "json"), (OutputFormat.Csv, "csv"),
        (OutputFormat.Markdown, "markdown"), (OutputFormat.Sarif, "sarif"), (OutputFormat.JUnit, "junit"),
    ];

    public static string Name(OutputFormat format) => Spellings.First(s => s.Format == format).Name;

    public static bool TryParse(string? text, out OutputFormat format)
    {
        foreach (var (f, name) in Spellings)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                format = f;
                return true;
            }
        }

        format = default;
        return false;
    }
}

/// <summary>What a sink may need beside the report: the tool's name and version, and for SARIF where rows live.</summary>
public sealed record SinkContext(ToolStamp Tool)
{
    /// <summary>How a gate location becomes an artifact URI (SARIF); by default the table's display name.</summary>
    public GateWriters.ArtifactUri ArtifactUri { get; init; } = location => Uri.EscapeDataString(location.DisplayName);

    /// <summary>The tool's information URI in SARIF.</summary>
    public string InformationUri { get; init; } = GateWriters.DefaultInformationUri;

    /// <summary>Gate text and markdown: list every finding the baseline accepts, instead of one line per rule.</summary>
    public bool ShowAccepted { get; init; }

    /// <summary>The language of the documents written for people (markdown).</summary>
    public Language.Lang Lang { get; init; }
}

/// <summary>One way to render a report: as a document of bytes (a file or stdout), or on a console.</summary>
public abstract record Sink<TReport>(OutputFormat Format);

/// <summary>A sink that writes a whole document to a stream (JSON, CSV, markdown, SARIF, JUnit).</summary>
public sealed record DocumentSink<TReport>(OutputFormat Format, Action<TReport, Stream, SinkContext> Write) : Sink<TReport>(Format);

/// <summary>A sink that draws on a console (tables and text for people).</summary>
public sealed record ConsoleSink<TReport>(OutputFormat Format, Action<TReport, IAnsiConsole, SinkContext> Write) : Sink<TReport>(Format);

/// <summary>The formats a kind of report can be written in, in the order help texts list them.</summary>
public sealed class SinkRegistry<TReport>
{
    private readonly List<Sink<TReport>> _sinks = [];

    public IReadOnlyList<Sink<TReport>> Sinks => _sinks;

    /// <summary>The formats' names, for <c>--format</c>.</summary>
    public IReadOnlyList<string> Names => [.. _sinks.Select(s => OutputFormats.Name(s.Format))];

    public SinkRegistry<TReport> Document(OutputFormat format, Action<TReport, Stream, SinkContext> write)
    {
        _sinks.Add(new DocumentSink<TReport>(format, write));
        return this;
    }

    public SinkRegistry<TReport> Document(OutputFormat format, Action<TReport, TextWriter> write) =>
        Document(format, (report, stream, _) =>
        {
            using var writer = Format.Writer(stream);
            write(report, writer);
        });

    public SinkRegistry<TReport> Console(OutputFormat format, Action<TReport, IAnsiConsole> write) =>
        Console(format, (report, console, _) => write(report, console));

    public SinkRegistry<TReport> Console(OutputFormat format, Action<TReport, IAnsiConsole, SinkContext> write)
    {
        _sinks.Add(new ConsoleSink<TReport>(format, write));
        return this;
    }

    /// <summary>A text document written with the sink context (UTF-8, LF line ends).</summary>
    public SinkRegistry<TReport> TextDocument(OutputFormat format, Action<TReport, TextWriter, SinkContext> write) =>
        Document(format, (report, stream, context) =>
        {
            using var writer = Format.Writer(stream);
            write(report, writer, context);
        });

    public Sink<TReport> For(OutputFormat format) =>
        _sinks.FirstOrDefault(s => s.Format == format)
        ?? throw new ArgumentOutOfRangeException(nameof(format), format, $"no {typeof(TReport).Name} sink writes {OutputFormats.Name(format)}");
}

/// <summary>
/// The sinks of every report, registered by format: a new format is one writer class and one line here, and every
/// command that writes that report offers it.
/// </summary>
public static class Outputs
{
    public static SinkRegistry<AnalysisReport> Analysis { get; } = new SinkRegistry<AnalysisReport>()
        .Console(OutputFormat.Table, (r, c) => TableReportWriter.Write(r, c))
        .Document(OutputFormat.Json, (r, s, x) => JsonReportWriter.Write(r, s, x.Tool))
        .Document(OutputFormat.Csv, (r, s, _) => CsvReportWriter.Write(r, s));

    public static SinkRegistry<RemediationPlan> Plan { get; } = new SinkRegistry<RemediationPlan>()
        .Console(OutputFormat.Table, PlanWriters.WriteTable)
        .Document(OutputFormat.Json, (p, s, x) => PlanWriters.WriteJson(p, s, x.Tool))
        .Document(OutputFormat.Csv, (p, s, _) => PlanWriters.WriteCsv(p, s));

    public static SinkRegistry<PrincipalExplanation> PrincipalExplanation { get; } =
        Explanation<PrincipalExplanation>(ExplainWriters.WriteText, ExplainWriters.WriteJson, ExplainWriters.WriteCsv);

    public static SinkRegistry<TargetExplanation> TargetExplanation { get; } =
        Explanation<TargetExplanation>((e, c) => ExplainWriters.WriteText(e, c), ExplainWriters.WriteJson, ExplainWriters.WriteCsv);

    public static SinkRegistry<DiffReport> Diff { get; } = new SinkRegistry<DiffReport>()
        .Console(OutputFormat.Text, DiffWriters.WriteText)
        .Document(OutputFormat.Json, (d, s, x) => DiffWriters.WriteJson(d, s, x.Tool))
        .TextDocument(OutputFormat.Markdown, (d, w, x) => DiffWriters.WriteMarkdown(d, w, x.Lang));

    public static SinkRegistry<GateOutcome> Gate { get; } = new SinkRegistry<GateOutcome>()
        .Console(OutputFormat.Text, (o, c, x) => GateWriters.WriteText(o, c, x.ShowAccepted))
        .Document(OutputFormat.Sarif, (o, s, x) => GateWriters.WriteSarif(o, s, x.ArtifactUri, x.Tool, x.InformationUri))
        .Document(OutputFormat.JUnit, (o, s, _) => GateWriters.WriteJUnit(o, s))
        .TextDocument(OutputFormat.Markdown, (o, w, x) => GateWriters.WriteMarkdown(o, w, x.ShowAccepted, x.Lang));

    /// <summary>The stored runs of a report store; the markdown is written in the report's language.</summary>
    public static SinkRegistry<TrendReport> Trend { get; } = new SinkRegistry<TrendReport>()
        .Console(OutputFormat.Table, TrendWriters.WriteTable)
        .Document(OutputFormat.Json, (t, s, x) => TrendWriters.WriteJson(t, s, x.Tool))
        .Document(OutputFormat.Markdown, (t, w) => TrendWriters.WriteMarkdown(t, w));

    /// <summary>
    /// Both explanations (a principal's, a target's) offer the same formats: one console view, under text and table
    /// alike since <c>explain</c> accepts either, and JSON and CSV documents.
    /// </summary>
    private static SinkRegistry<TExplanation> Explanation<TExplanation>(
        Action<TExplanation, IAnsiConsole> text, Action<TExplanation, Stream, ToolStamp> json, Action<TExplanation, Stream> csv) =>
        new SinkRegistry<TExplanation>()
            .Console(OutputFormat.Text, text)
            .Console(OutputFormat.Table, text)
            .Document(OutputFormat.Json, (e, s, x) => json(e, s, x.Tool))
            .Document(OutputFormat.Csv, (e, s, _) => csv(e, s));
}
