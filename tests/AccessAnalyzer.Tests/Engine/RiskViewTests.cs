using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Engine;

/// <summary>Risk views: phishable exposure, dormancy by last login, and the account policy checks, at and around their thresholds.</summary>
public sealed class RiskViewTests
{
    private static AgencyFixture Base() => new AgencyFixture().Unit("NAT").Files("f", "NAT", 10).Role("read");

    [Theory]
    [InlineData("2026-04-01", false)] // exactly 90 days before 2026-06-30
    [InlineData("2026-03-31", true)]  // 91 days
    [InlineData("2026-06-30", false)]
    [InlineData("", false)]
    public void Should_treat_an_active_account_unused_for_longer_than_the_dormancy_period_as_dormant(string lastLogin, bool dormant)
    {
        using var f = Base().Principal("P", lastLogin: lastLogin).Assign("X", "read", "P", scopeUnit: "NAT");
        var report = f.Report(new ReportOptions { DormantAfterDays = 90 });
        report.Findings.Any(x => x.RuleId == FindingRules.DormantAccountWithReach).Should().Be(dormant);
        report.Totals.DormantAccountsWithReach.Should().Be(dormant ? 1 : 0);
    }

    [Fact]
    public void Should_not_flag_a_dormant_account_without_reach()
    {
        using var f = Base().Principal("P", active: false, lastLogin: "2020-01-01");
        f.Report().Findings.Should().NotContain(x => x.RuleId == FindingRules.DormantAccountWithReach);
    }

    [Fact]
    public void Should_sum_phishable_exposure_over_accounts_without_mfa_and_split_out_partners()
    {
        using var f = Base().Unit("A", "NAT").Files("a", "A", 5)
            .Principal("S", mfa: false).Assign("X1", "read", "S", scopeUnit: "A")
            .Principal("C", kind: "partner", mfa: false).Assign("X2", "read", "C", scopeUnit: "NAT")
            .Principal("M").Assign("X3", "read", "M", scopeUnit: "NAT");
        var totals = f.Report().Totals;
        totals.PhishableExposure.Should().Be(5 + 15);
        totals.PartnerPhishableExposure.Should().Be(15);
        totals.Exposure.Should().Be(5 + 15 + 15);
    }

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, false)]
    [InlineData(11, true)]
    [InlineData(50, true)]
    public void Should_flag_a_lockout_threshold_above_ten(int threshold, bool flagged)
    {
        using var f = Base().Principal("P").Policy("capemploi", threshold, mfaRequired: true);
        var findings = f.Report().Findings.Where(x => x.RuleId == FindingRules.LockoutThresholdTooHigh).ToList();
        findings.Should().HaveCount(flagged ? 1 : 0);
        if (flagged)
        {
            findings[0].SubjectIds.Should().Equal("capemploi");
            findings[0].Severity.Should().Be(Severity.High);
        }
    }

    [Fact]
    public void Should_flag_an_organisation_that_does_not_require_mfa()
    {
        using var f = Base().Principal("P").Policy("agency", 5, mfaRequired: true).Policy("capemploi", 5, mfaRequired: false);
        f.Report().Findings.Where(x => x.RuleId == FindingRules.MfaNotRequired).Select(x => x.SubjectIds.Single()).Should().Equal("capemploi");
    }

    [Fact]
    public void Should_reject_a_lockout_threshold_that_is_not_a_number()
    {
        using var f = Base().Principal("P");
        f.Row("principals", "Q", "staff", "agency", "", "Q", "true", "true", "");
        f.Policy("agency", 5, true).Row("account_policy", "other", "many", "true");
        var act = () => f.Load();
        act.Should().Throw<Core.Input.InputErrorException>().Which.Message.Should()
            .Be("account_policy.csv:3: lockout_threshold (column 2): 'many' is not a whole number");
    }
}
