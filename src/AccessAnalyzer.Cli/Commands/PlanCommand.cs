using System.CommandLine;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Sinks;

namespace AccessAnalyzer.Cli.Commands;

/// <summary><c>plan</c>: the ranked changes that remove the most excess, with exact cumulative effect.</summary>
internal static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var source = new Option<string>("--source") { Description = SourceArguments.SourceDescription, Required = true };
        var asOf = new Option<string?>("--as-of") { Description = "Analysis date (YYYY-MM-DD). Default: today (UTC)." };
        var format = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var output = new Option<string?>("--output") { Description = "Write the plan to this file (atomically) instead of stdout." };
        var top = new Option<int?>("--top") { Description = "Keep the N changes that remove the most excess. Table default: 20." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display." };
        var command = new Command("plan", "Rank the assignment changes that remove the most excess, with their exact cumulative effect.")
        {
            source, asOf, format, output, top, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        var store = StoreArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var topValue = parse.GetValue(top);
            if (topValue is < 0)
            {
                throw new UsageException("--top must be zero or more");
            }

            var formatValue = parse.GetValue(format)!;
            var asOfValue = CliContext.ParseAsOf(parse.GetValue(asOf));
            var sourceValue = parse.GetValue(source)!;
            var sourceOptions = sourceArguments.Resolve(context, parse);
            var (resolved, snapshot, plan) = context.WithProgress(parse.GetValue(quiet), "Planning", progress =>
            {
                var resolved = CliContext.ResolveSource(sourceValue, sourceOptions);
                var loaded = CliContext.LoadSource(resolved, progress);
                progress?.Report("evaluating every assignment");
                return (resolved, loaded, RemediationPlanner.Plan(loaded, new AnalysisOptions { AsOf = asOfValue }, new PlanOptions
                {
                    Top = topValue ?? (formatValue == "table" ? TableReportWriter.DefaultRows : null),
                    ToolVersion = ToolInfo.Version,
                }));
            });

            if (store.Requested(parse))
            {
                var report = AnalyzeCommand.Analyze(snapshot, new AnalysisSettings(sourceValue, asOfValue, null, 0), null);
                store.Write(context, parse, sourceOptions, resolved, report, snapshot, plan, "plan");
            }

            var outputValue = parse.GetValue(output);
            switch (formatValue)
            {
                case "json":
                    context.WriteOutput(outputValue, stream => PlanWriters.WriteJson(plan, stream));
                    break;
                case "csv":
                    context.WriteOutput(outputValue, stream => PlanWriters.WriteCsv(plan, stream));
                    break;
                default:
                    context.WriteTable(outputValue, console => PlanWriters.WriteTable(plan, console));
                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
