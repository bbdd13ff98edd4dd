using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Gate;

/// <summary>The diff of two sources: which accounts change, which assignments were added, removed, widened or narrowed, and by how much.</summary>
public sealed class DiffTests
{
    private static AgencyFixture Base() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1").Unit("A2", "R1")
        .Files("a", "A1", 3).Files("b", "A2", 5).Role("read")
        .Principal("P").Principal("Q").Group("G").Member("G", "P");

    private static DiffReport Diff(AgencyFixture before, AgencyFixture after) =>
        SnapshotDiff.Compute(Analysis.Run(before.Load(), new AnalysisOptions { AsOf = AgencyFixture.AsOf }), Analysis.Run(after.Load(), new AnalysisOptions { AsOf = AgencyFixture.AsOf }));

    [Fact]
    public void Should_classify_assignment_changes_and_measure_the_excess_each_adds()
    {
        using var before = Base().Assign("KEEP", "read", "Q", scopeUnit: "A1").Assign("GONE", "read", "P", scopeUnit: "A1")
            .Assign("WIDEN", "read", "G", "group", scopeUnit: "A1").Assign("NARROW", "read", "Q", scopeUnit: "R1");
        using var after = Base().Assign("KEEP", "read", "Q", scopeUnit: "A1")
            .Assign("WIDEN", "read", "G", "group", scopeUnit: "R1").Assign("NARROW", "read", "Q", scopeUnit: "A2")
            .Assign("NEW", "read", "P", scope: "caseload");
        var diff = Diff(before, after);
        diff.Assignments.Select(a => (a.AssignmentId, a.Kind, a.ExcessAdded)).Should().Equal(
            ("WIDEN", AssignmentChangeKind.Widened, 8L - 0),  // before, GONE also gave P A1, so WIDEN alone added nothing
            ("GONE", AssignmentChangeKind.Removed, 0L),       // overlapped by WIDEN before
            ("NARROW", AssignmentChangeKind.Changed, 5L - 5), // R1 → A2, but KEEP covers A1: alone it gave Q 5 files before and after
            ("NEW", AssignmentChangeKind.Added, 0L));         // caseload scope adds no excess
        diff.Principals.Select(p => (p.PrincipalId, p.ExcessBefore, p.ExcessAfter)).Should().Equal(("P", 3, 8));
        (diff.TotalsAfter.ExcessExposure - diff.TotalsBefore.ExcessExposure).Should().Be(5 + 0);
    }

    [Fact]
    public void Should_list_membership_changes_and_the_accounts_they_widen()
    {
        using var before = Base().Assign("X", "read", "G", "group", scopeUnit: "A2");
        using var after = Base().Assign("X", "read", "G", "group", scopeUnit: "A2").Member("G", "Q");
        var diff = Diff(before, after);
        diff.Memberships.Should().Equal(new MembershipChange("G", "Q", Core.Input.MemberType.Principal, true));
        diff.Assignments.Should().BeEmpty();
        diff.Principals.Select(p => (p.PrincipalId, p.ExcessDelta)).Should().Equal(("Q", 5));
    }

    [Fact]
    public void Should_report_nothing_for_identical_sources()
    {
        using var same = Base().Assign("X", "read", "G", "group", scopeUnit: "A2");
        var diff = Diff(same, same);
        diff.Principals.Should().BeEmpty();
        diff.Assignments.Should().BeEmpty();
        diff.Memberships.Should().BeEmpty();
    }
}
