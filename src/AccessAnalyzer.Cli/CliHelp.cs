using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Cli;

/// <summary>
/// What <c>--help</c> adds to System.CommandLine's sections: examples for every command, and the exit codes and rule
/// ids where they matter (the root and the gate). Examples are keyed by the command's path (<c>db init</c>).
/// </summary>
internal static class CliHelp
{
    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        [""] = ["accessanalyzer demo", "accessanalyzer check --source agency.db", "accessanalyzer analyze --source agency.db --top 10"],
        ["check"] = ["accessanalyzer check --source demo-data/agency.db", "accessanalyzer check --source postgres --schema aa --connection-file aa.conn"],
        ["analyze"] = ["accessanalyzer analyze --source demo-data/agency.db --top 10", "accessanalyzer analyze --source exports/ --format json --output report.json"],
        ["plan"] = ["accessanalyzer plan --source demo-data/agency.db --top 5", "accessanalyzer plan --source exports/ --format csv --output plan.csv"],
        ["explain"] = ["accessanalyzer explain --source demo-data/agency.db --principal C00007", "accessanalyzer explain --source demo-data/agency.db --unit R01 --format json"],
        ["gate"] =
        [
            "accessanalyzer gate --init-policy policy.json",
            "accessanalyzer gate --source proposed/ --before current/ --policy policy.json",
            "accessanalyzer gate --source demo-data/agency.db --policy policy.json --sarif gate.sarif --junit gate.xml --markdown gate.md",
        ],
        ["diff"] = ["accessanalyzer diff --before current/ --after proposed/", "accessanalyzer diff --before current.db --after proposed.db --format markdown --output diff.md"],
        ["trend"] = ["accessanalyzer trend --history runs.db", "accessanalyzer trend --history postgres --format markdown --lang fr"],
        ["report"] = ["accessanalyzer report --source demo-data/agency.db --html report.html", "accessanalyzer report --source demo-data/agency.db --evidence evidence/ --lang fr"],
        ["db"] = ["accessanalyzer db template --dialect sqlite > mapping.sql", "accessanalyzer db init --dialect postgres --schema aa"],
        ["db init"] = ["accessanalyzer db init --dialect sqlite --database agency.db", "accessanalyzer db init --dialect postgres --schema aa --connection-file aa.conn"],
        ["db load"] = ["accessanalyzer db load --dialect sqlite --database agency.db --from exports/"],
        ["db template"] = ["accessanalyzer db template --dialect sqlite > mapping.sql", "accessanalyzer db template --dialect postgres --schema iam"],
        ["db export"] = ["accessanalyzer db export --from agency.db --to canonical/", "accessanalyzer db export --from postgres --connection-file conn.txt --to canonical/ --replace"],
        ["demo"] = ["accessanalyzer demo", "accessanalyzer demo --scale medium --csv --dir /tmp/agency"],
        ["monitor"] =
        [
            "accessanalyzer monitor --source exports/ --state monitor.db --every 60s --alert jsonl:alerts.jsonl --alert syslog:siem.example:514",
            "accessanalyzer monitor --source agency.db --state monitor.db --once --analyze-every 6h --policy policy.json --alert webhook:https://hooks.example/aa --webhook-token-file token",
            "accessanalyzer monitor --status --state monitor.db",
        ],
        ["completion"] = ["accessanalyzer completion bash > ~/.local/share/bash-completion/completions/accessanalyzer", "accessanalyzer completion pwsh >> $PROFILE"],
    };

    private const string ExitCodeText =
        "  0  done (gate: every rule holds)\n" +
        "  1  gate failed: a rule at level error is broken\n" +
        "  2  bad input, bad usage or an internal error: one line on stderr";

    /// <summary>Gate rules by id, as SARIF, JUnit and baselines name them; the policy key enables each.</summary>
    private const string GateRuleText =
        "  max-excess-per-principal, max-reach-caseload-ratio, max-partner-sensitive-excess, forbidden-scope-level,\n" +
        "  mfa-required-above-reach, max-lockout-threshold, no-group-cycles, no-dangling-references,\n" +
        "  no-dormant-account-with-reach, usage-finding (failOnUsageFindings), required-input-missing, max-grant-excess,\n" +
        "  baseline-unjustified; with --before: max-excess-increase, max-principal-excess-increase";

    /// <summary>Adds the sections to the help of every command under <paramref name="root"/>.</summary>
    public static void Configure(RootCommand root)
    {
        foreach (var option in root.Options.OfType<HelpOption>())
        {
            if (option.Action is SynchronousCommandLineAction help)
            {
                option.Action = new WithSections(help);
            }
        }
    }

    /// <summary>The library's help, then the examples and notes of the command asked about.</summary>
    private sealed class WithSections(SynchronousCommandLineAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => help.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            var exit = help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            var command = PathOf(parseResult.CommandResult.Command);
            if (WriteExamples(command, output))
            {
                output.WriteLine();
            }

            if (WriteNotes(command, output))
            {
                output.WriteLine();
            }

            return exit;
        }
    }

    /// <summary>The path of a command below the root: <c>db init</c>; empty for the root.</summary>
    private static string PathOf(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', names);
    }

    private static bool WriteExamples(string command, TextWriter output)
    {
        if (!Examples.TryGetValue(command, out var examples))
        {
            return false;
        }

        output.WriteLine("Examples:");
        foreach (var example in examples)
        {
            output.WriteLine("  " + example);
        }

        return true;
    }

    private static bool WriteNotes(string command, TextWriter output)
    {
        switch (command)
        {
            case "":
                output.WriteLine("Exit codes:");
                output.WriteLine(ExitCodeText);
                output.WriteLine();
                output.WriteLine("Finding rules (analyze; the usage rules need access_events):");
                foreach (var (id, severity, _) in FindingRules.Catalog.Concat(Core.Usage.UsageRules.Catalog))
                {
                    output.WriteLine($"  {id} ({severity.ToString().ToLowerInvariant()})");
                }

                return true;
            case "gate":
                output.WriteLine("Exit codes:");
                output.WriteLine(ExitCodeText);
                output.WriteLine();
                output.WriteLine("Gate rules (each enabled by its key in the policy):");
                output.WriteLine(GateRuleText);
                return true;
            default:
                return false;
        }
    }
}
