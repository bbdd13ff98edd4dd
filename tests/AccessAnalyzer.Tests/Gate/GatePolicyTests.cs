using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Gate;

namespace AccessAnalyzer.Tests.Gate;

/// <summary>The policy file: the documented example parses; every mistake is a one-line error naming the JSON path.</summary>
public sealed class GatePolicyTests
{
    [Fact]
    public void Should_parse_the_documented_example_policy_with_its_comments()
    {
        var policy = GatePolicyParser.Parse(File.ReadAllText(Repository.ExamplePolicy), "policy.example.json");
        policy.MaxExcessPerPrincipal.Should().Be(new ThresholdRule(true, 20000, GateLevel.Error));
        policy.MaxReachToCaseloadRatio.Level.Should().Be(GateLevel.Warning);
        policy.RatioMinReach.Should().Be(1000);
        policy.ForbiddenScopes.Should().ContainSingle().Which.Should().Be(new ForbiddenScope(PrincipalKind.Partner, null, "agency", GateLevel.Error));
        policy.MaxLockoutThreshold.Threshold.Should().Be(10);
        policy.NoGroupCycles.Should().Be(GateLevel.Error);
        policy.DormantDays.Should().Be(90);
        policy.MaxExcessIncrease.Enabled.Should().BeTrue();
        policy.FailOnUsageFindings.Should().Equal("mass-read", "read-spike", "activity-from-dormant-account");
        policy.UnknownLevels.Should().Be(UnknownLevels.Error);
    }

    [Fact]
    public void Should_read_unknown_levels_as_error_unless_the_policy_says_highest()
    {
        GatePolicyParser.Parse("{ \"version\": 1 }", "p.json").UnknownLevels.Should().Be(UnknownLevels.Error);
        GatePolicyParser.Parse("{ \"version\": 1, \"unknownLevels\": \"error\" }", "p.json").UnknownLevels.Should().Be(UnknownLevels.Error);
        GatePolicyParser.Parse("{ \"version\": 1, \"unknownLevels\": \"highest\" }", "p.json").UnknownLevels.Should().Be(UnknownLevels.Highest);
    }

    [Fact]
    public void Should_leave_unnamed_rules_off()
    {
        var policy = GatePolicyParser.Parse("{ \"version\": 1 }", "p.json");
        policy.MaxExcessPerPrincipal.Enabled.Should().BeFalse();
        policy.NoGroupCycles.Should().BeNull();
        policy.ForbiddenScopes.Should().BeEmpty();
    }

    [Theory]
    [InlineData("{ \"version\": 1, \"maxExcesPerPrincipal\": 5 }", "p.json: $.maxExcesPerPrincipal: unknown rule 'maxExcesPerPrincipal' (see the policy schema)")]
    [InlineData("{ \"version\": 2 }", "p.json: $.version: unsupported policy version 2 (expected 1)")]
    [InlineData("{ \"version\": 1, \"maxExcessPerPrincipal\": -1 }", "p.json: $.maxExcessPerPrincipal: expected a whole number ≥ 0, found -1")]
    [InlineData("{ \"version\": 1, \"maxExcessPerPrincipal\": { \"level\": \"error\" } }", "p.json: $.maxExcessPerPrincipal: missing 'threshold'")]
    [InlineData("{ \"version\": 1, \"noGroupCycles\": { \"level\": \"fatal\" } }", "p.json: $.noGroupCycles.level: expected \"error\" or \"warning\"")]
    [InlineData("{ \"version\": 1, \"forbiddenScopes\": [ { \"principalKind\": \"partner\", \"maxLevel\": \"county\" } ] }", "p.json: $.forbiddenScopes[0].maxLevel: 'county' is not one of the levels (agency, department, region, national)")]
    [InlineData("{ \"version\": 1, \"forbiddenScopes\": [ { \"maxLevel\": \"agency\" } ] }", "p.json: $.forbiddenScopes[0]: needs 'principalKind' or 'organization'")]
    [InlineData("[1, 2]", "p.json: $: expected object, found array")]
    [InlineData("{ \"version\": 1, \"unknownLevels\": \"lowest\" }", "p.json: $.unknownLevels: expected \"error\" or \"highest\"")]
    [InlineData("{ \"version\": 1, \"failOnUsageFindings\": [\"mass-reads\"] }", "p.json: $.failOnUsageFindings[0]: 'mass-reads' is not a usage rule (activity-from-dormant-account, log-retention-too-short, mass-read, no-activity-logged, read-spike, reads-outside-caseload, sensitive-reads-outside-caseload)")]
    public void Should_reject_a_policy_mistake_naming_where_it_is(string json, string message)
    {
        var act = () => GatePolicyParser.Parse(json, "p.json");
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be(message);
    }

    [Fact]
    public void Should_name_the_line_of_invalid_json()
    {
        var act = () => GatePolicyParser.Parse("{\n  \"version\": 1,\n  \"noGroupCycles\": tru\n}", "p.json");
        act.Should().Throw<InputErrorException>().Which.Message.Should().StartWith("p.json:3:").And.Contain("not valid JSON");
    }
}
