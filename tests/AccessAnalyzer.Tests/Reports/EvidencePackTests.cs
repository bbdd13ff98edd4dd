using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sinks.Evidence;
using AccessAnalyzer.Sinks.Language;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Reports;

/// <summary>The small demo, generated once as CSV, and its evidence pack built in-process.</summary>
public sealed class EvidenceDemo : IDisposable
{
    public static readonly DateOnly AsOf = new(2026, 11, 23);

    public EvidenceDemo()
    {
        Directory = Path.Combine(Path.GetTempPath(), "aa-evidence-" + Guid.NewGuid().ToString("N"));
        Database = Directory + ".db";
        using (var writer = new CsvCanonicalWriter(Directory))
        using (var sqlite = new SqliteCanonicalWriter(Database))
        {
            Summary = DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, AsOf), [writer, sqlite]);
        }

        var source = TestSources.Resolve(Directory);
        var read = source.Read();
        var snapshot = read.Snapshot();
        var analysis = Analysis.Run(snapshot, new AnalysisOptions { AsOf = AsOf });
        Pack = EvidenceBuilder.Build(new EvidenceInput
        {
            Report = ReportBuilder.Build(analysis, new ReportOptions()),
            Plan = RemediationPlanner.Plan(analysis, new PlanOptions()),
            Snapshot = snapshot,
            Inputs = InputFingerprinter.Of(source, read.Tables),
            ToolVersion = "1.2.3",
            CommandLine = "accessanalyzer report --source demo --as-of 2026-11-23 --evidence pack",
        });
        Pack = Pack with { Header = Pack.Header with { Source = "demo" } };
        FileIds = [.. File.ReadLines(Path.Combine(Directory, "files.csv")).Skip(1).Select(l => l.Split(',')[0])];
    }

    public string Directory { get; }

    /// <summary>The same demo in SQLite, as <c>demo</c> writes it (with its indexes).</summary>
    public string Database { get; }

    public DemoSummary Summary { get; }

    public EvidencePack Pack { get; }

    /// <summary>Every beneficiary file id of the demo.</summary>
    public HashSet<string> FileIds { get; }

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        File.Delete(Database);
    }
}

/// <summary>
/// The regulator's evidence pack on the small demo: every planted failure named under the point the regulator checked,
/// input fingerprints that <c>sha256sum</c> confirms, the same bytes from the same input, no beneficiary file id, and
/// the French render in French.
/// </summary>
public sealed class EvidencePackTests(EvidenceDemo demo) : IClassFixture<EvidenceDemo>
{
    private static byte[] Render(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return stream.ToArray();
    }

    private static string Markdown(EvidencePack pack, Lang lang = Lang.En) =>
        Encoding.UTF8.GetString(Render(s => EvidenceWriters.WriteMarkdown(pack, lang, s)));

    private static IReadOnlyList<string> Subjects(EvidencePack pack, string point, string rule) =>
        pack.Point(point).Rules.Single(r => r.RuleId == rule).Subjects;

