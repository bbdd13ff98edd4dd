using System.CommandLine;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks;

namespace AccessAnalyzer.Cli.Commands;

/// <summary><c>plan</c>: the ranked changes that remove the most excess, with exact cumulative effect.</summary>
internal static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var source = CommonOptions.Source();
        var asOf = CommonOptions.AsOf();
        var format = CliContext.FormatOption(Outputs.Plan);
        var output = CommonOptions.Output("the plan");
        var top = new Option<int?>("--top") { Description = "Keep the N changes that remove the most excess. Table default: 20." };
        var quiet = CommonOptions.Quiet();
        var command = new Command("plan", "Rank the assignment changes that remove the most excess, with their exact cumulative effect.")
        {
            source, asOf, format, output, top, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        var store = StoreArguments.AddTo(command);
        command.SetAction(parse =>
        {
            CliContext.CheckDestinations((parse.GetValue(output), "--output"));
            var topValue = CommonOptions.NotNegative(parse, top);
            var formatValue = parse.GetValue(format)!;
            var asOfValue = CliContext.ParseAsOf(parse.GetValue(asOf));
            var sourceValue = parse.GetValue(source)!;
            var sourceOptions = sourceArguments.Resolve(context, parse);
            var (resolved, analysis, plan) = context.WithProgress(parse.GetValue(quiet), "Planning", progress =>
            {
                var resolved = CliContext.ResolveSource(sourceValue, sourceOptions);
                var loaded = CliContext.LoadSource(resolved, progress);
                progress?.Report("computing reach");
                var computed = ToolInfo.Analyze(loaded, asOfValue);
                progress?.Report("evaluating every assignment");
                return (resolved, computed, RemediationPlanner.Plan(computed, new PlanOptions
                {
                    Top = topValue ?? (formatValue == "table" ? TableReportWriter.DefaultRows : null),
                }));
            });

            if (store.Requested(parse))
            {
                var report = ReportBuilder.Build(analysis, new ReportOptions());
                store.Write(context, parse, sourceOptions, resolved, report, analysis.Snapshot, plan, "plan");
            }

            context.Render(Outputs.Plan, plan, formatValue, parse.GetValue(output));

            return ExitCodes.Ok;
        });
        return command;
    }
}
