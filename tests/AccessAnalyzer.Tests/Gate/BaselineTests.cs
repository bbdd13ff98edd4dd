using System.Text.Json;
using System.Text.Json.Nodes;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Sources.Gate;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Gate;

/// <summary>
/// Baselines with teeth: an entry without a real reason fails the gate, writing one refuses critical findings unless
/// asked, says what it wrote, updates a previous baseline, and the human outputs fold what it accepts.
/// </summary>
public sealed class BaselineTests
{
    private const string AsOf = "2026-06-30";
    private const string Reason = "Covers A2 during the merger; owner J. Martin (IAM team).";

    /// <summary>ADV (staff) reaches A2 beyond its caseload; CAP (partner) gets health on D1, above agency level.</summary>
    private static AgencyFixture Agency() => GateTests.Agency()
        .Assign("X3", "read", "ADV", scopeUnit: "A2")
        .Assign("WIDE", "health", "G-CAP", "group", scopeUnit: "D1");

    /// <summary>The gate as a user runs it on a source and a policy, at the fixture's date.</summary>
    private static (int Exit, string Out, string Err) Gate(string directory, string policy, params string[] more) =>
        AnalyzeCliTests.Run(["gate", "--source", directory, "--policy", policy, "--as-of", AsOf, .. more]);

    /// <summary>Gives every entry of the baseline the same reason, as a reviewer filling in the file would.</summary>
    private static void SetReasons(string baseline, JsonNode document, string reason)
    {
        foreach (var entry in document["entries"]!.AsArray())
        {
            entry!["reason"] = reason;
        }

        File.WriteAllText(baseline, document.ToJsonString());
    }

    private const string StaffPolicy = """{ "version": 1, "maxExcessPerPrincipal": 0 }""";

    private const string FullPolicy = """
        { "version": 1, "maxExcessPerPrincipal": 0, "forbiddenScopes": [ { "principalKind": "partner", "maxLevel": "agency" } ],
          "maxReachToCaseloadRatio": { "threshold": 1, "level": "warning" } }
        """;

    private static GateOutcome Evaluate(AgencyFixture f, string policy, Baseline? baseline = null) =>
        GateEvaluator.Evaluate(Analysis.Run(f.Load(), new AnalysisOptions { AsOf = AgencyFixture.AsOf }), GatePolicyParser.Parse(policy, "p.json"), null, baseline);

    private static Baseline Justify(Baseline baseline, string reason = Reason) =>
        baseline with { Entries = [.. baseline.Entries.Select(e => e with { Reason = reason })] };

    [Fact]
    public void Should_fail_once_per_entry_that_accepts_a_failing_finding_with_the_placeholder_or_no_reason()
    {
        using var f = Agency();
        var today = Evaluate(f, FullPolicy);
        var written = Baseline.From(today.Violations, AgencyFixture.AsOf, 30);
        written.Entries.Should().OnlyContain(e => e.Reason == Baseline.DefaultReason && !e.Justified);

        var outcome = Evaluate(f, FullPolicy, written);
        outcome.Passed.Should().BeFalse();
        outcome.Rules.Should().Contain(r => r.Id == Baseline.UnjustifiedRuleId);
        var unjustified = outcome.Violations.Where(v => v.RuleId == Baseline.UnjustifiedRuleId).ToList();
        var failingEntries = today.Violations.Where(v => v.Level == GateLevel.Error).Select(v => v.Fingerprint).ToList();
        unjustified.Select(v => v.SubjectId).Should().BeEquivalentTo(failingEntries, "warnings accept nothing that would fail, so they need no reason");
        unjustified.Should().OnlyContain(v => v.Fails && v.Level == GateLevel.Error);
        unjustified.Should().Contain(v => v.Message ==
            "Baseline entry 'max-excess-per-principal:principal:ADV' has the placeholder reason: write why the finding is accepted and who owns it.");
        unjustified[0].Location!.DisplayName.Should().Be("baseline");
        outcome.Violations.Where(v => v.RuleId != Baseline.UnjustifiedRuleId).Should().OnlyContain(v => v.Status == ViolationStatus.Accepted);

        var empty = written with { Entries = [.. written.Entries.Select(e => e with { Reason = "  " })] };
        Evaluate(f, FullPolicy, empty).Violations.Should().Contain(v =>
            v.Message == "Baseline entry 'max-excess-per-principal:principal:ADV' has no reason: write why the finding is accepted and who owns it.");

        var justified = Evaluate(f, FullPolicy, Justify(written));
        justified.Passed.Should().BeTrue();
        justified.Violations.Should().NotContain(v => v.RuleId == Baseline.UnjustifiedRuleId);
    }

