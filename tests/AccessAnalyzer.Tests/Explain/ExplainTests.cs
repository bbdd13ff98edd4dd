using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Explain;

/// <summary>Grant paths: all of them, each once, finite through cycles; and who reaches a unit or a file.</summary>
public sealed class ExplainTests
{
    private static readonly AnalysisOptions Options = new() { AsOf = AgencyFixture.AsOf };

    /// <summary>
    /// P ∈ A; A ∈ B and A ∈ C (a diamond closing on D); D ∈ E ∈ F ∈ D (a cycle); X1 and X2 both on unit U, held by D and
    /// by F; X3 held by P directly, on U too.
    /// </summary>
    private static AgencyFixture Diamond() => new AgencyFixture()
        .Unit("NAT").Unit("U", "NAT").Files("u", "U", 4).Files("n", "NAT", 1).Role("read")
        .Principal("P").Principal("Q")
        .Group("A").Group("B").Group("C").Group("D").Group("E").Group("F")
        .Member("A", "P").Member("B", "A", "group").Member("C", "A", "group").Member("D", "B", "group").Member("D", "C", "group")
        .Member("E", "D", "group").Member("F", "E", "group").Member("D", "F", "group")
        .Member("F", "Q")
        .Assign("X1", "read", "D", "group", scopeUnit: "U")
        .Assign("X2", "read", "F", "group", scopeUnit: "U")
        .Assign("X3", "read", "P", scopeUnit: "U");

    [Fact]
    public void Should_list_every_path_through_a_diamond_once_with_a_cycle_as_one_step()
    {
        using var f = Diamond();
        var e = AccessExplainer.ExplainPrincipal(Analysis.Run(f.Load(), Options), "P", "U", null);
        e.ReachesTarget.Should().BeTrue();
        var byId = e.Grants.ToDictionary(g => g.AssignmentId, g => g.Paths.Select(ExplainPaths.Text).ToList());
        byId.Keys.Should().BeEquivalentTo(["X1", "X2", "X3"]);
        byId["X3"].Should().Equal("P");
        // D, E and F contain each other: one component, written as its groups, whichever of them holds the grant.
        byId["X1"].Should().BeEquivalentTo(["P → A → B → D ⇄ E ⇄ F", "P → A → C → D ⇄ E ⇄ F"]);
        byId["X2"].Should().BeEquivalentTo(["P → A → B → D ⇄ E ⇄ F", "P → A → C → D ⇄ E ⇄ F"]);
        e.Grants.Should().OnlyContain(g => g.PathsOmitted == 0 && g.Paths.Count == g.Paths.Distinct(ExplainPaths.Comparer).Count());
    }

    [Fact]
    public void Should_enter_a_cycle_anywhere_and_still_stop()
    {
        using var f = Diamond();
        var e = AccessExplainer.ExplainPrincipal(Analysis.Run(f.Load(), Options), "Q", null, null);
        var byId = e.Grants.ToDictionary(g => g.AssignmentId, g => g.Paths.Select(ExplainPaths.Text).ToList());
        byId["X2"].Should().Equal("Q → D ⇄ E ⇄ F");
        byId["X1"].Should().Equal("Q → D ⇄ E ⇄ F");
        e.Principal.ReachableFiles.Should().Be(4);
    }

    [Fact]
    public void Should_list_every_assignment_with_its_status_and_files_when_no_target_is_given()
    {
        using var f = Diamond().Role("hr", fileAccess: false).Assign("X4", "hr", "P", scopeUnit: "NAT")
            .Assign("X5", "read", "A", "group", scopeUnit: "NAT", validUntil: "2026-01-01").Assign("X6", "read", "P", scope: "caseload").Caseload("u1", "P");
        var e = AccessExplainer.ExplainPrincipal(Analysis.Run(f.Load(), Options), "P", null, null);
        e.Grants.Select(g => g.AssignmentId).Should().Equal("X1", "X2", "X3", "X6", "X4", "X5");
        e.Grants.Single(g => g.AssignmentId == "X4").FilesGranted.Should().Be(0);
        e.Grants.Single(g => g.AssignmentId == "X5").InForce.Should().BeFalse();
        e.Grants.Single(g => g.AssignmentId == "X6").FilesGranted.Should().Be(1);
        e.Grants.Single(g => g.AssignmentId == "X1").FilesGranted.Should().Be(4);
    }

    [Fact]
    public void Should_say_who_reaches_a_unit_with_counts_by_kind_and_organisation()
    {
        using var f = Diamond().Principal("C1", kind: "partner", organization: "capemploi").Member("B", "C1").Principal("OUT");
        var e = AccessExplainer.ExplainUnit(Analysis.Run(f.Load(), Options), "U");
        e.Principals.Select(p => p.PrincipalId).Should().Equal("C1", "P", "Q");
        e.Principals.Single(p => p.PrincipalId == "P").Via.Should().Equal("X1", "X2", "X3");
        e.Principals.Single(p => p.PrincipalId == "C1").Via.Should().Equal("X1", "X2");
        e.ByKind.Should().Equal(new KeyValuePair<string, int>("staff", 2), new KeyValuePair<string, int>("partner", 1));
        e.ByOrganization.Should().Equal(new KeyValuePair<string, int>("agency", 2), new KeyValuePair<string, int>("capemploi", 1));
        e.Grants.Select(g => (g.AssignmentId, g.Holders)).Should().Equal(("X1", 3), ("X2", 3), ("X3", 1));
    }

