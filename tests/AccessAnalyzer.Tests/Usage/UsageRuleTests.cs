using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Usage;

/// <summary>Every usage rule on a hand-built case at, just below and just above its threshold.</summary>
public sealed class UsageRuleTests
{
    private static readonly DateOnly Day0 = new(2026, 1, 5);

    /// <summary>Staff S1..S5 of one agency reading a few files a day, the partner C1, the inactive Z; all reach files.</summary>
    private static AgencyFixture Agency() => new AgencyFixture()
        .Unit("NAT").Files("f", "NAT", 5).Role("read")
        .Principal("S1").Principal("S2").Principal("S3").Principal("S4").Principal("S5")
        .Principal("C1", kind: "partner", organization: "capemploi").Principal("Z", active: false)
        .Group("ALL").Member("ALL", "S1").Member("ALL", "S2").Member("ALL", "S3").Member("ALL", "S4").Member("ALL", "S5")
        .Member("ALL", "C1").Member("ALL", "Z").Assign("X", "read", "ALL", "group", scopeUnit: "NAT");

    private static PrincipalDay Day(string principal, int offset, long distinct, long outside = 0, long sensitiveOutside = 0) =>
        new(principal, Day0.AddDays(offset), distinct, distinct, outside, sensitiveOutside, sensitiveOutside);

    private static IReadOnlyList<Finding> Findings(IEnumerable<PrincipalDay> days, UsageOptions? options = null,
        IEnumerable<PrincipalActivity>? activity = null, DateOnly? first = null, DateOnly? last = null)
    {
        using var f = Agency();
        var snapshot = f.Load();
        var dayList = days.ToList();
        var principals = activity?.ToList() ?? [.. dayList.GroupBy(d => d.PrincipalId).Select(g => new PrincipalActivity(
            g.Key, g.Sum(d => d.Reads), g.Sum(d => d.DistinctFiles), g.Sum(d => d.DistinctOutsideCaseload),
            g.Sum(d => d.DistinctSensitiveOutsideCaseload), g.Min(d => d.Day), g.Max(d => d.Day)))];
        var usage = new UsageTables(PrincipalDayTable.FromRows(dayList), principals, [], dayList.Sum(d => d.Reads),
            first ?? new DateOnly(2025, 1, 1), last ?? new DateOnly(2026, 6, 30), 0, 0);
        var result = Analysis.Run(snapshot, new AnalysisOptions { AsOf = AgencyFixture.AsOf });
        var figures = ReportBuilder.AllFigures(result);
        return [.. UsageRules.Evaluate(result.AsOf, figures, UsageIndex.Build(snapshot, usage), options ?? new UsageOptions())];
    }

    /// <summary>Twenty working days of ordinary reading (10-14 files a day) for S1..S5 and C1.</summary>
    private static IEnumerable<PrincipalDay> Ordinary() =>
        from p in new[] { "S1", "S2", "S3", "S4", "S5", "C1" }
        from d in Enumerable.Range(0, 20)
        select Day(p, d, 10 + ((d + p[1]) % 5));

    private static List<string> Subjects(IEnumerable<Finding> findings, string rule) =>
        [.. findings.Where(f => f.RuleId == rule).Select(f => f.SubjectIds[0])];

    [Theory]
    [InlineData(1000, false)]
    [InlineData(1001, true)]
    public void Should_flag_a_mass_read_above_the_absolute_threshold_with_its_date(long distinct, bool flagged)
    {
        var findings = Findings(Ordinary().Append(Day("C1", 30, distinct)), new UsageOptions { MassReadThreshold = 1000 });
        Subjects(findings, UsageRules.MassRead).Should().Equal(flagged ? ["C1"] : []);
        if (flagged)
        {
            findings.Single(f => f.RuleId == UsageRules.MassRead).Message.Should().Contain("1,001 files on 2026-02-04");
        }
    }

    [Fact]
    public void Should_flag_a_slow_leak_by_the_relative_rule_and_not_the_absolute_one()
    {
        // S3 reads ~300 files a day for 8 days: far above its own median (~12) and its peers', far below 1,000.
        var leak = Enumerable.Range(21, 8).Select(d => Day("S3", d, 300 + d));
        var findings = Findings(Ordinary().Concat(leak));
        findings.Should().NotContain(f => f.RuleId == UsageRules.MassRead);
        var spike = findings.Should().ContainSingle(f => f.RuleId == UsageRules.ReadSpike).Subject;
        spike.SubjectIds.Should().Equal("S3");
        spike.Message.Should().Contain("on 8 day(s) from 2026-01-26 to 2026-02-02");
    }