    /// <summary>The markdown section of a point: from its heading to the next second-level heading.</summary>
    private static string Section(string markdown, string title)
    {
        var start = markdown.IndexOf("\n## " + title + "\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"the pack has a section '{title}'");
        var end = markdown.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    [Fact]
    public void Every_finding_rule_belongs_to_one_regulator_point()
    {
        var mapped = EvidencePoints.RuleToPoint.Select(r => r.RuleId).ToList();
        mapped.Should().OnlyHaveUniqueItems();
        mapped.Should().BeEquivalentTo(FindingRules.Catalog.Select(r => r.Id).Concat(UsageRules.Catalog.Select(r => r.Id)));
        EvidencePoints.RuleToPoint.Select(r => r.Point).Should().OnlyContain(p => EvidencePoints.All.Contains(p));
    }

    [Fact]
    public void Names_every_planted_failure_under_the_right_regulator_point()
    {
        var s = demo.Summary;
        var pack = demo.Pack;

        // (a) access beyond need: the partner group's region-wide reach, the cycle, the dormant accounts, the expired justification.
        Subjects(pack, EvidencePoints.AccessBeyondNeed, FindingRules.PartnerExcess).Should().Contain(s.PartnerRegionalMemberIds);
        Subjects(pack, EvidencePoints.AccessBeyondNeed, FindingRules.GroupCycle).Should().Contain(s.CycleGroupIds);
        Subjects(pack, EvidencePoints.AccessBeyondNeed, FindingRules.DormantAccountWithReach).Should().Contain(s.DormantAccountIds);
        Subjects(pack, EvidencePoints.AccessBeyondNeed, FindingRules.JustificationExpired).Should().Contain(s.ExpiredJustificationAssignmentId);
        pack.Organizations.Should().Contain(o => o.Partner && o.DistinctExcessFiles > 0, "the partner organisation's distinct excess is shown");

        // (b) MFA: partner accounts without MFA that reach files, and the organisation that does not require it.
        var noMfa = Subjects(pack, EvidencePoints.Mfa, FindingRules.NoMfaWithReach);
        noMfa.Intersect(s.PartnerAccountsWithoutMfaIds).Should().NotBeEmpty();
        Subjects(pack, EvidencePoints.Mfa, FindingRules.MfaNotRequired).Should().NotBeEmpty();
        pack.Point(EvidencePoints.Mfa).Figure(EvidenceFigures.DistinctPhishableFiles).Value.Should().BeGreaterThan(0);

        // (c) lockout: the organisation that allows 50 failed logins.
        var lockout = pack.Point(EvidencePoints.Lockout);
        lockout.Status.Should().Be(EvidenceStatus.Gap);
        lockout.Rules.Single().Threshold.Should().Be(10);
        Subjects(pack, EvidencePoints.Lockout, FindingRules.LockoutThresholdTooHigh)
            .Should().BeEquivalentTo(pack.Organizations.Where(o => o.LockoutThreshold > 10).Select(o => o.Organization)).And.NotBeEmpty();

        // (d) logging: the bulk read, the slow leak, the dormant account at work; retention checked against 183 days.
        Subjects(pack, EvidencePoints.Logging, UsageRules.MassRead).Should().Contain(s.BulkReaderId);
        Subjects(pack, EvidencePoints.Logging, UsageRules.ReadSpike).Should().Contain(s.LeakerId);
        if (s.DormantReaderId is { } dormantReader)
        {
            Subjects(pack, EvidencePoints.Logging, UsageRules.ActivityFromDormantAccount).Should().Contain(dormantReader);
        }

        pack.Log.RetentionDays.Should().Be(183);
        pack.Point(EvidencePoints.Logging).Rules.Single(r => r.RuleId == UsageRules.LogRetentionTooShort).Threshold.Should().Be(183);

        // (e) remediation: the planted grants are the plan's first changes; the justified ones are left alone.
        var changes = pack.Plan.FirstChanges.Select(c => c.AssignmentId).ToList();
        changes.Should().Contain(s.NationalConsultationAssignmentId).And.Contain(s.PartnerRegionalAssignmentId);
        pack.Plan.LeftAlone.Select(j => j.SubjectId).Should().Contain(s.JustifiedAssignmentId).And.Contain(s.JustifiedPrincipalId);

        // The same, as people read it: each id in its point's section of the markdown.
        var md = Markdown(pack);
        static string Code(string id) => "`" + id + "`";
        var a = Section(md, "(a) Access beyond need");
        s.PartnerRegionalMemberIds.Concat(s.CycleGroupIds).Concat(s.DormantAccountIds).Append(s.ExpiredJustificationAssignmentId)
            .Where(id => !a.Contains(Code(id), StringComparison.Ordinal)).Should().BeEmpty();
        var b = Section(md, "(b) Multi-factor authentication");
        noMfa.Where(id => !b.Contains(Code(id), StringComparison.Ordinal)).Should().BeEmpty();
        Section(md, "(c) Lockout after failed logins").Should().Contain("| 50 | no |");
        var d = Section(md, "(d) Logging and its proactive analysis");
        d.Should().Contain(Code(s.BulkReaderId)).And.Contain(Code(s.LeakerId)).And.Contain("fewer than 183 days");
        var e = Section(md, "(e) Remediation");
        e.Should().Contain(Code(s.NationalConsultationAssignmentId)).And.Contain(Code(s.PartnerRegionalAssignmentId))
            .And.Contain(Code(s.JustifiedAssignmentId)).And.Contain(Code(s.JustifiedPrincipalId));
    }

    [Fact]
    public void Says_no_history_without_one_and_the_change_since_the_first_run_with_one()
    {
        demo.Pack.History.Should().BeNull();
        demo.Pack.Points.SelectMany(p => p.Figures).Should().OnlyContain(f => f.First == null);
        Markdown(demo.Pack).Should().Contain("| no history |");

        var excess = demo.Pack.Point(EvidencePoints.AccessBeyondNeed).Figure(EvidenceFigures.ExcessExposure).Value;
        var first = new TrendPoint(Guid.Empty, DateTimeOffset.UnixEpoch, new DateOnly(2026, 1, 5), "demo", "1.0.0", 1, 1, 1, excess + 500, 0, 1, 1,
            null, 40, null, null);
        var withHistory = EvidenceBuilder.Build(Input() with { History = [first, first with { AsOf = new DateOnly(2026, 6, 1) }] });
        withHistory.History.Should().Be(new EvidenceHistory(2, new DateOnly(2026, 1, 5), new DateOnly(2026, 6, 1)));
        var figure = withHistory.Point(EvidencePoints.AccessBeyondNeed).Figure(EvidenceFigures.ExcessExposure);
        figure.Change.Should().Be(-500);
        withHistory.Point(EvidencePoints.AccessBeyondNeed).Figure(EvidenceFigures.DistinctReachableFiles).First.Should().BeNull("that run stored no distinct figure");
        var md = Markdown(withHistory);
        md.Should().Contain("| First stored run (2026-01-05) | Change |").And.Contain("| -500 |").And.Contain("| not stored |");
    }

    private EvidenceInput Input()
    {
        var source = TestSources.Resolve(demo.Directory);
        var read = source.Read();
        var snapshot = read.Snapshot();
        var analysis = Analysis.Run(snapshot, new AnalysisOptions { AsOf = EvidenceDemo.AsOf });
        return new EvidenceInput
        {
            Report = ReportBuilder.Build(analysis, new ReportOptions()),
            Plan = RemediationPlanner.Plan(analysis, new PlanOptions()),
            Snapshot = snapshot,
            Inputs = InputFingerprinter.Of(source, read.Tables),
            ToolVersion = "1.2.3",
            CommandLine = "accessanalyzer",
        };
    }

    [Fact]
    public void Input_fingerprints_are_the_sha256_of_every_input_file()
    {
        var files = demo.Pack.Inputs.Files;
        demo.Pack.Inputs.SourceKind.Should().Be("csv");
        files.Select(f => f.Name).Should().BeEquivalentTo(System.IO.Directory.GetFiles(demo.Directory, "*.csv").Select(Path.GetFileName));
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(demo.Directory, file.Name));
            file.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Name);
            file.Bytes.Should().Be(bytes.Length);
        }

