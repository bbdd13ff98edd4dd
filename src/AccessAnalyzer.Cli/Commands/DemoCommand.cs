using System.CommandLine;
using System.Globalization;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sinks;
using Spectre.Console;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>demo</c>: generates a synthetic agency shaped like the real one, with the failures of the 2024 breach planted
/// in it, writes it to SQLite (and CSV on request), then analyzes it: the zero-setup way to see what the tool does.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var dir = new Option<string>("--dir") { Description = "Where to write agency.db (and csv/).", DefaultValueFactory = _ => "demo-data" };
        var scale = new Option<string>("--scale")
        {
            Description = "small (seconds), medium (1M+ files, 10k+ accounts) or france (36.8M files, 57k accounts: minutes, several GB of disk).",
            DefaultValueFactory = _ => "small",
        };
        scale.AcceptOnlyFromAmong("small", "medium", "france");
        var to = new Option<string>("--to") { Description = "Where to write the data: sqlite (DIR/agency.db) or csv (DIR/csv).", DefaultValueFactory = _ => "sqlite" };
        to.AcceptOnlyFromAmong("sqlite", "csv");
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed and date give the same data.", DefaultValueFactory = _ => 42 };
        var csv = new Option<bool>("--csv") { Description = "Also write the canonical CSV files to DIR/csv (with --to sqlite)." };
        var asOf = CommonOptions.AsOf("Date the data is built around and analyzed at (YYYY-MM-DD). Default: today (UTC).");
        var top = new Option<int>("--top") { Description = "Accounts shown in the summary.", DefaultValueFactory = _ => 15 };
        var quiet = CommonOptions.Quiet();

        var command = new Command("demo", "Generate a synthetic agency with the breach's failures planted, and analyze it.")
        {
            dir, scale, to, seed, csv, asOf, top, quiet,
        };
        command.SetAction(parse =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dir)!);
            var options = new DemoOptions(
                parse.GetValue(scale) switch { "medium" => DemoScale.Medium, "france" => DemoScale.France, _ => DemoScale.Small },
                parse.GetValue(seed),
                DemoAsOf(parse.GetValue(asOf)));
            var topValue = CommonOptions.NotNegative(parse, top);

            Directory.CreateDirectory(directory);
            var database = Path.Combine(directory, "agency.db");
            var csvDirectory = Path.Combine(directory, "csv");
            var quietValue = parse.GetValue(quiet);
            var toSqlite = parse.GetValue(to) == "sqlite";
            var toCsv = !toSqlite || parse.GetValue(csv);

            var summary = context.WithProgress(quietValue, "Generating the demo agency", _ =>
            {
                var writers = new List<ICanonicalWriter>();
                try
                {
                    if (toSqlite)
                    {
                        writers.Add(new SqliteCanonicalWriter(database, expectedValues: DemoGenerator.ExpectedIds(options.Scale)));
                    }

                    if (toCsv)
                    {
                        writers.Add(new CsvCanonicalWriter(csvDirectory));
                    }

                    return DemoGenerator.Generate(options, writers);
                }
                finally
                {
                    foreach (var writer in writers)
                    {
                        writer.Dispose();
                    }
                }
            });

            var report = context.WithProgress(quietValue, "Analyzing", progress =>
                AnalyzeCommand.Analyze(new AnalysisSettings(toSqlite ? database : csvDirectory, options.AsOf, topValue, 0), progress));

            var console = context.StdoutConsole();
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]Demo agency[/] ({options.Scale.ToString().ToLowerInvariant()}, seed {options.Seed}): " +
                $"{summary.Counts.OrgUnits:N0} units, {summary.Counts.Principals:N0} accounts, {summary.Counts.Files:N0} files, " +
                $"{summary.Counts.Assignments:N0} assignments → {Escape.Terminal(toSqlite ? database : csvDirectory)}"));
            if (toSqlite && toCsv)
            {
                console.MarkupLine($"CSV export → {Escape.Terminal(csvDirectory)}");
            }

            console.WriteLine();
            TableReportWriter.Write(report, console);
            console.WriteLine();
            WritePlanted(console, summary, report);
            console.WriteLine();
            console.MarkupLine($"Next: [bold]accessanalyzer analyze --source {Escape.Terminal(toSqlite ? database : csvDirectory)} --as-of {options.AsOf:yyyy-MM-dd} --format json[/]");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What was planted, and whether the report found it: the demo checks itself in front of the user.</summary>
    private static void WritePlanted(IAnsiConsole console, DemoSummary summary, AnalysisReport report)
    {
        var flagged = report.Findings.SelectMany(f => f.SubjectIds.Select(id => (f.RuleId, id))).ToHashSet();
        bool Flagged(string rule, string id) => flagged.Contains((rule, id));
        var table = new Table().Border(TableBorder.Rounded).Title("Planted failures of the 2024 breach");
        table.AddColumn("Planted");
        table.AddColumn("Found by");
        table.AddRow(
            $"Region-wide role for partner group {Escape.Terminal(summary.PartnerRegionalGroupId)}",
            Seen(summary.PartnerRegionalMemberIds.All(id => Flagged(FindingRules.PartnerExcess, id)), "partner-excess on every member"));
        table.AddRow(
            $"National consultation through nested groups {Escape.Terminal(string.Join(" ⊂ ", summary.NestedConsultationGroupIds))}",
            Seen(summary.NationalConsultationMemberIds.Count > 0, "reach of its members (top of the table)"));
        table.AddRow(
            $"Group cycle {Escape.Terminal(string.Join(" → ", summary.CycleGroupIds))}",
            Seen(summary.CycleGroupIds.All(id => Flagged(FindingRules.GroupCycle, id)), "group-cycle"));
        table.AddRow(
            $"{summary.DormantAccountIds.Count} dormant accounts keeping access",
            Seen(summary.DormantAccountIds.All(id => Flagged(FindingRules.DormantAccountWithReach, id)), "dormant-account-with-reach"));
        table.AddRow(
            $"{summary.PartnerAccountsWithoutMfaIds.Count} partner accounts without MFA",
            Seen(summary.PartnerAccountsWithoutMfaIds.Any(id => Flagged(FindingRules.NoMfaWithReach, id)), "no-mfa-with-reach (those with reach)"));
        table.AddRow(
            $"Expired national grant {Escape.Terminal(summary.ExpiredAssignmentId)}",
            "not counted (valid_until before the analysis date)");
        table.AddRow(
            $"Justifications: {Escape.Terminal(summary.JustifiedAssignmentId)} and {Escape.Terminal(summary.JustifiedPrincipalId)} in force, " +
            $"{Escape.Terminal(summary.ExpiredJustificationAssignmentId)} expired",
            Seen(report.Coverage.Any(c => c.Check == Coverage.Justifications && c.Ran), "justifications coverage"));
        table.AddRow(
            $"Extraction: partner account {Escape.Terminal(summary.BulkReaderId)} reads {summary.BulkReadEvents:N0} files on {summary.BulkReadDay:yyyy-MM-dd}",
            Seen(Flagged(Core.Usage.UsageRules.MassRead, summary.BulkReaderId), Core.Usage.UsageRules.MassRead));
        table.AddRow(
            $"Extraction: partner account {Escape.Terminal(summary.LeakerId)} reads a few hundred files a day for {summary.LeakDays.Count} working days",
            Seen(Flagged(Core.Usage.UsageRules.ReadSpike, summary.LeakerId), $"{Core.Usage.UsageRules.ReadSpike} (below the absolute threshold)"));
        console.Write(table);
    }

    private static string Seen(bool found, string how) => found ? $"[green]✓[/] {Escape.Terminal(how)}" : $"[red]✗ not found[/] ({Escape.Terminal(how)})";

    /// <summary>
    /// The demo's date: its log, logins and grant dates are laid out from it within a span the analysis accepts, and
    /// ids carry the year in two digits; outside 2000–2044 it would write data its own analysis rejects.
    /// </summary>
    private static DateOnly DemoAsOf(string? text)
    {
        var date = CliContext.ParseAsOf(text);
        return date.Year is >= 2000 and <= 2044
            ? date
            : throw new UsageException($"demo --as-of {date:yyyy-MM-dd} is outside the years the demo can be generated for (2000 to 2044)");
    }
}