    [Fact]
    public void Should_leave_an_unjustified_entry_alone_when_it_matches_no_current_finding()
    {
        using var f = Agency();
        var stale = new Baseline([new BaselineEntry("max-excess-per-principal:principal:GONE", "max-excess-per-principal", "GONE", 1, "", new DateOnly(2027, 1, 1))]);
        var outcome = Evaluate(f, """{ "version": 1, "noGroupCycles": true }""", stale);
        outcome.Passed.Should().BeTrue();
        outcome.Violations.Should().BeEmpty();
    }

    [Fact]
    public void Should_mark_partner_sensitive_partner_scope_and_usage_violations_critical()
    {
        GateRules.CriticalityOf("max-partner-sensitive-excess").Should().Be(GateCriticality.Always);
        GateRules.CriticalityOf("usage-finding").Should().Be(GateCriticality.Always);
        GateRules.CriticalityOf("forbidden-scope-level").Should().Be(GateCriticality.WhenPartnersReached);
        GateRules.CriticalityOf("max-excess-per-principal").Should().Be(GateCriticality.WhenPartnersReached);
        GateRules.CriticalityOf("no-group-cycles").Should().Be(GateCriticality.None);

        using var f = Agency().Assign("STAFF", "read", "ADV", scopeUnit: "R1");
        var outcome = Evaluate(f, """
            { "version": 1, "maxExcessPerPrincipal": 0, "maxPartnerSensitiveExcess": 0,
              "forbiddenScopes": [ { "principalKind": "partner", "maxLevel": "agency" }, { "organization": "agency", "maxLevel": "department" } ] }
            """);
        var critical = outcome.Violations.Where(v => v.Critical).Select(v => v.Fingerprint);
        critical.Should().BeEquivalentTo([
            "forbidden-scope-level:assignment:WIDE",
            "max-partner-sensitive-excess:principal:CAP",
            "max-excess-per-principal:principal:CAP",
        ]);
        outcome.Violations.Select(v => v.Fingerprint).Should().Contain(["forbidden-scope-level:assignment:STAFF", "max-excess-per-principal:principal:ADV"],
            "staff findings are reported, not critical");
    }

    [Fact]
    public void Should_mark_usage_findings_critical()
    {
        using var f = GateTests.Agency();
        for (var i = 0; i < 1001; i++)
        {
            f.File($"x{i}", "A2").Event("ADV", $"x{i}", "2026-06-02");
        }

        var outcome = Evaluate(f, """{ "version": 1, "failOnUsageFindings": ["mass-read"] }""");
        outcome.Violations.Should().ContainSingle().Which.Critical.Should().BeTrue("a staff account's mass read is critical too");
    }