        // And as sha256sum prints them, where the machine has it.
        if (File.Exists("/usr/bin/sha256sum"))
        {
            var start = new ProcessStartInfo("/usr/bin/sha256sum") { RedirectStandardOutput = true, WorkingDirectory = demo.Directory };
            foreach (var file in files)
            {
                start.ArgumentList.Add(file.Name);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            process.ExitCode.Should().Be(0);
            var printed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split("  ")).ToDictionary(p => p[1], p => p[0]);
            files.Should().OnlyContain(f => printed[f.Name] == f.Sha256);
        }

        var md = Markdown(demo.Pack);
        files.Should().OnlyContain(f => md.Contains($"| `{f.Name}` | {Texts.Number(Lang.En, f.Bytes)} | `{f.Sha256}` |", StringComparison.Ordinal));
    }

    [Fact]
    public void A_database_source_is_identified_by_row_counts_and_a_digest_of_the_rows_read()
    {
        {
            var source = TestSources.Resolve(demo.Database);
            var read = source.Read();
            var inputs = InputFingerprinter.Of(source, read.Tables);
            inputs.SourceKind.Should().Be("sqlite");
            inputs.Tables.Single(t => t.Table == "principals").Rows.Should().Be(demo.Summary.Counts.Principals);
            inputs.Tables.Single(t => t.Table == "files").Rows.Should().Be(demo.Summary.Counts.Files);
            inputs.Tables.Single(t => t.Table == "caseload").Rows.Should().Be(demo.Summary.Counts.Caseload);
            inputs.RowsDigest.Should().MatchRegex("^[0-9a-f]{64}$");

            // The digest is over what was read, whatever order the rows came in: the CSV directory reads the same rows.
            InputFingerprinter.RowsDigest(TestSources.Read(demo.Directory).Tables).Should().Be(inputs.RowsDigest);
            inputs.Files.Should().ContainSingle().Which.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(demo.Database))));
        }
    }

    [Fact]
    public void The_cli_writes_the_same_bytes_twice_and_no_beneficiary_file_id()
    {
        var output = Path.Combine(Path.GetTempPath(), "aa-evidence-out-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] args = ["report", "--source", demo.Directory, "--as-of", "2026-11-23", "--evidence", output];
            Run(args).Should().Be(0);
            var first = EvidenceFiles(output);
            first.Keys.Should().BeEquivalentTo(["evidence.md", "evidence.html", "evidence.json"]);
            System.IO.Directory.GetFiles(output).Should().HaveCount(3, "no temporary file is left behind");
            System.IO.Directory.GetDirectories(Path.GetTempPath(), "." + Path.GetFileName(output) + ".*").Should().BeEmpty("the staging directory became the pack");
            Run(args).Should().Be(0);
            System.IO.Directory.GetFiles(output).Should().HaveCount(3, "over an existing pack, no temporary file is left behind");
            var second = EvidenceFiles(output);
            foreach (var (name, bytes) in first)
            {
                second[name].Should().Equal(bytes, $"{name} is the same from the same input");
            }

            foreach (var (name, bytes) in first)
            {
                var text = Encoding.UTF8.GetString(bytes);
                var tokens = Regex.Matches(text, "[A-Za-z0-9_-]+").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
                tokens.Intersect(demo.FileIds).Should().BeEmpty($"{name} names no beneficiary file");
                demo.FileIds.Take(2000).Should().OnlyContain(id => !text.Contains(id, StringComparison.Ordinal), name);
            }

            using var json = JsonDocument.Parse(first["evidence.json"]);
            json.RootElement.GetProperty("asOf").GetString().Should().Be("2026-11-23");
            json.RootElement.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("point").GetString())
                .Should().Equal(EvidencePoints.All);
            json.RootElement.GetProperty("history").ValueKind.Should().Be(JsonValueKind.Null);
            var html = Encoding.UTF8.GetString(first["evidence.html"]);
            html.Should().StartWith("<!DOCTYPE html>").And.Contain("<html lang=\"en\">").And.Contain("(a) Access beyond need");
        }
        finally
        {
            if (System.IO.Directory.Exists(output))
            {
                System.IO.Directory.Delete(output, recursive: true);
            }
        }
    }

    [Fact]
    public void The_french_render_is_in_french()
    {
        var md = Markdown(demo.Pack, Lang.Fr);
        md.Should().StartWith("# Dossier de preuves").And.Contain("## (a) Accès au-delà du besoin").And.Contain("**Statut : écart**")
            .And.Contain("23/11/2026").And.Contain("pas d'historique").And.Contain("Validation");
        md.Should().NotContain("Access beyond need").And.NotContain("no history");
        var html = Encoding.UTF8.GetString(Render(s => EvidenceWriters.WriteHtml(demo.Pack, Lang.Fr, s)));
        html.Should().Contain("<html lang=\"fr\">").And.Contain("Authentification multifacteur");
    }

    [Fact]
    public void Values_are_escaped_for_each_medium()
    {
        var pack = demo.Pack with { Header = demo.Pack.Header with { Source = "a`b|c <script>alert(1)</script> *x*" } };
        var md = Markdown(pack);
        md.Should().Contain("| Source | ``a`b\\|c <script>alert(1)</script> *x*`` |");
        var html = Encoding.UTF8.GetString(Render(s => EvidenceWriters.WriteHtml(pack, Lang.En, s)));
        html.Should().NotContain("<script>").And.Contain("&lt;script&gt;alert(1)&lt;/script&gt;");
        using var json = JsonDocument.Parse(Render(s => EvidenceWriters.WriteJson(pack, s, new ToolStamp("AccessAnalyzer", "1.2.3"))));
        json.RootElement.GetProperty("source").GetString().Should().Be(pack.Header.Source);
    }

    [Fact]
    public void The_command_line_never_holds_a_secret()
    {
        var line = CommandLineText.Redact("accessanalyzer",
            ["report", "--source", "Host=db;Username=aa;Password=hunter2", "--password", "hunter2", "--token=abc", "--evidence", "my pack"]);
        line.Should().NotContain("hunter2").And.NotContain("abc").And.NotContain("Host=");
        line.Should().Be("accessanalyzer report --source [redacted] --password [redacted] --token=[redacted] --evidence 'my pack'");
        CommandLineText.Redact("accessanalyzer", ["trend", "--history", "postgres", "--connection-file", "/etc/aa/conn"])
            .Should().Be("accessanalyzer trend --history postgres --connection-file /etc/aa/conn");
    }

    [Fact]
    public void Without_account_policy_or_access_log_those_points_say_what_was_not_checked()
    {
        using var agency = new AgencyFixture().Unit("NAT", kind: "national").Unit("A1", "NAT").Files("f", "A1", 3).Role("read")
            .Principal("adv-1", unit: "A1").Assign("X1", "read", "adv-1", scope: "caseload").Caseload("f1", "adv-1");
        var directory = agency.WriteCsv();
        var source = TestSources.Resolve(directory);
        var read = source.Read();
        var snapshot = read.Snapshot();
        var analysis = Analysis.Run(snapshot, new AnalysisOptions { AsOf = AgencyFixture.AsOf });
        var pack = EvidenceBuilder.Build(new EvidenceInput
        {
            Report = ReportBuilder.Build(analysis, new ReportOptions()),
            Plan = RemediationPlanner.Plan(analysis, new PlanOptions()),
            Snapshot = snapshot,
            Inputs = InputFingerprinter.Of(source, read.Tables),
            ToolVersion = "1.2.3",
            CommandLine = "accessanalyzer",
        });

        pack.Point(EvidencePoints.AccessBeyondNeed).Status.Should().Be(EvidenceStatus.Pass);
        pack.Point(EvidencePoints.Mfa).Status.Should().Be(EvidenceStatus.NotChecked);
        pack.Point(EvidencePoints.Lockout).Status.Should().Be(EvidenceStatus.NotChecked);
        pack.Point(EvidencePoints.Logging).Status.Should().Be(EvidenceStatus.Gap, "no access log is itself the gap");
        pack.Point(EvidencePoints.Remediation).Status.Should().Be(EvidenceStatus.Pass);
        pack.NotChecked.Select(c => c.Check).Should().Contain([Coverage.AccessLog, Coverage.AccountPolicy]);
        var md = Markdown(pack);
        md.Should().Contain("account_policy is missing: lockout thresholds were not checked.")
            .And.Contain("No access log: accesses cannot be analysed").And.Contain("- `access-log`: ");
        var fr = Markdown(pack, Lang.Fr);
        fr.Should().Contain("**non vérifié**").And.Contain("Aucun journal des accès");
    }

    [Fact]
    public void An_evidence_directory_that_is_a_file_is_refused_and_nothing_is_written()
    {
        var file = Path.GetTempFileName();
        try
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            CliApp.Run(["report", "--source", demo.Directory, "--as-of", "2026-11-23", "--evidence", file], stdout, stderr).Should().Be(2);
            stderr.ToString().Should().Contain("--evidence");
            new FileInfo(file).Length.Should().Be(0);
            System.IO.Directory.GetFiles(Path.GetDirectoryName(file)!, ".evidence.*.tmp").Should().BeEmpty();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Should_render_the_demo_evidence_markdown_as_the_golden_file() =>
        GoldenOutputTests.Verify(("evidence.md", Render(s => EvidenceWriters.WriteMarkdown(demo.Pack, Lang.En, s))));

    private static int Run(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        exit.Should().Be(0, stderr.ToString());
        return exit;
    }

    private static Dictionary<string, byte[]> EvidenceFiles(string directory) =>
        System.IO.Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f)!, File.ReadAllBytes);
}
