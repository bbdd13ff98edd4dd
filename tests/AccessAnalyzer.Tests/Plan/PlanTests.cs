using System.Text;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Csv;
using AccessAnalyzer.Tests.Fixtures;
using AccessAnalyzer.Tests.Reference;

namespace AccessAnalyzer.Tests.Plan;

/// <summary>The remediation plan: the change chosen for each assignment, its exact effect, and the cumulative column.</summary>
public sealed class PlanTests
{
    private static readonly AnalysisOptions Options = new() { AsOf = AgencyFixture.AsOf };

    /// <summary>NAT → R1 → (A1, A2 → A21). Files: NAT 1, R1 2, A1 3, A2 4, A21 5.</summary>
    private static AgencyFixture Tree() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1").Unit("A2", "R1").Unit("A21", "A2")
        .Files("n", "NAT", 1).Files("r", "R1", 2).Files("a", "A1", 3).Files("b", "A2", 4).Files("c", "A21", 5)
        .Role("read").Role("health", sensitive: true);

    [Fact]
    public void Should_propose_removal_when_no_holder_loses_a_caseload_file()
    {
        using var f = Tree().Principal("P").Principal("Q").Group("G").Member("G", "P").Member("G", "Q")
            .Assign("WIDE", "read", "G", "group", scopeUnit: "R1")
            .Assign("OWN", "read", "P", scope: "caseload").Caseload("a1", "P");
        var plan = RemediationPlanner.Plan(Analysis.Run(f.Load(), Options), new PlanOptions());
        var item = plan.Items.Should().ContainSingle().Subject;
        item.AssignmentId.Should().Be("WIDE");
        item.Change.Should().Be(RemediationChange.Remove);
        item.Holders.Should().Be(2);
        item.ExcessRemoved.Should().Be((14 - 1) + 14, "P keeps a1 through its caseload grant");
        item.CumulativeExcessRemoved.Should().Be(27);
        plan.Totals.ExcessExposureBefore.Should().Be(27);
        plan.Totals.ExcessExposureAfter.Should().Be(0);
    }

    [Fact]
    public void Should_narrow_to_the_lowest_unit_covering_the_holders_caseload_when_removal_would_cut_it()
    {
        using var f = Tree().Principal("P").Principal("Q").Group("G").Member("G", "P").Member("G", "Q")
            .Assign("WIDE", "health", "G", "group", scopeUnit: "R1")
            .Caseload("b1", "P").Caseload("c1", "Q");
        var item = RemediationPlanner.Plan(Analysis.Run(f.Load(), Options), new PlanOptions()).Items.Should().ContainSingle().Subject;
        item.Change.Should().Be(RemediationChange.NarrowToUnit);
        item.NewScopeUnitId.Should().Be("A2", "b1 is in A2 and c1 in A21: A2 is the lowest unit holding both");
        item.ExcessRemoved.Should().Be(2 * (14 - 9), "each loses R1 and A1 (2 + 3 files)");
        item.Alternatives.Should().Contain(a => a.Change == RemediationChange.Remove && a.CaseloadFilesLost == 2);
        item.Alternatives.Should().Contain(a => a.Change == RemediationChange.NarrowToCaseload && a.ExcessRemoved == 2 * 13);
    }

    [Fact]
    public void Should_narrow_to_caseload_when_the_caseload_spans_the_whole_scope()
    {
        using var f = Tree().Principal("P").Assign("WIDE", "read", "P", scopeUnit: "R1")
            .Caseload("a1", "P").Caseload("c1", "P");
        var item = RemediationPlanner.Plan(Analysis.Run(f.Load(), Options), new PlanOptions()).Items.Should().ContainSingle().Subject;
        item.Change.Should().Be(RemediationChange.NarrowToCaseload);
        item.NewScopeUnitId.Should().BeNull();
        item.ExcessRemoved.Should().Be(14 - 2);
    }

    [Fact]
    public void Should_credit_an_assignment_only_with_the_excess_no_other_grant_covers()
    {
        using var f = Tree().Principal("P").Assign("X1", "read", "P", scopeUnit: "R1").Assign("X2", "read", "P", scopeUnit: "A2");
        var plan = RemediationPlanner.Plan(Analysis.Run(f.Load(), Options), new PlanOptions());
        var item = plan.Items.Should().ContainSingle("removing X2 alone changes nothing: X1 covers A2, so it is not proposed").Subject;
        item.AssignmentId.Should().Be("X1");
        item.ExcessRemoved.Should().Be(2 + 3, "alone, removing X1 leaves A2 and A21 reached through X2");
        item.CumulativeExcessRemoved.Should().Be(5);
        plan.Totals.ExcessExposureAfter.Should().Be(9);
    }

    [Fact]
    public void Should_rank_a_group_assignment_that_hits_many_accounts_above_a_wider_personal_one()
    {
        using var f = Tree().Group("G").Principal("S").Assign("PERSONAL", "read", "S", scopeUnit: "NAT");
        for (var i = 1; i <= 3; i++)
        {
            f.Principal($"P{i}").Member("G", $"P{i}");
        }

        f.Assign("TEAM", "read", "G", "group", scopeUnit: "A2");
        RemediationPlanner.Plan(Analysis.Run(f.Load(), Options), new PlanOptions()).Items.Select(i => i.AssignmentId).Should().Equal("TEAM", "PERSONAL");
    }