    [Fact]
    public void Should_update_a_baseline_keeping_reasons_renewing_grown_and_expired_entries_and_dropping_stale_ones()
    {
        using var f = Agency().Principal("OTHER").Assign("X4", "read", "OTHER", scopeUnit: "A1");
        var today = Evaluate(f, StaffPolicy);
        today.Violations.Select(v => v.Fingerprint).Should().BeEquivalentTo([
            "max-excess-per-principal:principal:ADV", "max-excess-per-principal:principal:CAP", "max-excess-per-principal:principal:OTHER"]);
        var asOf = AgencyFixture.AsOf;
        var adv = today.Violations.Single(v => v.SubjectId == "ADV");
        var cap = today.Violations.Single(v => v.SubjectId == "CAP");
        var previous = new Baseline([
            new("max-excess-per-principal:principal:ADV", "max-excess-per-principal", "ADV", adv.Value + 5, Reason, asOf.AddDays(10)),
            new("max-excess-per-principal:principal:CAP", "max-excess-per-principal", "CAP", cap.Value - 1, "Old reason.", asOf.AddDays(10)),
            new("max-excess-per-principal:principal:GONE", "max-excess-per-principal", "GONE", 3, "Left in March.", asOf.AddDays(10)),
        ])
        { Name = "old.json" };

        var draft = Baseline.Draft(previous, Evaluate(f, StaffPolicy, previous).Violations, asOf, 90);

        var entries = draft.Baseline.Entries.ToDictionary(e => e.Subject);
        entries.Keys.Should().BeEquivalentTo(["ADV", "CAP", "OTHER"]);
        entries["ADV"].Should().Be(previous.Entries[0] with { Value = adv.Value }, "kept with its reason and expiry, its value tightened to today's");
        entries["CAP"].Should().Be(new BaselineEntry("max-excess-per-principal:principal:CAP", "max-excess-per-principal", "CAP", cap.Value, Baseline.DefaultReason, asOf.AddDays(90)),
            "it grew: the old reason no longer covers it");
        entries["OTHER"].Reason.Should().Be(Baseline.DefaultReason);
        draft.Entries.Select(e => (e.Entry.Subject, e.Kept)).Should().BeEquivalentTo([("ADV", true), ("CAP", false), ("OTHER", false)]);
        draft.Renewed.Select(e => e.Subject).Should().Equal("CAP");
        draft.Dropped.Select(e => e.Subject).Should().Equal("GONE");
        draft.CriticalUnjustified.Select(e => e.Entry.Subject).Should().Equal("CAP");
        draft.ToJustify.Select(e => e.Entry.Subject).Should().BeEquivalentTo(["CAP", "OTHER"]);

        var expired = previous with { Entries = [previous.Entries[0] with { Expires = asOf.AddDays(-1) }] };
        var renewed = Baseline.Draft(expired, today.Violations, asOf, 90).Baseline.Entries.Single(e => e.Subject == "ADV");
        renewed.Reason.Should().Be(Baseline.DefaultReason);
        renewed.Expires.Should().Be(asOf.AddDays(90));
    }

    [Fact]
    public void Should_refuse_to_write_a_baseline_accepting_critical_findings_unless_asked()
    {
        using var f = Agency();
        var directory = f.WriteCsv();
        var policy = GateTests.Policy(directory, FullPolicy);
        var baseline = Path.Combine(directory, "baseline.json");

        var (exit, output, error) = Gate(directory, policy, "--write-baseline", baseline);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be("error: --write-baseline: 2 finding(s) to accept are critical (forbidden-scope-level 1, max-excess-per-principal 1); " +
            "fix them, or pass --accept-critical to accept them knowingly" + Environment.NewLine);
        File.Exists(baseline).Should().BeFalse("nothing is written when the baseline is refused");

        (exit, output, error) = Gate(directory, policy, "--write-baseline", baseline, "--accept-critical");
        exit.Should().Be(0, error);
        error.Should().BeEmpty();
        output.Should().Be(
            $"Baseline written to {baseline}: 5 entries, 2 critical.\n" +
            "  forbidden-scope-level          1  (1 critical)\n" +
            "  max-excess-per-principal       2  (1 critical)\n" +
            "  max-reach-caseload-ratio       2\n" +
            "5 new entries are accepted until 2026-09-28, with a placeholder reason.\n" +
            "Next: write the reason and owner of 3 entries accepting a failing finding; until then the gate fails (baseline-unjustified).\n");
        using var written = JsonDocument.Parse(File.ReadAllText(baseline));
        written.RootElement.GetProperty("entries").GetArrayLength().Should().Be(5);

        Gate(directory, policy, "--accept-critical").Exit.Should().Be(2,
            "--accept-critical means nothing without --write-baseline");
    }

