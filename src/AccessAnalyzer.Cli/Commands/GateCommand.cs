using System.CommandLine;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Gate;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>gate</c>: applies a policy to a source (and, with <c>--before</c>, to the change itself) and exits 1 when a rule is
/// broken, 0 when all hold, 2 on any error: a pipeline step that fails closed.
/// </summary>
internal static class GateCommand
{
    public static Command Create(CliContext context)
    {
        var source = CommonOptions.Source("The proposed data. ");
        var policy = new Option<string>("--policy") { Description = "Policy file (JSON; comments allowed; schema: src/AccessAnalyzer.Cli/policy.schema.json).", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "Known findings: they pass while they have not grown and their justification has not expired." };
        var writeBaseline = new Option<string?>("--write-baseline") { Description = "Record today's findings in this baseline file (then edit each reason) and exit 0." };
        var baselineDays = new Option<int>("--baseline-days") { Description = "How long a written baseline entry stays accepted.", DefaultValueFactory = _ => 90 };
        var before = new Option<string?>("--before") { Description = "The current data: also apply the change rules to the difference." };
        var asOf = CommonOptions.AsOf();
        var format = CliContext.FormatOption(Outputs.Gate);
        var output = CommonOptions.Output();
        var toolUri = new Option<string>("--tool-uri")
        {
            Description = "Absolute URI of your deployment's documentation, put in SARIF as the tool's informationUri.",
            DefaultValueFactory = _ => GateWriters.DefaultInformationUri,
        };
        var quiet = CommonOptions.Quiet();
        var command = new Command("gate", "Fail (exit 1) when the data breaks the access policy or a change widens access past it.")
        {
            source, policy, baseline, writeBaseline, baselineDays, before, asOf, format, output, toolUri, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new AnalysisOptions { AsOf = CliContext.ParseAsOf(parse.GetValue(asOf)) };
            var policyPath = parse.GetValue(policy)!;
            var gatePolicy = GatePolicyParser.Parse(ReadFile(policyPath, "--policy"), Path.GetFileName(policyPath));
            var baselinePath = parse.GetValue(baseline);
            var known = baselinePath is null ? null : BaselineFile.Parse(ReadFile(baselinePath, "--baseline"), Path.GetFileName(baselinePath));
            var days = parse.GetValue(baselineDays);
            if (days < 0)
            {
                throw new UsageException("--baseline-days must be zero or more");
            }

            var sourcePath = parse.GetValue(source)!;
            var beforePath = parse.GetValue(before);
            var (proposed, outcome) = context.WithProgress(parse.GetValue(quiet), "Gate", progress =>
            {
                var sourceOptions = sourceArguments.Resolve(context, parse);
                var proposed = CliContext.ResolveSource(sourcePath, sourceOptions);
                var after = ToolInfo.Analyze(CliContext.LoadSource(proposed, progress), options.AsOf);
                DiffReport? diff = null;
                if (beforePath is not null)
                {
                    var current = ToolInfo.Analyze(CliContext.LoadSource(CliContext.ResolveSource(beforePath, sourceOptions), progress), options.AsOf);
                    progress?.Report("comparing");
                    diff = SnapshotDiff.Compute(current, after);
                }

                progress?.Report("checking the policy");
                return (proposed, GateEvaluator.Evaluate(after, gatePolicy, diff, known, context.ExtraGateRules));
            });

            var outputPath = parse.GetValue(output);
            var informationUri = parse.GetValue(toolUri)!;
            if (!Uri.TryCreate(informationUri, UriKind.Absolute, out _))
            {
                throw new UsageException($"--tool-uri '{informationUri}' is not an absolute URI");
            }

            context.Render(Outputs.Gate, outcome, parse.GetValue(format)!, outputPath, new SinkContext(ToolInfo.Stamp)
            {
                ArtifactUri = location => ArtifactUri(proposed, location),
                InformationUri = informationUri,
            });

            if (parse.GetValue(writeBaseline) is { } baselineOut)
            {
                context.WriteOutput(baselineOut, stream => BaselineWriter.Write(Baseline.From(outcome.Violations, options.AsOf, days), stream));
                context.Error.WriteLine($"baseline written: {outcome.Violations.Count} finding(s) accepted until {options.AsOf.AddDays(days):yyyy-MM-dd}; give each a reason.");
                return ExitCodes.Ok;
            }

            return outcome.Passed ? ExitCodes.Ok : ExitCodes.GateFailed;
        });
        return command;
    }

    private static string ReadFile(string path, string option)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"{option}: file '{path}' not found");
        }

        return File.ReadAllText(path);
    }

    /// <summary>A CSV row's file relative to the working directory (the repository root in CI); a table name for databases.</summary>
    internal static string ArtifactUri(ISource source, GateLocation location)
    {
        if (source.Kind != SourceKind.Csv)
        {
            return Uri.EscapeDataString(location.DisplayName);
        }

        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(source.Name, location.DisplayName));
        return string.Join('/', relative.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
    }
}
