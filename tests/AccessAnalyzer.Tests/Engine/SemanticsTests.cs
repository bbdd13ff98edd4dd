using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Engine;

/// <summary>One test per semantic rule of DESIGN.md, each on a small hand-built agency with hand-counted figures.</summary>
public sealed class SemanticsTests
{
    /// <summary>NAT → R1 → (A1, A2); R2 sibling of R1. Files: NAT 1, R1 2, A1 3, A2 4, R2 5.</summary>
    private static AgencyFixture Tree() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("R2", "NAT", "region")
        .Unit("A1", "R1").Unit("A2", "R1")
        .Files("n", "NAT", 1).Files("r", "R1", 2).Files("a", "A1", 3).Files("b", "A2", 4).Files("s", "R2", 5)
        .Role("read");

    [Fact]
    public void Should_reach_files_of_the_scope_unit_and_every_unit_below_it_only()
    {
        using var f = Tree().Principal("P").Assign("X", "read", "P", scopeUnit: "R1");
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(2 + 3 + 4, "R1 and its agencies, not NAT above nor R2 beside");
        e.ExcessFiles.Should().Be(9);
    }

    [Fact]
    public void Should_count_overlapping_scopes_once()
    {
        using var f = Tree().Principal("P")
            .Assign("X1", "read", "P", scopeUnit: "R1").Assign("X2", "read", "P", scopeUnit: "A1").Assign("X3", "read", "P", scopeUnit: "R1");
        f.Analyze().Of("P").ReachableFiles.Should().Be(9);
    }

    [Fact]
    public void Should_pass_reach_through_nested_groups_transitively()
    {
        using var f = Tree().Principal("P").Principal("Q")
            .Group("G1").Group("G2").Group("G3")
            .Member("G1", "P").Member("G2", "G1", "group").Member("G3", "G2", "group")
            .Member("G2", "Q")
            .Assign("X", "read", "G3", "group", scopeUnit: "A2");
        var result = f.Analyze();
        result.Of("P").ReachableFiles.Should().Be(4, "P ∈ G1 ⊂ G2 ⊂ G3, which holds A2");
        result.Of("Q").ReachableFiles.Should().Be(4);
    }

    [Fact]
    public void Should_give_every_member_of_a_cycle_every_group_of_it_and_report_the_cycle_once()
    {
        using var f = Tree().Principal("P").Principal("Q").Principal("S")
            .Group("G1").Group("G2").Group("G3").Group("SELF")
            .Member("G1", "G2", "group").Member("G2", "G3", "group").Member("G3", "G1", "group")
            .Member("SELF", "SELF", "group")
            .Member("G1", "P").Member("G3", "Q").Member("SELF", "S")
            .Assign("X", "read", "G2", "group", scopeUnit: "A1")
            .Assign("Y", "read", "SELF", "group", scopeUnit: "R2");
        var result = f.Analyze();
        result.Of("P").ReachableFiles.Should().Be(3);
        result.Of("Q").ReachableFiles.Should().Be(3);
        result.Of("S").ReachableFiles.Should().Be(5);
        result.Closure.Cycles.Should().HaveCount(2);

        var findings = ReportBuilder.Build(result, new ReportOptions()).Findings.Where(x => x.RuleId == FindingRules.GroupCycle).ToList();
        findings.Should().HaveCount(2);
        findings.Should().ContainSingle(x => x.SubjectIds.SequenceEqual(new[] { "G1", "G2", "G3" }));
        findings.Should().ContainSingle(x => x.SubjectIds.SequenceEqual(new[] { "SELF" }));
    }

    [Theory]
    [InlineData("2026-06-29", 0)]
    [InlineData("2026-06-30", 9)]
    [InlineData("2026-07-01", 9)]
    [InlineData("", 9)]
    public void Should_count_an_assignment_unless_valid_until_is_before_the_analysis_date(string validUntil, long expected)
    {
        using var f = Tree().Principal("P").Assign("X", "read", "P", scopeUnit: "R1", validUntil: validUntil);
        f.Analyze().Of("P").ReachableFiles.Should().Be(expected);
    }

    [Fact]
    public void Should_accept_a_date_time_in_valid_until_and_compare_the_day()
    {
        using var f = Tree().Principal("P").Assign("X", "read", "P", scopeUnit: "R1", validUntil: "2026-06-30T08:00:00+02:00");
        f.Analyze().Of("P").ReachableFiles.Should().Be(9);
    }

    [Fact]
    public void Should_grant_no_reach_through_a_role_without_file_access()
    {
        using var f = Tree().Role("hr", fileAccess: false).Principal("P").Assign("X", "hr", "P", scopeUnit: "NAT");
        f.Analyze().Of("P").ReachableFiles.Should().Be(0);
    }

