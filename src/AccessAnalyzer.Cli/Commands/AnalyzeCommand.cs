using System.CommandLine;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Cli.Commands;

/// <summary><c>analyze</c>: reach versus caseload for every account, with totals and findings.</summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliContext context)
    {
        var source = CommonOptions.Source();
        var asOf = CommonOptions.AsOf("Analysis date (YYYY-MM-DD); assignments and shares that ended before it do not count. Default: today (UTC).");
        var format = CliContext.FormatOption(Outputs.Analysis);
        var output = CommonOptions.Output();
        var top = new Option<int?>("--top") { Description = "Show only the N accounts with the most excess (totals still cover all). Table default: 20." };
        var noMfa = new Option<long>("--no-mfa-threshold")
        {
            Description = "Flag accounts without MFA that reach more than this many files.",
            DefaultValueFactory = _ => 0,
        };
        var dormantDays = new Option<int>("--dormant-days")
        {
            Description = "An account not logged in for more than this many days before --as-of is dormant.",
            DefaultValueFactory = _ => 90,
        };
        var quiet = CommonOptions.Quiet();

        var command = new Command("analyze", "Report, for every account, the files it can open beyond its caseload.")
        {
            source, asOf, format, output, top, noMfa, dormantDays, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        var store = StoreArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var topValue = CommonOptions.NotNegative(parse, top);
            var noMfaValue = CommonOptions.NotNegative(parse, noMfa);
            var dormantDaysValue = CommonOptions.Days(parse, dormantDays);

            // Checked before the run is read and stored: a report that cannot be written must not leave a stored run.
            CliContext.CheckDestinations((parse.GetValue(output), "--output"));
            var formatValue = parse.GetValue(format)!;
            var settings = new AnalysisSettings(
                parse.GetValue(source)!, CliContext.ParseAsOf(parse.GetValue(asOf)),
                topValue ?? (formatValue == "table" ? TableReportWriter.DefaultRows : null), noMfaValue, dormantDaysValue);
            var sourceOptions = sourceArguments.Resolve(context, parse);
            var (resolved, snapshot, report) = context.WithProgress(parse.GetValue(quiet), "Analyzing", progress =>
            {
                var resolved = CliContext.ResolveSource(settings.Source, sourceOptions);
                var loaded = CliContext.LoadSource(resolved, progress);
                var analyzed = Analyze(loaded, settings with { Top = null }, progress);
                RunProfile.Mark("report built");
                return (resolved, loaded, analyzed);
            });

            // The store keeps every principal; --top only limits what is shown.
            store.Write(context, parse, sourceOptions, resolved, report, snapshot, plan: null, "analyze");
            var shown = settings.Top is { } n ? report with { Principals = [.. report.Principals.Take(n)] } : report;
            Render(context, shown, formatValue, parse.GetValue(output));
            RunProfile.Mark("report written");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reads and analyzes a source with default options; a database login that can modify the input tables is warned about on stderr.</summary>
    public static AnalysisReport Analyze(AnalysisSettings settings, IProgress<string>? progress) =>
        Analyze(CliContext.LoadSource(CliContext.ResolveSource(settings.Source, new SourceOptions { Warnings = Console.Error }), progress), settings, progress);

    public static AnalysisReport Analyze(Core.Model.Snapshot snapshot, AnalysisSettings settings, IProgress<string>? progress)
    {
        progress?.Report("computing reach");
        var analysis = ToolInfo.Analyze(snapshot, settings.AsOf);
        RunProfile.Mark("analysis");
        return ReportBuilder.Build(analysis, new ReportOptions
        {
            Top = settings.Top,
            NoMfaReachThreshold = settings.NoMfaReachThreshold,
            DormantAfterDays = settings.DormantAfterDays,
        });
    }

    public static void Render(CliContext context, AnalysisReport report, string format, string? output) =>
        context.Render(Outputs.Analysis, report, format, output);
}

internal sealed record AnalysisSettings(string Source, DateOnly AsOf, int? Top, long NoMfaReachThreshold, int DormantAfterDays = 90);

/// <summary>The edge where the tool names itself and chooses how the engine runs: once, for every command.</summary>
internal static class ToolInfo
{
    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    /// <summary>Name and version, as every output that names its producer prints them.</summary>
    public static ToolStamp Stamp { get; } = new("AccessAnalyzer", Version);

    /// <summary>The engine over a snapshot, on every core: each command computes it once per snapshot.</summary>
    public static Analysis Analyze(Core.Model.Snapshot snapshot, DateOnly asOf) =>
        Analysis.Run(snapshot, new AnalysisOptions { AsOf = asOf, Scheduler = ParallelScheduler.Instance });
}
