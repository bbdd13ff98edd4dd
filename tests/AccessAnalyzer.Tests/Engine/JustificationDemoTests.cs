using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Engine;

/// <summary>
/// The demo's justifications, end to end: the regional supervision grant and the statistics account are recorded
/// needs, so their reach beyond the caseload is justified rather than excess, the plan leaves the grant alone and says
/// so, explain shows the justification on the path, and the expired one is a finding that covers nothing.
/// </summary>
public sealed class JustificationDemoTests : IDisposable
{
    private static readonly DateOnly AsOf = new(2026, 11, 23);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aa-justified-" + Guid.NewGuid().ToString("N"));
    private readonly DemoSummary _summary;
    private readonly Analysis _analysis;

    public JustificationDemoTests()
    {
        using (var writer = new CsvCanonicalWriter(_directory))
        {
            _summary = DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, AsOf), [writer]);
        }

        _analysis = Analysis.Run(TestSources.Load(_directory), new AnalysisOptions { AsOf = AsOf });
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_justified_account_has_no_excess_and_all_its_reach_beyond_the_caseload_is_justified()
    {
        _analysis.Snapshot.TryGetPrincipal(_summary.JustifiedPrincipalId, out var p).Should().BeTrue();
        var e = _analysis.Principals[p];
        e.ReachableFiles.Should().BeGreaterThan(e.CaseloadInReach, "the statistics account reaches files it has no caseload for");
        e.JustifiedFiles.Should().Be(e.ReachableFiles - e.CaseloadInReach);
        e.ExcessFiles.Should().Be(0);
        e.SensitiveExcessFiles.Should().Be(0);
    }

    [Fact]
    public void The_plan_never_proposes_a_justified_grant_and_lists_it_apart()
    {
        var plan = RemediationPlanner.Plan(_analysis, new PlanOptions());
        plan.Items.Select(i => i.AssignmentId).Should().NotContain(_summary.JustifiedAssignmentId);
        _analysis.Snapshot.TryGetAssignment(_summary.JustifiedAssignmentId, out var a).Should().BeTrue();
        var leftAlone = plan.LeftAlone.Should().ContainSingle(j => j.SubjectId == _summary.JustifiedAssignmentId).Subject;
        leftAlone.SubjectType.Should().Be("assignment");
        leftAlone.ReachBeyondCaseload.Should().Be(_analysis.GrantedAlone(a).Excess).And.BeGreaterThan(0);
        plan.LeftAlone.Should().Contain(j => j.SubjectId == _summary.JustifiedPrincipalId && j.SubjectType == "principal");
        plan.LeftAlone.Should().NotContain(j => j.SubjectId == _summary.ExpiredJustificationAssignmentId, "an expired justification covers nothing");
    }

    [Fact]
    public void An_expired_justification_is_a_finding_and_justifies_nothing()
    {
        var report = ReportBuilder.Build(_analysis, new ReportOptions());
        report.Findings.Should().ContainSingle(f => f.RuleId == FindingRules.JustificationExpired)
            .Which.SubjectIds.Should().Equal(_summary.ExpiredJustificationAssignmentId);
        report.Coverage.Should().ContainSingle(c => c.Check == Coverage.Justifications).Which.Ran.Should().BeTrue();
        report.Totals.JustifiedFiles.Should().Be(report.Principals.Sum(x => x.JustifiedFiles)).And.BeGreaterThan(0);
    }

    [Fact]
    public void Explain_shows_the_justification_on_the_path_of_the_grant_and_of_the_account()
    {
        var holders = _analysis.HoldersOf(IndexOf(_summary.JustifiedAssignmentId));
        holders.Length.Should().BeGreaterThan(0);
        var explanation = AccessExplainer.ExplainPrincipal(_analysis, _analysis.Snapshot.Principals.Ids[holders[0]], unitId: null, file: null);
        var grant = explanation.Grants.Should().ContainSingle(g => g.AssignmentId == _summary.JustifiedAssignmentId).Subject;
        grant.Justifications.Should().ContainSingle().Which.InForce.Should().BeTrue();

        var account = AccessExplainer.ExplainPrincipal(_analysis, _summary.JustifiedPrincipalId, unitId: null, file: null);
        account.PrincipalJustifications.Should().ContainSingle().Which.SubjectType.Should().Be("principal");
    }

    private int IndexOf(string assignmentId)
    {
        _analysis.Snapshot.TryGetAssignment(assignmentId, out var a).Should().BeTrue();
        return a;
    }
}