    [Fact]
    public void Should_match_a_full_reanalysis_of_the_demo_with_the_top_ten_changes_applied()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aa-plan-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var asOf = new DateOnly(2026, 11, 23);
            using (var writer = new CsvCanonicalWriter(directory))
            {
                DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, asOf), [writer]);
            }

            var options = new AnalysisOptions { AsOf = asOf };
            var plan = RemediationPlanner.Plan(Analysis.Run(TestSources.Load(directory), options), new PlanOptions { Top = 10 });
            plan.Items.Should().HaveCount(10);
            plan.Items.Take(3).Select(i => i.AssignmentId).Should().Contain(["AS00070", "AS00069"],
                "the national consultation through nested groups and the region-wide partner grant are the planted failures");
            AssertCumulativeMatchesReanalysis(directory, plan, options);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 60)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_match_a_full_reanalysis_on_random_datasets(int seed)
    {
        var dataset = RandomDataset.Create(seed);
        var directory = Path.Combine(Path.GetTempPath(), $"aa-plan-{seed}-" + Guid.NewGuid().ToString("N"));
        try
        {
            dataset.WriteCsv(directory);
            var options = new AnalysisOptions { AsOf = dataset.AsOf };
            var analysis = Analysis.Run(TestSources.Load(directory), options);
            var plan = RemediationPlanner.Plan(analysis, new PlanOptions());
            AssertCumulativeMatchesReanalysis(directory, plan, options);

            // A justification in force names a grant or its role: the plan never proposes changing that grant.
            var inForce = (dataset.Justifications ?? [])
                .Where(j => string.CompareOrdinal(j.Expires, RandomDataset.Date(dataset.AsOf)) >= 0).ToList();
            var roleOf = dataset.Assignments.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First().RoleId, StringComparer.Ordinal);
            plan.Items.Should().NotContain(i => inForce.Any(j =>
                (j.SubjectType == "assignment" && j.SubjectId == i.AssignmentId) || (j.SubjectType == "role" && j.SubjectId == roleOf[i.AssignmentId])));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Applies the first k changes to assignments.csv itself (delete the row, or rewrite its scope), re-runs the whole
    /// analysis from the files, and checks the plan's cumulative figures for every k.
    /// </summary>
    private static void AssertCumulativeMatchesReanalysis(string directory, RemediationPlan plan, AnalysisOptions options)
    {
        var path = Path.Combine(directory, "assignments.csv");
        var original = File.ReadAllBytes(path);
        var before = ReportBuilder.Build(Analysis.Run(TestSources.Load(directory), options), new ReportOptions()).Totals;
        (plan.Totals.ExposureBefore, plan.Totals.ExcessExposureBefore, plan.Totals.SensitiveExcessExposureBefore)
            .Should().Be((before.Exposure, before.ExcessExposure, before.SensitiveExcessExposure));
        var last = before;
        for (var k = 1; k <= plan.Items.Count; k++)
        {
            File.WriteAllBytes(path, original);
            Rewrite(path, plan.Items.Take(k).ToList());
            var after = ReportBuilder.Build(Analysis.Run(TestSources.Load(directory), options), new ReportOptions()).Totals;
            var item = plan.Items[k - 1];
            (before.ExcessExposure - after.ExcessExposure).Should().Be(item.CumulativeExcessRemoved, $"after the first {k} changes");
            (before.SensitiveExcessExposure - after.SensitiveExcessExposure).Should().Be(item.CumulativeSensitiveExcessRemoved, $"after the first {k} changes");
            last = after;
        }

        // After every change, or none when the plan is empty (a quarter of the random seeds): the plan's totals are the reanalysis'.
        (plan.Totals.ExposureAfter, plan.Totals.ExcessExposureAfter, plan.Totals.SensitiveExcessExposureAfter)
            .Should().Be((last.Exposure, last.ExcessExposure, last.SensitiveExcessExposure));
    }

    private static void Rewrite(string path, IReadOnlyList<PlanItem> changes)
    {
        var byId = changes.ToDictionary(c => c.AssignmentId, StringComparer.Ordinal);
        var text = new StringBuilder();
        using (var reader = new CsvReader(path, "assignments.csv"))
        {
            reader.Read().Should().BeTrue();
            var header = reader.Fields.ToArray();
            int id = Array.IndexOf(header, "id"), scope = Array.IndexOf(header, "scope"), unit = Array.IndexOf(header, "scope_unit_id");
            text.Append(string.Join(',', header.Select(AgencyFixture.Quote))).Append('\n');
            while (reader.Read())
            {
                var fields = reader.Fields.ToArray();
                if (byId.TryGetValue(fields[id], out var change))
                {
                    switch (change.Change)
                    {
                        case RemediationChange.Remove:
                            continue;
                        case RemediationChange.NarrowToCaseload:
                            fields[scope] = "caseload";
                            fields[unit] = string.Empty;
                            break;
                        case RemediationChange.NarrowToUnit:
                            fields[unit] = change.NewScopeUnitId!;
                            break;
                    }
                }

                text.Append(string.Join(',', fields.Select(AgencyFixture.Quote))).Append('\n');
            }
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }
}