    [Fact]
    public void Should_write_the_gate_report_only_to_output_when_writing_a_baseline()
    {
        using var f = Agency();
        var directory = f.WriteCsv();
        var policy = GateTests.Policy(directory, StaffPolicy);
        var report = Path.Combine(directory, "gate.sarif");
        var (exit, output, error) = Gate(directory, policy, "--write-baseline", Path.Combine(directory, "b.json"), "--accept-critical", "--format", "sarif", "--output", report);
        exit.Should().Be(0, error);
        output.Should().StartWith("Baseline written to ");
        using var sarif = JsonDocument.Parse(File.ReadAllText(report));
        sarif.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength().Should().Be(2);
    }

    [Fact]
    public void Should_fail_with_exit_1_on_a_written_baseline_until_its_reasons_are_filled_in()
    {
        using var f = Agency();
        var directory = f.WriteCsv();
        var policy = GateTests.Policy(directory, StaffPolicy);
        var baseline = Path.Combine(directory, "baseline.json");
        Gate(directory, policy, "--write-baseline", baseline, "--accept-critical").Exit.Should().Be(0);

        var (exit, output, error) = Gate(directory, policy, "--baseline", baseline);
        exit.Should().Be(1, error);
        output.Should().Contain("FAIL baseline-unjustified Baseline entry 'max-excess-per-principal:principal:ADV' has the placeholder reason");

        var document = JsonNode.Parse(File.ReadAllText(baseline))!;
        SetReasons(baseline, document, "");
        (exit, output, error) = Gate(directory, policy, "--baseline", baseline, "--format", "sarif");
        exit.Should().Be(1, "an empty reason reads fine and fails the gate: " + error);
        error.Should().BeEmpty();
        using (var sarif = JsonDocument.Parse(output))
        {
            var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
            var unjustified = results.Where(r => r.GetProperty("ruleId").GetString() == Baseline.UnjustifiedRuleId).ToList();
            unjustified.Should().HaveCount(2);
            unjustified.Should().OnlyContain(r => r.GetProperty("level").GetString() == "error");
            unjustified[0].GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()
                .Should().EndWith("baseline.json");
        }

        SetReasons(baseline, document, Reason);
        Gate(directory, policy, "--baseline", baseline).Exit.Should().Be(0);
    }

    [Fact]
    public void Should_update_the_baseline_file_with_baseline_and_write_baseline_together()
    {
        using var f = Agency();
        var directory = f.WriteCsv();
        var policy = GateTests.Policy(directory, StaffPolicy);
        var baseline = Path.Combine(directory, "baseline.json");
        Gate(directory, policy, "--write-baseline", baseline, "--accept-critical").Exit.Should().Be(0);
        var document = JsonNode.Parse(File.ReadAllText(baseline))!;
        var entries = document["entries"]!.AsArray();
        entries.Select(e => (string?)e!["subject"]).Should().Equal("ADV", "CAP");
        entries[0]!["reason"] = Reason;
        entries[0]!["expires"] = "2026-12-31";
        entries.Add(new JsonObject
        {
            ["id"] = "max-excess-per-principal:principal:GONE",
            ["ruleId"] = "max-excess-per-principal",
            ["subject"] = "GONE",
            ["value"] = 1,
            ["reason"] = "Left in March.",
            ["expires"] = "2026-12-31",
        });
        File.WriteAllText(baseline, document.ToJsonString());

        var (exit, output, error) = Gate(directory, policy, "--baseline", baseline, "--write-baseline", baseline);
        exit.Should().Be(2, "CAP's entry is critical and still has the placeholder");
        error.Should().StartWith("error: --write-baseline: 1 finding(s) to accept are critical (max-excess-per-principal 1)");
        (exit, output, error) = Gate(directory, policy, "--baseline", baseline, "--write-baseline", baseline, "--accept-critical");
        exit.Should().Be(0, error);
        output.Should().Contain("Updated: 2 kept with their reason and expiry, 0 added, 0 renewed (grown or expired), 1 dropped (no longer found).\n");
        output.Should().Contain("Next: write the reason and owner of 1 entry accepting a failing finding;");
        var updated = BaselineFile.Parse(File.ReadAllText(baseline), "baseline.json");
        updated.Entries.Select(e => (e.Subject, e.Reason, e.Expires)).Should().Equal(
            ("ADV", Reason, new DateOnly(2026, 12, 31)),
            ("CAP", Baseline.DefaultReason, new DateOnly(2026, 9, 28)));
    }

