using System.Text.Json;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Reports;

/// <summary>Role and unit names beside their ids, in every output people read and in the JSON fields next to the ids.</summary>
public sealed class NamesTests
{
    private const string AsOf = "2026-06-30";
    private static readonly AnalysisOptions Options = new() { AsOf = AgencyFixture.AsOf };

    /// <summary>NAT → R76 → (A1, A2 → A21); CONSULT_DOSSIER granted on R76 to a group whose caseload lies in A2 and A21.</summary>
    private static AgencyFixture Agency(string roleName = "Consultation dossier", string regionName = "Région Bretagne") => new AgencyFixture()
        .Unit("NAT", kind: "national", name: "Direction nationale").Unit("R76", "NAT", "region", regionName)
        .Unit("A1", "R76", name: "Agence Rennes").Unit("A2", "R76", name: "Agence Brest").Unit("A21", "A2", name: "Antenne Morlaix")
        .Files("a", "A1", 3).Files("b", "A2", 4).Files("c", "A21", 5)
        .Role("CONSULT_DOSSIER", name: roleName).Role("NONAME", name: "")
        .Principal("P", unit: "A2").Principal("Q", unit: "A21").Group("G").Member("G", "P").Member("G", "Q")
        .Assign("WIDE", "CONSULT_DOSSIER", "G", "group", scopeUnit: "R76")
        .Caseload("b1", "P").Caseload("c1", "Q");

    [Theory]
    [InlineData("R76", "Région Bretagne", "R76 (Région Bretagne)")]
    [InlineData("R76", "", "R76")]
    [InlineData("R76", "  ", "R76")]
    [InlineData("R76", null, "R76")]
    [InlineData("R76", "R76", "R76")]
    public void Should_put_the_name_beside_the_id_only_when_it_says_something(string id, string? name, string expected) =>
        Labels.Named(id, name).Should().Be(expected);

    [Fact]
    public void Should_name_roles_and_units_in_the_plan_items_alternatives_json_and_table()
    {
        using var f = Agency();
        var plan = RemediationPlanner.Plan(Analysis.Run(f.Load(), Options), new PlanOptions());
        var item = plan.Items.Should().ContainSingle().Subject;
        (item.RoleId, item.RoleName, item.ScopeUnitId, item.ScopeUnitName).Should().Be(("CONSULT_DOSSIER", "Consultation dossier", "R76", "Région Bretagne"));
        (item.Change, item.NewScopeUnitId, item.NewScopeUnitName).Should().Be((RemediationChange.NarrowToUnit, "A2", "Agence Brest"));
        item.Alternatives.Should().Contain(a => a.NewScopeUnitId == "A2" && a.NewScopeUnitName == "Agence Brest");
        item.Alternatives.Where(a => a.NewScopeUnitId is null).Should().OnlyContain(a => a.NewScopeUnitName == null);

        var directory = f.WriteCsv();
        var (exit, output, error) = AnalyzeCliTests.Run("plan", "--source", directory, "--as-of", AsOf, "--format", "json");
        exit.Should().Be(0, error);
        using var json = JsonDocument.Parse(output);
        var first = json.RootElement.GetProperty("items")[0];
        first.GetProperty("roleName").GetString().Should().Be("Consultation dossier");
        first.GetProperty("scopeUnitName").GetString().Should().Be("Région Bretagne");
        first.GetProperty("newScopeUnitName").GetString().Should().Be("Agence Brest");
        first.GetProperty("alternatives").EnumerateArray().Should().Contain(a => a.GetProperty("newScopeUnitName").ValueKind == JsonValueKind.Null);

        var table = AnalyzeCliTests.Run("plan", "--source", directory, "--as-of", AsOf).Out;
        // The table wraps long cells to its width: the ids line whole, then the names.
        table.Should().Contain("│ CONSULT_DOSSIER @ R76").And.Contain("│ Consultation dossier @ Région")
            .And.Contain("│ narrow to A2").And.Contain("│ Agence Brest");
    }

