using System.Text.Json;
using System.Xml.Linq;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources.Gate;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Gate;

/// <summary>The gate end to end: rules at their thresholds, baselines, change rules, exit codes, SARIF and JUnit.</summary>
public sealed class GateTests
{
    private const string AsOf = "2026-06-30";

    /// <summary>NAT(national) → R1(region) → D1(department) → A1, A2(agency). Files: A1 10 (4 sensitive), A2 6.</summary>
    internal static AgencyFixture Agency() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("D1", "R1", "department").Unit("A1", "D1").Unit("A2", "D1")
        .Files("a", "A1", 6).Files("s", "A1", 4, sensitive: true).Files("b", "A2", 6)
        .Role("read").Role("health", sensitive: true)
        .Principal("ADV").Assign("X1", "read", "ADV", scope: "caseload").Caseload("a1", "ADV")
        .Principal("CAP", kind: "partner", organization: "capemploi").Group("G-CAP").Member("G-CAP", "CAP")
        .Assign("X2", "read", "G-CAP", "group", scope: "caseload").Caseload("a2", "CAP");

    internal static string Policy(string directory, string json)
    {
        var path = Path.Combine(directory, "policy.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static GateOutcome Evaluate(AgencyFixture f, string json, Baseline? baseline = null) =>
        GateEvaluator.Evaluate(Analysis.Run(f.Load(), new AnalysisOptions { AsOf = AgencyFixture.AsOf }), GatePolicyParser.Parse(json, "p.json"), null, baseline);

    [Theory]
    [InlineData(6, false)]
    [InlineData(5, true)]
    public void Should_fail_an_account_whose_excess_is_above_the_limit(long threshold, bool fails)
    {
        using var f = Agency().Assign("X3", "read", "ADV", scopeUnit: "A2"); // ADV: 6 files beyond its caseload
        var outcome = Evaluate(f, $"{{ \"version\": 1, \"maxExcessPerPrincipal\": {threshold} }}");
        outcome.Passed.Should().Be(!fails);
        outcome.Violations.Should().HaveCount(fails ? 1 : 0);
        if (fails)
        {
            var v = outcome.Violations[0];
            v.RuleId.Should().Be("max-excess-per-principal");
            v.Fingerprint.Should().Be("max-excess-per-principal:principal:ADV");
            v.Location!.DisplayName.Should().Be("principals.csv");
            v.Location.Line.Should().Be(2);
        }
    }

    [Fact]
    public void Should_fail_a_partner_grant_above_the_allowed_level_naming_assignment_group_and_excess()
    {
        using var f = Agency().Assign("WIDE", "health", "G-CAP", "group", scopeUnit: "D1");
        var outcome = Evaluate(f, "{ \"version\": 1, \"forbiddenScopes\": [ { \"principalKind\": \"partner\", \"maxLevel\": \"agency\" } ] }");
        outcome.Passed.Should().BeFalse();
        var v = outcome.Violations.Should().ContainSingle().Subject;
        v.Message.Should().Be("Assignment 'WIDE' grants health (Role health) on department 'D1' (Unit D1) to group 'G-CAP': 1 partner account(s) reach above agency level, 15 files beyond their caseload as if it were their only grant (15 given every other grant).");
        v.Location!.DisplayName.Should().Be("assignments.csv");
        v.Location.Line.Should().Be(4);

        using var allowed = Agency().Assign("OK", "health", "G-CAP", "group", scopeUnit: "A1");
        Evaluate(allowed, "{ \"version\": 1, \"forbiddenScopes\": [ { \"principalKind\": \"partner\", \"maxLevel\": \"agency\" } ] }").Passed.Should().BeTrue();
    }

    [Fact]
    public void Should_report_only_when_a_rule_is_a_warning()
    {
        using var f = Agency().Assign("X3", "read", "ADV", scopeUnit: "A2");
        var outcome = Evaluate(f, "{ \"version\": 1, \"maxExcessPerPrincipal\": { \"threshold\": 0, \"level\": \"warning\" } }");
        outcome.Violations.Should().ContainSingle();
        outcome.Passed.Should().BeTrue();
    }

    [Fact]
    public void Should_check_mfa_lockout_cycles_dangling_rows_dormancy_and_partner_sensitive_excess()
    {
        using var f = Agency().Assign("H", "health", "CAP", scopeUnit: "A1")
            .Principal("NOMFA", mfa: false).Assign("X4", "read", "NOMFA", scopeUnit: "A2")
            .Principal("OLD", active: false).Assign("X5", "read", "OLD", scopeUnit: "A2")
            .Group("L1").Group("L2").Member("L1", "L2", "group").Member("L2", "L1", "group")
            .Assign("X6", "read", "NOBODY", scopeUnit: "A1")
            .Policy("capemploi", 50, true).Policy("agency", 10, true);
        var outcome = Evaluate(f, """
            { "version": 1, "mfaRequiredAboveReach": 5, "maxLockoutThreshold": 10, "noGroupCycles": true,
              "noDanglingReferences": true, "noDormantAccountWithReach": true, "maxPartnerSensitiveExcess": 3 }
            """);
        outcome.Violations.Select(v => v.Fingerprint).Should().BeEquivalentTo([
            "mfa-required-above-reach:principal:NOMFA",
            "max-lockout-threshold:organization:capemploi",
            "no-group-cycles:group:L1+L2",
            "no-dangling-references:assignments:holder_id:NOBODY:X6",
            "no-dormant-account-with-reach:principal:OLD",
            "max-partner-sensitive-excess:principal:CAP",
        ]);
    }

    [Fact]
    public void Should_pass_a_known_finding_until_it_grows_or_its_justification_expires()
    {
        using var f = Agency().Assign("X3", "read", "ADV", scopeUnit: "A2");
        const string policy = "{ \"version\": 1, \"maxExcessPerPrincipal\": 0 }";
        var today = Evaluate(f, policy);
        var written = Baseline.From(today.Violations, AgencyFixture.AsOf, 30);
        written.Entries.Should().ContainSingle().Which.Value.Should().Be(6);
        Evaluate(f, policy, written).Passed.Should().BeFalse("a written baseline accepts nothing until its placeholder reason is replaced");
        var baseline = written with { Entries = [written.Entries[0] with { Reason = "Team lead covers A2 during the merger (owner: J. Martin)." }] };

        Evaluate(f, policy, baseline).Violations.Single().Status.Should().Be(ViolationStatus.Accepted);
        Evaluate(f, policy, baseline).Passed.Should().BeTrue();

        using var grown = Agency().Assign("X3", "read", "ADV", scopeUnit: "D1");
        var outcome = Evaluate(grown, policy, baseline);
        outcome.Violations.Single().Status.Should().Be(ViolationStatus.Grown);
        outcome.Passed.Should().BeFalse();

        var expired = baseline with { Entries = [baseline.Entries[0] with { Expires = AgencyFixture.AsOf.AddDays(-1) }] };
        Evaluate(f, policy, expired).Violations.Single().Status.Should().Be(ViolationStatus.Expired);

        var roundTrip = new MemoryStream();
        BaselineWriter.Write(baseline, roundTrip);
        BaselineFile.Parse(System.Text.Encoding.UTF8.GetString(roundTrip.ToArray()), "b.json").Entries.Should().Equal(baseline.Entries);
    }

    [Theory]
    [InlineData("\"reason\": \" \",")]
    [InlineData("\"reason\": null,")]
    [InlineData("")]
    public void Should_read_a_baseline_entry_without_a_reason_as_unjustified(string reason)
    {
        var baseline = BaselineFile.Parse($$"""{ "version": 1, "entries": [ { "id": "a:b:c", "ruleId": "a", "subject": "c", "value": 1, {{reason}} "expires": "2027-01-01" } ] }""", "b.json");
        baseline.Entries.Should().ContainSingle().Which.Justified.Should().BeFalse();
        baseline.Name.Should().Be("b.json");
    }

    [Theory]
    [InlineData("""{ "entries": [ { "id": "a:b:c", "ruleId": "a", "subject": "c", "value": 1, "reason": 3, "expires": "2027-01-01" } ] }""", "b.json: $.entries[0].reason: expected a string")]
    [InlineData("""{ "entries": [ 1 ] }""", "b.json: $.entries[0]: expected an object")]
    [InlineData("""{ "entries": [ { "id": "a:b:c", "ruleId": "a", "subject": "c", "value": "1", "reason": "r", "expires": "2027-01-01" } ] }""", "b.json: $.entries[0].value: expected a whole number ≥ 0")]
    [InlineData("""{ "entries": [ { "id": "a:b:c", "ruleId": "a", "subject": "c", "value": 1, "reason": "r", "expires": "2027-01-01" }, { "id": "a:b:c", "ruleId": "a", "subject": "c", "value": 2, "reason": "s", "expires": "2027-01-01" } ] }""", "b.json: $.entries[1].id: 'a:b:c' is already listed at $.entries[0]")]
    public void Should_reject_a_malformed_baseline_entry_naming_its_path(string json, string message)
    {
        var act = () => BaselineFile.Parse(json, "b.json");
        act.Should().Throw<Core.Input.InputErrorException>().Which.Message.Should().Be(message);
    }

    [Fact]
    public void Should_exit_1_on_a_broken_rule_and_0_when_every_rule_holds()
    {
        using var f = Agency().Assign("X3", "read", "ADV", scopeUnit: "A2");
        var directory = f.WriteCsv();
        var strict = Policy(directory, "{ \"version\": 1, \"maxExcessPerPrincipal\": 0 }");
        AnalyzeCliTests.Run("gate", "--source", directory, "--policy", strict, "--as-of", AsOf).Exit.Should().Be(1);
        var lenient = Policy(directory, "{ \"version\": 1, \"maxExcessPerPrincipal\": 100 }");
        var (exit, output, _) = AnalyzeCliTests.Run("gate", "--source", directory, "--policy", lenient, "--as-of", AsOf);
        exit.Should().Be(0);
        output.Should().Contain("PASSED");
    }

    [Theory]
    [InlineData("{ \"version\": 1, ")]
    [InlineData("{ \"version\": 1, \"noSuchRule\": true }")]
    [InlineData("")]
    public void Should_exit_2_on_a_corrupt_policy(string policy)
    {
        using var f = Agency();
        var directory = f.WriteCsv();
        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--source", directory, "--policy", Policy(directory, policy), "--as-of", AsOf);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().StartWith("error: policy.json");
        error.TrimEnd('\n').Split('\n').Should().ContainSingle();
    }

    [Fact]
    public void Should_exit_2_when_the_source_or_the_policy_is_missing()
    {
        using var f = Agency();
        var directory = f.WriteCsv();
        var policy = Policy(directory, "{ \"version\": 1 }");
        AnalyzeCliTests.Run("gate", "--source", Path.Combine(directory, "nope"), "--policy", policy).Exit.Should().Be(2);
        AnalyzeCliTests.Run("gate", "--source", directory, "--policy", Path.Combine(directory, "nope.json")).Exit.Should().Be(2);
        AnalyzeCliTests.Run("gate", "--source", directory, "--policy", policy, "--before", Path.Combine(directory, "nope")).Exit.Should().Be(2);
    }

    [Fact]
    public void Should_exit_2_when_a_rule_throws_never_0()
    {
        using var f = Agency();
        var directory = f.WriteCsv();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = AccessAnalyzer.Cli.CliApp.Run(["gate", "--source", directory, "--policy", Policy(directory, "{ \"version\": 1 }"), "--as-of", AsOf],
            stdout, stderr, [new ThrowingRule()]);
        exit.Should().Be(2);
        stdout.ToString().Should().BeEmpty();
        stderr.ToString().Should().Be("internal error: GateRuleException: rule 'always-throws' failed: InvalidOperationException: boom (please report this; no result was written)" + Environment.NewLine);
    }

    [Fact]
    public void Should_apply_change_rules_to_the_difference_with_before()
    {
        using var before = Agency();
        using var after = Agency().Assign("WIDE", "read", "G-CAP", "group", scopeUnit: "R1");
        var policyDir = before.WriteCsv();
        var policy = Policy(policyDir, "{ \"version\": 1, \"maxExcessIncrease\": 0 }");
        var (exit, output, _) = AnalyzeCliTests.Run("gate", "--before", policyDir, "--source", after.WriteCsv(), "--policy", policy, "--as-of", AsOf, "--format", "markdown");
        exit.Should().Be(1);
        output.Should().Contain("The change adds 15 files of excess exposure (limit 0): assignment 'WIDE' (read (Role read) @ unit R1 (Unit R1, region) for group G-CAP) adds +15 (grants 15 alone).");

        var same = AnalyzeCliTests.Run("gate", "--before", policyDir, "--source", policyDir, "--policy", policy, "--as-of", AsOf);
        same.Exit.Should().Be(0);
    }

    [Fact]
    public void Should_write_sarif_with_what_code_scanning_requires()
    {
        using var f = Agency().Assign("WIDE", "health", "G-CAP", "group", scopeUnit: "D1");
        var directory = f.WriteCsv();
        var policy = Policy(directory, "{ \"version\": 1, \"forbiddenScopes\": [ { \"principalKind\": \"partner\", \"maxLevel\": \"agency\" } ], \"maxExcessPerPrincipal\": 0 }");
        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--source", directory, "--policy", policy, "--as-of", AsOf, "--format", "sarif");
        exit.Should().Be(1, error);
        using var sarif = JsonDocument.Parse(output);
        var root = sarif.RootElement;
        root.GetProperty("version").GetString().Should().Be("2.1.0");
        root.GetProperty("$schema").GetString().Should().Contain("sarif-2.1.0");
        var run = root.GetProperty("runs")[0];
        var driver = run.GetProperty("tool").GetProperty("driver");
        driver.GetProperty("name").GetString().Should().Be("AccessAnalyzer");
        driver.GetProperty("version").GetString().Should().NotBeNullOrEmpty();
        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        rules.Select(r => r.GetProperty("id").GetString()).Should().BeEquivalentTo(["max-excess-per-principal", "forbidden-scope-level"]);
        rules.Should().OnlyContain(r => r.GetProperty("help").GetProperty("text").GetString()!.Length > 0);
        var results = run.GetProperty("results").EnumerateArray().ToList();
        results.Should().HaveCount(2);
        foreach (var result in results)
        {
            result.GetProperty("ruleId").GetString().Should().NotBeNullOrEmpty();
            result.GetProperty("level").GetString().Should().Be("error");
            result.GetProperty("message").GetProperty("text").GetString().Should().EndWith(".");
            var physical = result.GetProperty("locations")[0].GetProperty("physicalLocation");
            physical.GetProperty("artifactLocation").GetProperty("uri").GetString().Should().EndWith(".csv");
            physical.GetProperty("region").GetProperty("startLine").GetInt32().Should().BePositive();
        }

        var wide = results.Single(r => r.GetProperty("ruleId").GetString() == "forbidden-scope-level");
        wide.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32().Should().Be(4);
    }

    [Fact]
    public void Should_write_junit_with_one_test_case_per_rule_and_failures_listing_the_offenders()
    {
        using var f = Agency().Assign("X3", "read", "ADV", scopeUnit: "A2");
        var directory = f.WriteCsv();
        var policy = Policy(directory, "{ \"version\": 1, \"maxExcessPerPrincipal\": 0, \"noGroupCycles\": true }");
        var (exit, output, _) = AnalyzeCliTests.Run("gate", "--source", directory, "--policy", policy, "--as-of", AsOf, "--format", "junit");
        exit.Should().Be(1);
        var xml = XDocument.Parse(output);
        var cases = xml.Descendants("testcase").Where(c => (string?)c.Attribute("classname") == "accessanalyzer.gate").ToList();
        cases.Select(c => (string?)c.Attribute("name")).Should().Equal("max-excess-per-principal", "no-group-cycles");
        cases[0].Element("failure")!.Value.Should().Contain("'ADV'");
        cases[1].Element("failure").Should().BeNull();
        ((string?)xml.Root!.Attribute("failures")).Should().Be("1");

        // The checks the fixture's inputs did not allow are skipped test cases, each saying why.
        var skipped = xml.Descendants("testcase").Where(c => (string?)c.Attribute("classname") == "accessanalyzer.coverage").ToList();
        skipped.Select(c => (string?)c.Attribute("name")).Should().Equal("access-log", "account-policy", "last-login", "shares", "justifications");
        ((string?)skipped[0].Element("skipped")!.Attribute("message")).Should().StartWith("Not checked: access_events is absent");
        ((string?)xml.Root!.Attribute("skipped")).Should().Be("5");
        ((string?)xml.Root!.Attribute("tests")).Should().Be("7");
    }

    [Fact]
    public void Should_fail_on_the_usage_findings_the_policy_names()
    {
        using var f = Agency().Files("m", "A2", 0);
        for (var i = 1; i <= 6; i++)
        {
            f.Event("CAP", $"a{i}", "2026-06-01T10:00:00Z").Event("CAP", $"b{i}", "2026-06-01T10:05:00Z");
        }

        const string policy = "{ \"version\": 1, \"failOnUsageFindings\": [\"mass-read\"] }";
        var result = GateEvaluator.Evaluate(Analysis.Run(f.Load(), new AnalysisOptions { AsOf = AgencyFixture.AsOf }), GatePolicyParser.Parse(policy, "p.json"), null, null);
        result.Passed.Should().BeTrue("12 files in a day is below the default mass-read threshold");

        using var g = Agency();
        for (var i = 0; i < 1001; i++)
        {
            g.File($"x{i}", "A2").Event("CAP", $"x{i}", "2026-06-02");
        }

        var outcome = GateEvaluator.Evaluate(Analysis.Run(g.Load(), new AnalysisOptions { AsOf = AgencyFixture.AsOf }), GatePolicyParser.Parse(policy, "p.json"), null, null);
        outcome.Passed.Should().BeFalse();
        outcome.Violations.Should().ContainSingle().Which.Message.Should().StartWith("mass-read: Account 'CAP' (partner, capemploi) read 1,001 files on 2026-06-02");
    }

    private const string PartnerAtAgency = "\"forbiddenScopes\": [ { \"principalKind\": \"partner\", \"maxLevel\": \"agency\" } ]";

    /// <summary>Agencies named in French: AGENCE is no level of the default policy, whose lowest level is agency.</summary>
    private static AgencyFixture Agences() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1", "AGENCE").Unit("A2", "R1", "AGENCE")
        .Unit("A3", "R1", "Agency")
        .Files("a", "A1", 6).Files("b", "A2", 4).Files("c", "A3", 2)
        .Role("read")
        .Principal("CAP", kind: "partner", organization: "capemploi").Assign("X1", "read", "CAP", scopeUnit: "A1").Caseload("a1", "CAP");

    [Fact]
    public void Should_refuse_unit_kinds_the_policy_levels_do_not_name_with_exit_2_and_one_line()
    {
        using var f = Agences();
        var directory = f.WriteCsv();
        var policy = Policy(directory, $"{{ \"version\": 1, {PartnerAtAgency} }}");
        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--source", directory, "--policy", policy, "--as-of", AsOf);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.TrimEnd('\n').Should().NotContain("\n").And.Be(
            "error: org_units.csv: kind: unit kind 'AGENCE' (2 units) is not among the gate policy's levels (agency, department, region, national): " +
            "name them in \"levels\", or set \"unknownLevels\": \"highest\" to treat them as above every level");
    }

    [Fact]
    public void Should_treat_unknown_unit_kinds_as_above_every_level_when_the_policy_says_highest()
    {
        using var f = Agences();
        var outcome = Evaluate(f, $"{{ \"version\": 1, \"unknownLevels\": \"highest\", {PartnerAtAgency} }}");
        outcome.Passed.Should().BeFalse();
        outcome.Violations.Should().ContainSingle().Which.Message.Should().Be(
            "Assignment 'X1' grants read (Role read) on AGENCE 'A1' (Unit A1) (a kind the policy's levels do not name: above them all) to principal 'CAP': " +
            "1 partner account(s) reach above agency level, 5 files beyond their caseload as if it were their only grant (5 given every other grant).");
    }

    [Fact]
    public void Should_pass_a_grant_at_a_level_the_policy_names_in_another_case_or_when_no_scope_is_forbidden()
    {
        using var f = Agences();
        var levels = "\"levels\": [\"agence\", \"agency\", \"region\", \"national\"]";
        Evaluate(f, $"{{ \"version\": 1, {levels}, {PartnerAtAgency} }}").Passed.Should().BeTrue("kinds match levels in any case: AGENCE is agence, Agency is agency");
        Evaluate(f, "{ \"version\": 1, \"maxExcessPerPrincipal\": 100 }").Passed.Should().BeTrue("levels matter only to forbidden scopes");
    }

    [Fact]
    public void Should_report_the_checks_that_did_not_run_in_the_gate_outcome()
    {
        using var f = Agency();
        var outcome = Evaluate(f, "{ \"version\": 1, \"maxExcessPerPrincipal\": 100 }");
        outcome.Coverage.Where(c => !c.Ran).Select(c => c.Check).Should().Equal("access-log", "account-policy", "last-login", "shares", "justifications");
        outcome.Rules.Should().NotContain(r => r.Id == "required-input-missing", "no rule of this policy reads an optional table");
    }

    [Fact]
    public void Should_keep_required_input_missing_at_warning_when_every_rule_it_disables_is_a_warning()
    {
        using var f = Agency();
        var outcome = Evaluate(f, "{ \"version\": 1, \"maxLockoutThreshold\": { \"threshold\": 10, \"level\": \"warning\" } }");
        var v = outcome.Violations.Should().ContainSingle().Subject;
        v.RuleId.Should().Be("required-input-missing");
        v.Level.Should().Be(GateLevel.Warning);
        v.Fingerprint.Should().Be("required-input-missing:table:account_policy");
        outcome.Passed.Should().BeTrue();

        Evaluate(f, "{ \"version\": 1, \"maxLockoutThreshold\": 10 }").Passed.Should().BeFalse();
    }

    private sealed class ThrowingRule : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => new("always-throws", "AlwaysThrows", GateLevel.Error, "Throws.", "None.");

        public IEnumerable<GateViolation> Evaluate(GateContext context) => throw new InvalidOperationException("boom");
    }
}