    [Fact]
    public void Should_reach_exactly_the_own_caseload_through_a_caseload_scope_wherever_the_files_are()
    {
        using var f = Tree().Principal("P").Principal("Q")
            .Assign("X", "read", "P", scope: "caseload")
            .Caseload("a1", "P").Caseload("s1", "P").Caseload("s2", "Q");
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(2);
        e.CaseloadFiles.Should().Be(2);
        e.CaseloadInReach.Should().Be(2);
        e.ExcessFiles.Should().Be(0);
    }

    [Fact]
    public void Should_not_put_caseload_in_reach_without_a_grant()
    {
        using var f = Tree().Principal("P").Caseload("a1", "P").Caseload("s1", "P");
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(0);
        e.CaseloadFiles.Should().Be(2);
        e.CaseloadInReach.Should().Be(0);
        e.ExcessFiles.Should().Be(0);
    }

    [Fact]
    public void Should_define_excess_as_reach_minus_the_caseload_files_inside_reach()
    {
        using var f = Tree().Principal("P").Assign("X", "read", "P", scopeUnit: "A1")
            .Caseload("a1", "P").Caseload("a2", "P").Caseload("s1", "P"); // s1 is outside A1
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(3);
        e.CaseloadFiles.Should().Be(3);
        e.CaseloadInReach.Should().Be(2);
        e.ExcessFiles.Should().Be(1);
    }

    [Fact]
    public void Should_add_shares_in_force_to_reach_and_ignore_expired_ones()
    {
        using var f = Tree().Principal("P").Assign("X", "read", "P", scopeUnit: "A1")
            .Share("s1", "P").Share("s2", "P", "2026-06-30").Share("s3", "P", "2026-06-29")
            .Share("a1", "P") // already reached through A1: counts once
            .Share("s4", "P", "2020-01-01").Share("s4", "P"); // repeated pair: in force while any row is
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(3 + 3);
    }

    [Fact]
    public void Should_count_a_shared_caseload_file_as_caseload_in_reach()
    {
        using var f = Tree().Principal("P").Caseload("s1", "P").Caseload("s2", "P").Share("s1", "P");
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(1);
        e.CaseloadInReach.Should().Be(1);
        e.ExcessFiles.Should().Be(0);
    }

    [Fact]
    public void Should_count_a_shared_file_once_when_a_caseload_scope_already_reaches_it()
    {
        using var f = Tree().Principal("P").Assign("X", "read", "P", scope: "caseload").Caseload("s1", "P").Share("s1", "P");
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(1);
        e.CaseloadInReach.Should().Be(1);
    }

    [Fact]
    public void Should_keep_the_reach_of_inactive_accounts_and_flag_them()
    {
        using var f = Tree().Principal("P", active: false).Assign("X", "read", "P", scopeUnit: "A2");
        var report = f.Report();
        report.Principals.Single().ReachableFiles.Should().Be(4);
        report.Findings.Should().ContainSingle(x => x.RuleId == FindingRules.DormantAccountWithReach)
            .Which.SubjectIds.Should().Equal("P");
    }

    [Fact]
    public void Should_count_sensitive_excess_only_for_sensitive_files_reached_through_a_sensitive_role()
    {
        using var f = new AgencyFixture()
            .Unit("NAT", kind: "national").Unit("A1", "NAT").Unit("A2", "NAT")
            .Files("sa", "A1", 4, sensitive: true).Files("pa", "A1", 6)
            .Files("sb", "A2", 3, sensitive: true).Files("pb", "A2", 2)
            .Role("health", sensitive: true).Role("read")
            .Principal("P")
            .Assign("X", "health", "P", scopeUnit: "A1")   // sensitive role over A1: 4 sensitive, 1 of them in caseload
            .Assign("Y", "read", "P", scopeUnit: "A2")     // plain role over A2: its 3 sensitive files do not count
            .Share("sb1", "P")
            .Caseload("sa1", "P");
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(10 + 5);
        e.SensitiveExcessFiles.Should().Be(3);
    }

    [Fact]
    public void Should_report_closed_files_in_reach_on_their_own()
    {
        using var f = new AgencyFixture().Unit("A").Files("o", "A", 5).Files("c", "A", 2, closed: true).Files("cs", "A", 1, sensitive: true, closed: true)
            .Role("read").Principal("P").Assign("X", "read", "P", scopeUnit: "A");
        var e = f.Analyze().Of("P");
        e.ReachableFiles.Should().Be(8);
        e.ClosedFilesInReach.Should().Be(3);
    }

    [Fact]
    public void Should_treat_link_tables_as_sets()
    {
        using var f = Tree().Principal("P").Group("G")
            .Member("G", "P").Member("G", "P")
            .Assign("X", "read", "G", "group", scopeUnit: "A1")
            .Caseload("a1", "P").Caseload("a1", "P").Caseload("s1", "P").Caseload("s1", "P");
        var e = f.Analyze().Of("P");
        e.CaseloadFiles.Should().Be(2);
        e.CaseloadInReach.Should().Be(1);
        e.ExcessFiles.Should().Be(2);
    }