    [Theory]
    [InlineData(99, false)]  // below the minimum daily volume for a spike
    [InlineData(100, true)]
    public void Should_not_call_a_small_day_a_spike(long distinct, bool flagged)
    {
        var findings = Findings(Ordinary().Append(Day("S2", 25, distinct)), new UsageOptions { SpikeMinFiles = 100 });
        Subjects(findings, UsageRules.ReadSpike).Should().Equal(flagged ? ["S2"] : []);
    }

    [Fact]
    public void Should_compare_a_spike_with_the_robust_bound_of_median_plus_k_scales()
    {
        // Peers and own history: median 12, MAD 1 → scale max(1.4826, 1.2, 1) = 1.4826; bound with k = 10: 26.8.
        var days = Enumerable.Range(0, 20).SelectMany(d => new[] { "S1", "S2", "S3", "S4", "S5" }.Select(p => Day(p, d, 11 + (d % 3)))).ToList();
        var options = new UsageOptions { SpikeMinFiles = 0, SpikeFactor = 10 };
        Subjects(Findings(days.Append(Day("S1", 30, 26)), options), UsageRules.ReadSpike).Should().BeEmpty();
        Subjects(Findings(days.Append(Day("S1", 30, 27)), options), UsageRules.ReadSpike).Should().Equal("S1");
    }

    [Theory]
    [InlineData(50, false)] // exactly half: not above
    [InlineData(51, true)]
    public void Should_flag_reads_mostly_outside_the_caseload(long outside, bool flagged)
    {
        var activity = new PrincipalActivity("S1", 100, 100, outside, 0, Day0, Day0.AddDays(5));
        var findings = Findings([], new UsageOptions { OutsideShareThreshold = 0.5, OutsideMinFiles = 20 }, [activity]);
        Subjects(findings, UsageRules.ReadsOutsideCaseload).Should().Equal(flagged ? ["S1"] : []);
    }

    [Theory]
    [InlineData(19, false)]
    [InlineData(20, true)]
    public void Should_ignore_a_high_share_of_very_few_reads(long outside, bool flagged)
    {
        var activity = new PrincipalActivity("S1", outside, outside, outside, 0, Day0, Day0);
        Subjects(Findings([], new UsageOptions { OutsideMinFiles = 20 }, [activity]), UsageRules.ReadsOutsideCaseload).Should().Equal(flagged ? ["S1"] : []);
    }

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, false)]
    [InlineData(11, true)]
    public void Should_flag_sensitive_reads_outside_the_caseload_above_the_threshold(long sensitive, bool flagged)
    {
        var activity = new PrincipalActivity("S1", 100, 100, 12, sensitive, Day0, Day0);
        Subjects(Findings([], new UsageOptions { SensitiveOutsideThreshold = 10 }, [activity]), UsageRules.SensitiveReadsOutsideCaseload)
            .Should().Equal(flagged ? ["S1"] : []);
    }

    [Fact]
    public void Should_flag_activity_from_an_inactive_account_only()
    {
        var findings = Findings([Day("Z", 1, 1), Day("S1", 1, 1)]);
        Subjects(findings, UsageRules.ActivityFromDormantAccount).Should().Equal("Z");
    }

    [Fact]
    public void Should_flag_active_accounts_with_reach_but_no_logged_access()
    {
        var findings = Findings(Ordinary().Where(d => d.PrincipalId != "S4"));
        Subjects(findings, UsageRules.NoActivityLogged).Should().Equal(new[] { "S4" }, "the inactive Z is not expected to log anything");
    }

    [Theory]
    [InlineData(182, true)]
    [InlineData(183, false)]
    [InlineData(184, false)]
    public void Should_flag_a_log_shorter_than_the_retention_period(int days, bool flagged)
    {
        var first = new DateOnly(2026, 1, 1);
        var findings = Findings(Ordinary(), new UsageOptions { RetentionDays = 183 }, first: first, last: first.AddDays(days - 1));
        findings.Any(f => f.RuleId == UsageRules.LogRetentionTooShort).Should().Be(flagged);
    }

    [Fact]
    public void Should_compute_median_and_the_robust_scale()
    {
        UsageRules.Median([5, 1, 3]).Should().Be(3);
        UsageRules.Median([4, 1, 3, 2]).Should().Be(2.5);
        UsageRules.Robust([10, 10, 10, 10]).Should().Be((10, 1));
        UsageRules.Robust([1, 2, 3, 4, 100]).Should().Be((3, 1.4826));
    }
}