    [Fact]
    public void Should_say_who_reaches_a_file_through_its_unit_a_caseload_grant_or_a_share()
    {
        using var f = new AgencyFixture().Unit("NAT").Unit("A", "NAT").Unit("B", "NAT").File("f1", "A").Role("read")
            .Principal("UNIT").Assign("X1", "read", "UNIT", scopeUnit: "A")
            .Principal("OWN").Assign("X2", "read", "OWN", scope: "caseload").Caseload("f1", "OWN")
            .Principal("NOGRANT").Caseload("f1", "NOGRANT")
            .Principal("SHARED").Share("f1", "SHARED").Principal("EXPIRED").Share("f1", "EXPIRED", "2020-01-01")
            .Principal("ELSEWHERE").Assign("X3", "read", "ELSEWHERE", scopeUnit: "B");
        var directory = f.WriteCsv();
        var facts = TestSources.Resolve(directory).FindFile("f1")!;
        facts.UnitId.Should().Be("A");
        facts.CaseloadPrincipalIds.Should().Equal("NOGRANT", "OWN");
        var e = AccessExplainer.ExplainFile(Analysis.Run(TestSources.Load(directory), Options), facts);
        e.Principals.Select(p => (p.PrincipalId, string.Join(';', p.Via))).Should().Equal(("OWN", "caseload"), ("SHARED", "share"), ("UNIT", "X1"));

        var sqlite = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));
        TestSources.Resolve(sqlite).FindFile("f1").Should().BeEquivalentTo(facts);
        TestSources.Resolve(sqlite).FindFile("nope").Should().BeNull();
        TestSources.Resolve(directory).FindFile("nope").Should().BeNull();
    }

    [Fact]
    public void Should_tell_whether_a_principal_reaches_a_file_and_how()
    {
        using var f = new AgencyFixture().Unit("NAT").Unit("A", "NAT").File("f1", "A").File("f2", "A").Role("read")
            .Principal("P").Assign("X1", "read", "P", scope: "caseload").Caseload("f1", "P").Share("f2", "P");
        var directory = f.WriteCsv();
        var snapshot = TestSources.Load(directory);
        var viaCaseload = AccessExplainer.ExplainPrincipal(Analysis.Run(snapshot, Options), "P", null, TestSources.Resolve(directory).FindFile("f1"));
        viaCaseload.ReachesTarget.Should().BeTrue();
        viaCaseload.TargetInCaseload.Should().BeTrue();
        viaCaseload.Grants.Select(g => g.AssignmentId).Should().Equal("X1");
        var viaShare = AccessExplainer.ExplainPrincipal(Analysis.Run(snapshot, Options), "P", null, TestSources.Resolve(directory).FindFile("f2"));
        viaShare.ReachesTarget.Should().BeTrue();
        viaShare.TargetSharedInForce.Should().BeTrue();
        viaShare.Grants.Should().BeEmpty();
    }

    [Fact]
    public void Should_reject_an_unknown_principal_or_unit()
    {
        using var f = Diamond();
        var snapshot = f.Load();
        var act = () => AccessExplainer.ExplainPrincipal(Analysis.Run(snapshot, Options), "NOBODY", null, null);
        act.Should().Throw<InputErrorException>().WithMessage("*principal 'NOBODY' not found*");
        var unit = () => AccessExplainer.ExplainUnit(Analysis.Run(snapshot, Options), "NOWHERE");
        unit.Should().Throw<InputErrorException>().WithMessage("*unit 'NOWHERE' not found*");
    }

    [Fact]
    public void Should_pseudonymize_the_file_id_on_request_and_never_echo_an_unknown_one()
    {
        using var f = new AgencyFixture().Unit("NAT").File("FR-1850775123456", "NAT").Role("read").Principal("P").Assign("X", "read", "P", scopeUnit: "NAT");
        var directory = f.WriteCsv();
        var (exit, output, error) = AnalyzeCliTests.Run("explain", "--source", directory, "--file", "FR-1850775123456", "--pseudonymize", "--format", "json", "--as-of", "2026-06-30");
        exit.Should().Be(0, error);
        output.Should().NotContain("FR-1850775123456").And.Contain("\"id\": \"pseudo-");

        var missing = AnalyzeCliTests.Run("explain", "--source", directory, "--file", "FR-0000000000000");
        missing.Exit.Should().Be(2);
        missing.Err.Should().Be("error: --file: no file with this id in the source" + Environment.NewLine);
    }

    [Theory]
    [InlineData("--unit", "U", "--file", "u1")]
    [InlineData("--format", "json")]
    public void Should_exit_2_on_a_question_that_makes_no_sense(params string[] extra)
    {
        using var f = Diamond();
        var (exit, output, error) = AnalyzeCliTests.Run(["explain", "--source", f.WriteCsv(), .. extra]);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().StartWith("error: ");
    }
}

internal static class ExplainPaths
{
    public static string Text(IReadOnlyList<string> path) => string.Join(" → ", path);

    public static readonly IEqualityComparer<IReadOnlyList<string>> Comparer =
        EqualityComparer<IReadOnlyList<string>>.Create((a, b) => a!.SequenceEqual(b!), p => Text(p).GetHashCode(StringComparison.Ordinal));
}