    [Fact]
    public void Should_fold_accepted_findings_into_one_line_per_rule_in_text_and_markdown_unless_asked()
    {
        using var f = Agency().Principal("OTHER").Assign("X4", "read", "OTHER", scopeUnit: "A1");
        var directory = f.WriteCsv();
        var policy = GateTests.Policy(directory, StaffPolicy);
        var baseline = Path.Combine(directory, "baseline.json");
        Gate(directory, policy, "--write-baseline", baseline, "--accept-critical").Exit.Should().Be(0);
        var document = JsonNode.Parse(File.ReadAllText(baseline))!;
        var entries = document["entries"]!.AsArray();
        foreach (var entry in entries)
        {
            entry!["reason"] = Reason;
        }

        entries.RemoveAt(entries.Count - 1); // OTHER becomes new
        File.WriteAllText(baseline, document.ToJsonString());

        var (exit, text, _) = Gate(directory, policy, "--baseline", baseline);
        exit.Should().Be(1);
        // The fixture has no access log or account policy: the "Not checked" block (its own test) is left out here.
        var lines = text.TrimEnd('\n').Split('\n').Where(l => l.Length > 0 && !l.StartsWith(' ') && l != "Not checked").ToArray();
        lines.Should().HaveCount(4);
        lines[1].Should().Be("FAILED: 1 failing finding(s) under 2 rules checked (2 accepted by the baseline).");
        lines[2].Should().StartWith("FAIL max-excess-per-principal Account 'OTHER'");
        lines[3].Should().Be("accepted max-excess-per-principal 2 findings accepted by the baseline (--show-accepted lists them)");

        var all = Gate(directory, policy, "--baseline", baseline, "--show-accepted").Out;
        all.Should().Contain("accepted max-excess-per-principal Account 'ADV'").And.Contain("accepted max-excess-per-principal Account 'CAP'")
            .And.NotContain("--show-accepted lists them");

        var markdown = Gate(directory, policy, "--baseline", baseline, "--format", "markdown").Out;
        markdown.Should().Contain("1 failing, 0 reported only, 2 accepted by the baseline.")
            .And.Contain("| ☑️ | `max-excess-per-principal` | 2 findings accepted by the baseline (`--show-accepted` lists them) | accepted |\n")
            .And.NotContain("Account 'ADV'");
        var fullMarkdown = Gate(directory, policy, "--baseline", baseline, "--format", "markdown", "--show-accepted").Out;
        fullMarkdown.Should().Contain("Account 'ADV'").And.NotContain("lists them");

        var junit = Gate(directory, policy, "--baseline", baseline, "--format", "junit").Out;
        junit.Should().Contain("[accepted] Account 'ADV'", "JUnit keeps every finding");
        using var sarif = JsonDocument.Parse(Gate(directory, policy, "--baseline", baseline, "--format", "sarif").Out);
        var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        results.Should().HaveCount(3, "SARIF keeps every finding");
        results.Count(r => r.TryGetProperty("suppressions", out _)).Should().Be(2);
    }
}