    [Fact]
    public void Should_name_roles_and_units_when_explaining_a_principal_a_unit_and_a_file()
    {
        using var f = Agency().File("f1", "A21");
        var directory = f.WriteCsv();
        var (exit, output, error) = AnalyzeCliTests.Run("explain", "--source", directory, "--as-of", AsOf, "--principal", "P", "--unit", "A2", "--format", "json");
        exit.Should().Be(0, error);
        using (var json = JsonDocument.Parse(output))
        {
            var root = json.RootElement;
            root.GetProperty("principal").GetProperty("unitName").GetString().Should().Be("Agence Brest");
            root.GetProperty("target").GetProperty("unitName").GetString().Should().Be("Agence Brest");
            var grant = root.GetProperty("grants")[0];
            grant.GetProperty("roleName").GetString().Should().Be("Consultation dossier");
            grant.GetProperty("scopeUnitName").GetString().Should().Be("Région Bretagne");
        }

        var text = AnalyzeCliTests.Run("explain", "--source", directory, "--as-of", AsOf, "--principal", "P", "--unit", "A2").Out;
        text.Should().Contain("P reaches unit A2 (Agence Brest).").And.Contain("CONSULT_DOSSIER @ R76").And.Contain("Consultation dossier @ Région Bretagne");

        var unit = AnalyzeCliTests.Run("explain", "--source", directory, "--as-of", AsOf, "--unit", "R76").Out;
        unit.Should().Contain("Who reaches unit R76 (Région Bretagne)").And.Contain("Consultation dossier @ Région Bretagne");
        using (var json = JsonDocument.Parse(AnalyzeCliTests.Run("explain", "--source", directory, "--as-of", AsOf, "--unit", "R76", "--format", "json").Out))
        {
            json.RootElement.GetProperty("target").GetProperty("unitName").GetString().Should().Be("Région Bretagne");
            var grant = json.RootElement.GetProperty("grants")[0];
            grant.GetProperty("roleName").GetString().Should().Be("Consultation dossier");
            grant.GetProperty("scopeUnitName").GetString().Should().Be("Région Bretagne");
        }

        var file = AnalyzeCliTests.Run("explain", "--source", directory, "--as-of", AsOf, "--file", "f1").Out;
        file.Should().Contain("Who reaches file f1 in unit A21 (Antenne Morlaix)");
        var principalFile = AnalyzeCliTests.Run("explain", "--source", directory, "--as-of", AsOf, "--principal", "Q", "--file", "f1").Out;
        principalFile.Should().Contain("Q reaches file f1 (unit A21 (Antenne Morlaix))");
    }

    [Fact]
    public void Should_name_the_home_unit_of_every_account_in_the_analyze_json()
    {
        using var f = Agency().Principal("NOWHERE");
        var (exit, output, error) = AnalyzeCliTests.Run("analyze", "--source", f.WriteCsv(), "--as-of", AsOf, "--format", "json");
        exit.Should().Be(0, error);
        using var json = JsonDocument.Parse(output);
        var principals = json.RootElement.GetProperty("principals").EnumerateArray()
            .ToDictionary(p => p.GetProperty("principalId").GetString()!, p => p.GetProperty("unitName"));
        principals["P"].GetString().Should().Be("Agence Brest");
        principals["NOWHERE"].ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void Should_name_roles_and_units_in_the_diff_and_the_gate_messages_without_changing_fingerprints()
    {
        using var before = Agency();
        using var after = Agency().Assign("NEW", "CONSULT_DOSSIER", "Q", scopeUnit: "NAT").Assign("BARE", "NONAME", "P", scopeUnit: "A1");
        var diff = SnapshotDiff.Compute(Analysis.Run(before.Load(), Options), Analysis.Run(after.Load(), Options));
        var added = diff.Assignments.Single(a => a.AssignmentId == "NEW");
        added.RoleName.Should().Be("Consultation dossier");
        added.After.Should().Be("CONSULT_DOSSIER (Consultation dossier) @ unit NAT (Direction nationale, national) for principal Q");
        diff.Assignments.Single(a => a.AssignmentId == "BARE").After.Should().Be("NONAME @ unit A1 (Agence Rennes, agency) for principal P",
            "a role without a name shows its id alone");

        var markdown = new StringWriter { NewLine = "\n" };
        DiffWriters.WriteMarkdown(diff, markdown);
        markdown.ToString().Should().Contain("CONSULT_DOSSIER (Consultation dossier) @ unit NAT (Direction nationale, national)");
        using var stream = new MemoryStream();
        DiffWriters.WriteJson(diff, stream, new ToolStamp("AccessAnalyzer", "test"));
        using var json = JsonDocument.Parse(stream.ToArray());
        json.RootElement.GetProperty("assignments").EnumerateArray().Should().Contain(a => a.GetProperty("roleName").GetString() == "Consultation dossier");

        var policy = AccessAnalyzer.Sources.Gate.GatePolicyParser.Parse("""{ "version": 1, "forbiddenScopes": [ { "organization": "agency", "maxLevel": "agency" } ] }""", "p.json");
        var outcome = GateEvaluator.Evaluate(Analysis.Run(after.Load(), Options), policy, null, null);
        var wide = outcome.Violations.Single(v => v.SubjectId == "WIDE");
        wide.Message.Should().StartWith("Assignment 'WIDE' grants CONSULT_DOSSIER (Consultation dossier) on region 'R76' (Région Bretagne) to group 'G':");
        wide.Fingerprint.Should().Be("forbidden-scope-level:assignment:WIDE");
    }

    [Fact]
    public void Should_not_see_a_renamed_role_or_unit_as_a_changed_assignment()
    {
        using var before = Agency();
        using var after = Agency(roleName: "Consultation des dossiers", regionName: "Bretagne");
        var diff = SnapshotDiff.Compute(Analysis.Run(before.Load(), Options), Analysis.Run(after.Load(), Options));
        diff.Assignments.Should().BeEmpty();
    }

    [Fact]
    public void Should_name_the_unit_in_the_usage_evidence_of_the_plan()
    {
        using var f = Agency().Event("P", "b1", "2026-06-01");
        var item = RemediationPlanner.Plan(Analysis.Run(f.Load(), Options), new PlanOptions()).Items.Should().ContainSingle().Subject;
        item.Usage!.Text.Should().Contain("in R76 (Région Bretagne)");
    }
}
