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
        // --source and --policy are required unless --init-policy writes the example instead: checked in the action.
        var source = CommonOptions.Source("The proposed data. (required) ");
        source.Required = false;
        var policy = new Option<string?>("--policy")
        {
            Description = "Policy file (JSON; comments allowed). (required) Start from the example: gate --init-policy policy.json.",
        };
        var initPolicy = new Option<string?>("--init-policy")
        {
            Description = "Write the example policy to this file and its schema beside it as policy.schema.json, then exit; " +
                "refuses to overwrite either.",
        };
        var baseline = new Option<string?>("--baseline")
        {
            Description = "Known findings: each passes while it has not grown, its justification has not expired and its reason is a real one " +
                "(an entry with an empty or placeholder reason fails as baseline-unjustified). With --write-baseline: the baseline to update.",
        };
        var writeBaseline = new Option<string?>("--write-baseline")
        {
            Description = "Write today's findings to this baseline file, print what was written and exit 0; the report goes only to --output. " +
                "New entries get a placeholder reason that fails the gate until replaced. With --baseline, an update: entries still " +
                "matched keep their reason and expiry, grown or expired ones and new findings get the placeholder, the rest are dropped.",
        };
        var baselineDays = new Option<int>("--baseline-days") { Description = "How long a new baseline entry stays accepted.", DefaultValueFactory = _ => 90 };
        var acceptCritical = new Option<bool>("--accept-critical")
        {
            Description = "Let --write-baseline accept critical findings (partner excess, partner grants above the allowed level, usage findings); " +
                "without it, it refuses (exit 2).",
        };
        var showAccepted = new Option<bool>("--show-accepted") { Description = "Text and markdown: list each finding the baseline accepts, not one line per rule." };
        var before = new Option<string?>("--before") { Description = "The current data: also apply the change rules to the difference." };
        var asOf = CommonOptions.AsOf();
        var format = CliContext.FormatOption(Outputs.Gate);
        var output = CommonOptions.Output();
        var toolUri = new Option<string>("--tool-uri")
        {
            Description = "Absolute URI of your deployment's documentation, put in SARIF as the tool's informationUri.",
            DefaultValueFactory = _ => GateWriters.DefaultInformationUri,
        };
        var sarif = new Option<string?>("--sarif") { Description = "Also write SARIF 2.1.0 (code scanning) to this file." };
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML (CI test reports) to this file." };
        var markdown = new Option<string?>("--markdown") { Description = "Also write markdown (a review comment) to this file." };
        var lang = LangOption.Create();
        var quiet = CommonOptions.Quiet();
        var command = new Command("gate",
            "Fail (exit 1) when the data breaks the access policy or a change widens access past it. --format goes to stdout or --output; " +
            "--sarif, --junit and --markdown write more formats in the same run, every file or none.")
        {
            source, policy, initPolicy, baseline, writeBaseline, baselineDays, acceptCritical, before, asOf, format, output, sarif, junit, markdown, lang, toolUri, showAccepted, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(initPolicy) is { } initPath)
            {
                PolicyTemplate.Write(initPath, context.Out);
                return ExitCodes.Ok;
            }

            var policyPath = parse.GetValue(policy) ?? throw new UsageException("--policy is required (gate --init-policy policy.json writes an example)");
            if (parse.GetValue(source) is null)
            {
                throw new UsageException("--source is required");
            }

            var options = new AnalysisOptions { AsOf = CliContext.ParseAsOf(parse.GetValue(asOf)) };
            var gatePolicy = GatePolicyParser.Parse(ReadFile(policyPath, "--policy"), Path.GetFileName(policyPath));
            var baselinePath = parse.GetValue(baseline);
            var known = baselinePath is null ? null : BaselineFile.Parse(ReadFile(baselinePath, "--baseline"), Path.GetFileName(baselinePath));
            var days = CommonOptions.Days(parse, baselineDays);

            var baselineOut = parse.GetValue(writeBaseline);

            // Every destination is checked before the data is read and before anything is written: one that cannot
            // be written must not leave the others written (a report without its baseline, or the reverse).
            (string? Path, string Option)[] destinations =
            [
                (parse.GetValue(output), "--output"), (baselineOut, "--write-baseline"),
                (parse.GetValue(sarif), "--sarif"), (parse.GetValue(junit), "--junit"), (parse.GetValue(markdown), "--markdown"),
            ];
            CliContext.CheckDestinations(destinations);
            CliContext.CheckDistinct(destinations);
            if (parse.GetValue(acceptCritical) && baselineOut is null)
            {
                throw new UsageException("--accept-critical only applies with --write-baseline");
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
                    var current = ToolInfo.Analyze(CliContext.LoadSide("--before", beforePath, sourceOptions, progress), options.AsOf);
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

            var sinkContext = new SinkContext(ToolInfo.Stamp)
            {
                ArtifactUri = location => ArtifactUri(proposed, location, baselinePath),
                InformationUri = informationUri,
                ShowAccepted = parse.GetValue(showAccepted),
                Lang = LangOption.Parse(parse, lang),
            };
            // Every file of the run is written together, or none is.
            var files = new List<(string, string, Action<Stream>)>();
            void Add(string? path, string option, string fileFormat)
            {
                if (path is not null)
                {
                    files.Add((path, option, context.Renderer(Outputs.Gate, outcome, fileFormat, sinkContext)));
                }
            }

            Add(outputPath, "--output", parse.GetValue(format)!);
            Add(parse.GetValue(sarif), "--sarif", "sarif");
            Add(parse.GetValue(junit), "--junit", "junit");
            Add(parse.GetValue(markdown), "--markdown", "markdown");
            if (baselineOut is null)
            {
                CliContext.WriteOutputs(files);
                if (outputPath is null)
                {
                    context.Render(Outputs.Gate, outcome, parse.GetValue(format)!, null, sinkContext);
                }

                return outcome.Passed ? ExitCodes.Ok : ExitCodes.GateFailed;
            }

            // Writing a baseline: the file is the output, and stdout says what went into it. Refused before anything
            // is written when it would accept critical findings nobody has justified.
            var draft = Baseline.Draft(known, outcome.Violations, options.AsOf, days);
            var critical = draft.CriticalUnjustified.ToList();
            if (critical.Count > 0 && !parse.GetValue(acceptCritical))
            {
                var byRule = string.Join(", ", critical.GroupBy(e => e.Entry.RuleId, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
                throw new UsageException($"--write-baseline: {critical.Count} finding(s) to accept are critical ({byRule}); " +
                    "fix them, or pass --accept-critical to accept them knowingly");
            }

            files.Add((baselineOut, "--write-baseline", stream => BaselineWriter.Write(draft.Baseline, stream)));
            CliContext.WriteOutputs(files);
            BaselineWriter.WriteSummary(context.Out, baselineOut, draft, known is not null, options.AsOf.AddDays(days));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ReadFile(string path, string option)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"{option}: file '{path}' not found");
        }

        return Sources.Gate.JsonFile.ReadText(path, path);
    }

    /// <summary>
    /// A CSV row's file relative to the working directory (the repository root in CI); none for a database row, which
    /// SARIF locates by table and key (a table name is no file a code-scanning tool could open).
    /// </summary>
    internal static string? ArtifactUri(ISource source, GateLocation location, string? baselinePath = null)
    {
        if (location.Table == "baseline" && baselinePath is not null)
        {
            return RelativeUri(baselinePath);
        }

        if (source.Kind != SourceKind.Csv)
        {
            return null;
        }

        return RelativeUri(Path.Combine(source.Name, location.DisplayName));
    }

    private static string RelativeUri(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return string.Join('/', relative.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
    }
}
