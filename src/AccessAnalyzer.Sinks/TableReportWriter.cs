using System.Globalization;
using AccessAnalyzer.Core.Reporting;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>
/// The human view: what was analyzed, the checks that could not run on it, the totals that matter, the accounts with the most excess, and the findings
/// worst first. Renders onto any <see cref="IAnsiConsole"/> so tests can capture it as text.
/// </summary>
public static class TableReportWriter
{
    /// <summary>Rows shown when the user gave no --top: a table is for reading, JSON and CSV for everything.</summary>
    public const int DefaultRows = 20;

    /// <summary>
    /// Distinct files: each beneficiary file counted once however many accounts reach it, for every account together
    /// and per organisation. These answer "how many beneficiaries could be opened", which the sums above overstate.
    /// </summary>
    private static void WriteDistinct(AnalysisReport report, IAnsiConsole console)
    {
        var d = report.Totals.Distinct;
        var table = Format.RoundedTable("Distinct files (each file once, however many accounts reach it)",
            Format.Text("Organisation"), Format.Number("Accounts"), Format.Number("Can open"), Format.Number("Beyond caseload"),
            Format.Number("Sensitive beyond"), Format.Number("Without MFA can open"));
        table.AddRow("[bold]all accounts[/]", N(report.Totals.Principals), N(d.Reachable), $"[bold]{N(d.Excess)}[/]", N(d.SensitiveExcess), N(d.Phishable));
        foreach (var o in report.Organizations)
        {
            table.AddRow(
                Escape.Terminal(o.Organization) + (o.Partner ? " [grey](partner)[/]" : string.Empty), N(o.Principals), N(o.Figures.Reachable),
                N(o.Figures.Excess), N(o.Figures.SensitiveExcess), N(o.Figures.Phishable));
        }

        console.Write(table);
        console.MarkupLine("[grey]Without MFA: files that the accounts without MFA can open, the reach of one phished password each.[/]");
        console.WriteLine();
    }

    public static void Write(AnalysisReport report, IAnsiConsole console, int findingLines = 15)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(console);
        var t = report.Totals;
        Format.Title(console, "AccessAnalyzer", report.Header);
        CoverageWriters.WriteConsole(report.Coverage, console);

        var totals = new Grid().AddColumn().AddColumn(new GridColumn().RightAligned());
        totals.AddRow("Principals", N(t.Principals));
        totals.AddRow("Files (distinct)", N(t.Files));
        totals.AddRow("Exposure (Σ reach over accounts)", N(t.Exposure));
        totals.AddRow("[bold]Excess exposure (Σ excess over accounts)[/]", $"[bold]{N(t.ExcessExposure)}[/] ({Percent(t.ExcessExposure, t.Exposure)} of exposure)");
        totals.AddRow("Sensitive excess (Σ over accounts)", N(t.SensitiveExcessExposure));
        totals.AddRow("Closed files in reach (Σ over accounts)", N(t.ClosedFilesInReach));
        totals.AddRow("Phishable exposure (Σ reach without MFA)", $"{N(t.PhishableExposure)} ({Percent(t.PhishableExposure, t.Exposure)} of exposure)");
        totals.AddRow("  of which partner accounts", N(t.PartnerPhishableExposure));
        if (t.JustifiedFiles > 0)
        {
            totals.AddRow("Justified reach (Σ over accounts; not excess)", N(t.JustifiedFiles));
        }

        totals.AddRow("Dormant accounts with reach", N(t.DormantAccountsWithReach));
        totals.AddRow("Accounts with excess", $"{N(t.PrincipalsWithExcess)} of {N(t.Principals)}");
        totals.AddRow("Dangling references", N(t.DanglingReferences));
        totals.AddRow("Group cycles", N(t.GroupCycles));
        console.Write(totals);
        console.WriteLine();
        WriteDistinct(report, console);

        var table = Format.RoundedTable("Accounts by excess (files they can open beyond their caseload)",
            Format.Text("Principal"), Format.Text("Kind"), Format.Text("Org"), Format.Number("Reach"), Format.Number("Caseload"), Format.Number("Excess"), Format.Number("Sensitive excess"), Format.Number("×caseload"));
        var usage = report.Principals.Any(p => p.ExercisedExcessFiles is not null);
        if (usage)
        {
            table.AddColumn(new TableColumn("Read outside caseload").RightAligned());
        }

        table.AddColumn("Flags");
        foreach (var p in report.Principals)
        {
            var flags = new List<string>();
            if (!p.Active)
            {
                flags.Add("inactive");
            }

            if (!p.Mfa)
            {
                flags.Add("no-mfa");
            }

            var cells = new List<string>
            {
                Escape.Terminal(p.PrincipalId), Names.Of(p.Kind), Escape.Terminal(p.Organization), N(p.ReachableFiles),
                N(p.CaseloadFiles), p.ExcessFiles > 0 ? $"[red]{N(p.ExcessFiles)}[/]" : "0", N(p.SensitiveExcessFiles),
                p.CaseloadFiles > 0 ? (p.ReachableFiles / (double)p.CaseloadFiles).ToString("0.#", CultureInfo.InvariantCulture) : "—",
            };
            if (usage)
            {
                cells.Add(N(p.ExercisedExcessFiles ?? 0));
            }

            cells.Add(string.Join(' ', flags));
            table.AddRow([.. cells]);
        }

        console.Write(table);
        console.MarkupLine("[grey]×caseload: files the account can open for each file of its own caseload (reach ÷ caseload; — when it has none).[/]");
        if (report.Principals.Count < t.Principals)
        {
            console.MarkupLine($"[grey]{N(report.Principals.Count)} of {N(t.Principals)} accounts shown (--top); JSON and CSV outputs list them all.[/]");
        }

        console.WriteLine();
        var byRule = report.Findings.GroupBy(f => (f.RuleId, f.Severity)).OrderByDescending(g => g.Key.Severity).ThenBy(g => g.Key.RuleId, StringComparer.Ordinal);
        var summary = Format.RoundedTable("Findings",
            Format.Text("Severity"), Format.Text("Rule"), Format.Number("Count"));
        foreach (var g in byRule)
        {
            summary.AddRow(Colour(g.Key.Severity), g.Key.RuleId, N(g.Count()));
        }

        console.Write(summary);
        foreach (var f in report.Findings.Take(findingLines))
        {
            console.MarkupLine($"{Colour(f.Severity)} [bold]{f.RuleId}[/] {Escape.Terminal(f.Message)}");
        }

        if (report.Findings.Count > findingLines)
        {
            console.MarkupLine($"[grey]… {N(report.Findings.Count - findingLines)} more findings in --format json.[/]");
        }
    }

    private static string Colour(Severity severity) => severity switch
    {
        Severity.Critical => "[white on red]critical[/]",
        Severity.High => "[red]high[/]",
        Severity.Medium => "[yellow]medium[/]",
        Severity.Low => "[grey]low[/]",
        _ => "[grey]info[/]",
    };

    private static string N(long value) => Format.G(value);

    private static string Percent(long part, long whole) =>
        whole == 0 ? "0%" : (part / (double)whole).ToString("0.0%", CultureInfo.InvariantCulture);
}
