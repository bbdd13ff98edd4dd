using System.CommandLine;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Html;
using AccessAnalyzer.Sinks.Language;
using AccessAnalyzer.Sinks.Store;

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

        public Option<string?> Evidence { get; } = new("--evidence")
        {
            Description = "Write the regulator's evidence pack into this directory: evidence.md, evidence.html and evidence.json (all or none).",
        };

        public Option<string> Lang { get; } = LangOption();

        public Option<string?> History { get; } = new("--history")
        {
            Description = "Add the trend across the runs stored in postgres, sqlserver or an SQLite file (see --store).",
        };

        public Option<bool> Quiet { get; } = CommonOptions.Quiet();

        public IEnumerable<Option> All => [Source, AsOf, Html, Evidence, Lang, History, Quiet];

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
            var html = parse.GetValue(options.Html);
            var evidence = parse.GetValue(options.Evidence);
            if (html is null && evidence is null)
            {
                throw new UsageException("report: say which document to write (--html FILE or --evidence DIR)");
            }

            _ = Texts.TryParse(parse.GetValue(options.Lang), out var lang);
            var asOf = CliContext.ParseAsOf(parse.GetValue(options.AsOf));
            var sourceValue = parse.GetValue(options.Source)!;
            var sourceOptions = sourceArguments.Resolve(context, parse);
            var historyTarget = parse.GetValue(options.History) is { } historyArgument ? HistoryArguments.Resolve(historyArgument, sourceOptions) : null;
            if (evidence is not null)
            {
                EvidenceCommand.Run(context, evidence, lang, historyTarget, sourceValue, asOf, sourceOptions, parse.GetValue(options.Quiet));
            }

            if (html is null)
            {
                return ExitCodes.Ok;
            }

            var history = historyTarget is null ? null : ReportHistory.Read(historyTarget);
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
}
