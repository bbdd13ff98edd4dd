using System.CommandLine;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Sinks;

namespace AccessAnalyzer.Cli.Commands;

/// <summary><c>diff</c>: the exposure change a proposed edit makes, for a review comment.</summary>
internal static class DiffCommand
{
    public static Command Create(CliContext context)
    {
        var before = new Option<string>("--before") { Description = "The current data. " + SourceArguments.SourceDescription, Required = true };
        var after = new Option<string>("--after") { Description = "The proposed data, of any of the same kinds.", Required = true };
        var asOf = CommonOptions.AsOf();
        var format = CliContext.FormatOption(Outputs.Diff);
        var output = CommonOptions.Output(string.Empty);
        var quiet = CommonOptions.Quiet();
        var lang = LangOption.Create();
        var command = new Command("diff", "Show how a proposed edit changes who can open what: accounts, assignments, excess added.")
        {
            before, after, asOf, format, output, lang, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            CliContext.CheckDestinations((parse.GetValue(output), "--output"));
            var options = new AnalysisOptions { AsOf = CliContext.ParseAsOf(parse.GetValue(asOf)) };
            var diff = context.WithProgress(parse.GetValue(quiet), "Comparing", progress =>
            {
                var sourceOptions = sourceArguments.Resolve(context, parse);
                var current = CliContext.LoadSide("--before", parse.GetValue(before)!, sourceOptions, progress);
                var proposed = CliContext.LoadSide("--after", parse.GetValue(after)!, sourceOptions, progress);
                progress?.Report("computing reach");
                return SnapshotDiff.Compute(ToolInfo.Analyze(current, options.AsOf), ToolInfo.Analyze(proposed, options.AsOf));
            });

            context.Render(Outputs.Diff, diff, parse.GetValue(format)!, parse.GetValue(output),
                new SinkContext(ToolInfo.Stamp) { Lang = LangOption.Parse(parse, lang) });

            return ExitCodes.Ok;
        });
        return command;
    }
}