    [Fact]
    public void Should_report_and_count_every_dangling_reference_without_crashing()
    {
        using var f = Tree().Principal("P").Group("G")
            .Member("G", "P").Member("NOGROUP", "P").Member("G", "NOBODY").Member("G", "NOGROUP2", "group")
            .Member("NOGROUP", "P") // repeated dangling row counts once
            .Assign("X1", "norole", "P", scopeUnit: "A1")
            .Assign("X2", "read", "NOBODY", scopeUnit: "A1")
            .Assign("X3", "read", "P", scopeUnit: "NOUNIT")
            .Assign("X4", "read", "NOGROUP", "group", scopeUnit: "A1")
            .Caseload("nofile", "P").Caseload("a1", "NOBODY")
            .Share("nofile", "P").Share("a1", "NOBODY")
            .File("orphan", "NOUNIT2");
        var report = f.Report();
        var dangling = report.Findings.Where(x => x.RuleId == FindingRules.DanglingReference).ToList();
        dangling.Should().HaveCount(12);
        report.Totals.DanglingReferences.Should().Be(12);
        report.Principals.Single(p => p.PrincipalId == "P").ReachableFiles.Should().Be(0, "none of the dangling grants reaches anything");
        report.Totals.Files.Should().Be(16, "a file whose unit is missing still exists");
        dangling.Should().NotContain(x => x.Message.Contains("nofile", StringComparison.Ordinal), "file ids are beneficiary identifiers");
    }

    [Fact]
    public void Should_reach_a_file_whose_unit_is_missing_only_through_caseload_scope_or_share()
    {
        using var f = Tree().File("orphan", "GONE").File("orphan2", "GONE")
            .Principal("P").Assign("X", "read", "P", scopeUnit: "NAT").Assign("Y", "read", "P", scope: "caseload")
            .Caseload("orphan", "P")
            .Principal("Q").Assign("Z", "read", "Q", scopeUnit: "NAT").Share("orphan2", "Q");
        var result = f.Analyze();
        result.Of("P").ReachableFiles.Should().Be(15 + 1);
        result.Of("P").CaseloadInReach.Should().Be(1);
        result.Of("Q").ReachableFiles.Should().Be(15 + 1);
    }

    [Fact]
    public void Should_sum_totals_over_every_principal_even_when_top_limits_the_list()
    {
        using var f = Tree().Principal("P").Principal("Q").Principal("R")
            .Assign("X", "read", "P", scopeUnit: "R1").Assign("Y", "read", "Q", scopeUnit: "R2")
            .Caseload("a1", "P");
        var report = f.Report(new ReportOptions { Top = 1 });
        report.Principals.Should().ContainSingle().Which.PrincipalId.Should().Be("P");
        report.Totals.Principals.Should().Be(3);
        report.Totals.Exposure.Should().Be(9 + 5);
        report.Totals.ExcessExposure.Should().Be(8 + 5);
        report.Totals.PrincipalsWithExcess.Should().Be(2);
    }

    [Fact]
    public void Should_flag_partners_with_excess_and_accounts_without_mfa_above_the_threshold()
    {
        using var f = Tree()
            .Principal("PART", kind: "partner", organization: "capemploi").Assign("X", "read", "PART", scopeUnit: "R1")
            .Principal("NOMFA", mfa: false).Assign("Y", "read", "NOMFA", scopeUnit: "A1")
            .Principal("NOMFA0", mfa: false);
        var report = f.Report(new ReportOptions { NoMfaReachThreshold = 2 });
        report.Findings.Where(x => x.RuleId == FindingRules.PartnerExcess).Select(x => x.SubjectIds[0]).Should().Equal("PART");
        report.Findings.Where(x => x.RuleId == FindingRules.NoMfaWithReach).Select(x => x.SubjectIds[0]).Should().Equal("NOMFA");

        var stricter = f.Report(new ReportOptions { NoMfaReachThreshold = 3 });
        stricter.Findings.Should().NotContain(x => x.RuleId == FindingRules.NoMfaWithReach, "3 files is not above a threshold of 3");
    }

    [Fact]
    public void Should_sort_principals_worst_first_then_by_id()
    {
        using var f = Tree().Principal("B").Principal("A").Principal("C")
            .Assign("X", "read", "B", scopeUnit: "A1").Assign("Y", "read", "A", scopeUnit: "A1").Assign("Z", "read", "C", scopeUnit: "R1");
        f.Report().Principals.Select(p => p.PrincipalId).Should().Equal("C", "A", "B");
    }
}
