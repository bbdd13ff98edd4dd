using System.CommandLine;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Html;
using AccessAnalyzer.Sinks.Language;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>report</c>: documents for people about one source. <c>--html FILE</c> writes the self-contained HTML report (the
/// analysis, the plan and the usage analysis in one file). Each document is one output option of
/// <see cref="ReportOptionsSet"/>; the action computes the analysis once and writes every document asked for.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The command's options in one place, so another document (an evidence pack) is one more field and one more branch.</summary>
    private sealed class ReportOptionsSet
    {
        public Option<string> Source { get; } = CommonOptions.Source();

        public Option<string?> AsOf { get; } = CommonOptions.AsOf();

        public Option<string?> Html { get; } = new("--html") { Description = "Write the self-contained HTML report to this file (atomically)." };

        public Option<string> Lang { get; } = LangOption();

        public Option<string?> History { get; } = new("--history")
        {
            Description = "Add the trend across the runs stored in postgres, sqlserver or an SQLite file (see --store).",
        };

        public Option<bool> Quiet { get; } = CommonOptions.Quiet();

        public IEnumerable<Option> All => [Source, AsOf, Html, Lang, History, Quiet];

        private static Option<string> LangOption()
        {
            var option = new Option<string>("--lang") { Description = "Language of the document: en or fr.", DefaultValueFactory = _ => "en" };
            option.AcceptOnlyFromAmong("en", "fr");
            return option;
        }
    }

    public static Command Create(CliContext context)
    {
        var options = new ReportOptionsSet();
        var command = new Command("report", "Write documents for people about one source: --html FILE, a self-contained HTML report.");
        foreach (var option in options.All)
        {
            command.Add(option);
        }

        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var html = parse.GetValue(options.Html) ?? throw new UsageException("report: say which document to write (--html FILE)");
            _ = Texts.TryParse(parse.GetValue(options.Lang), out var lang);
            var asOf = CliContext.ParseAsOf(parse.GetValue(options.AsOf));
            var history = parse.GetValue(options.History) is { } historyTarget ? ReadHistory(historyTarget) : null;
            var sourceValue = parse.GetValue(options.Source)!;
            var sourceOptions = sourceArguments.Resolve(context, parse);
            var document = context.WithProgress(parse.GetValue(options.Quiet), "Reporting", progress =>
            {
                var loaded = CliContext.LoadSource(CliContext.ResolveSource(sourceValue, sourceOptions), progress);
                progress?.Report("computing reach and the plan");
                return ReportDocument.Build(ToolInfo.Analyze(loaded, asOf), new Core.Reporting.ReportOptions(), new PlanOptions());
            });

            context.WriteOutput(html, stream => HtmlReportWriter.Write(document, stream, lang, ToolInfo.Stamp, history));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The stored runs of the trend. Reading the report tables back is the report store's job (its reader is not part
    /// of this build yet), so asking for a trend fails clearly rather than drawing an empty one.
    /// </summary>
    private static IReadOnlyList<TrendPoint> ReadHistory(string target) =>
        throw new UsageException($"--history {target}: reading stored runs back is not available in this build yet; write the report without --history");
}
