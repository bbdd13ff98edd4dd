using AccessAnalyzer.Demo;
using AccessAnalyzer.Tests.Cli;

namespace AccessAnalyzer.Tests.Gate;

/// <summary>The gate's acceptance story on the demo: a region-wide grant to a partner group fails; reverting it passes.</summary>
public sealed class DemoGateTests : IDisposable
{
    private const string AsOf = "2026-11-23";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aa-demo-gate-" + Guid.NewGuid().ToString("N"));

    public DemoGateTests()
    {
        using var writer = new CsvCanonicalWriter(Path.Combine(_root, "roles"));
        DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, new DateOnly(2026, 11, 23)), [writer]);
    }

    private string Roles => Path.Combine(_root, "roles");

    private static string PolicyFile()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "AccessAnalyzer.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory.FullName, "src", "AccessAnalyzer.Cli", "policy.example.json");
    }

    [Fact]
    public void Should_fail_a_region_wide_partner_grant_against_the_baseline_and_pass_once_reverted()
    {
        var baseline = Path.Combine(_root, "baseline.json");
        var refused = AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", PolicyFile(), "--as-of", AsOf, "--write-baseline", baseline);
        refused.Exit.Should().Be(2, "the demo's partner grant and extractions are critical");
        refused.Err.Should().Contain("forbidden-scope-level 1").And.Contain("max-partner-sensitive-excess 3").And.Contain("usage-finding");
        AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", PolicyFile(), "--as-of", AsOf, "--write-baseline", baseline, "--accept-critical").Exit.Should().Be(0);
        var unjustified = AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", PolicyFile(), "--as-of", AsOf, "--baseline", baseline);
        unjustified.Exit.Should().Be(1, "the written baseline's placeholder reasons justify nothing");
        unjustified.Out.Should().Contain("FAIL baseline-unjustified Baseline entry 'forbidden-scope-level:assignment:AS00069' has the placeholder reason");

        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(baseline))!;
        foreach (var entry in document["entries"]!.AsArray())
        {
            entry!["reason"] = "Known since the 2026 audit; remediation tracked by the IAM team (owner: A. Durand).";
        }

        File.WriteAllText(baseline, document.ToJsonString());
        AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", PolicyFile(), "--as-of", AsOf, "--baseline", baseline).Exit.Should().Be(0);

        var assignments = Path.Combine(Roles, "assignments.csv");
        var original = File.ReadAllText(assignments);
        File.AppendAllText(assignments, "AS-NEW-1,regional-consultation,grp-partners-capemploi-R01,group,unit,R01,\n");
        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", PolicyFile(), "--as-of", AsOf, "--baseline", baseline);
        exit.Should().Be(1, error);
        output.ReplaceLineEndings(" ").Should().MatchRegex(
            (@"FAIL forbidden-scope-level Assignment 'AS-NEW-1' grants regional-consultation \(Regional file consultation\) on region 'R01' \(Region 01\) " +
             @"to group 'grp-partners-capemploi-R01': \d+ partner account\(s\) reach above agency level, [\d,]+ files beyond their caseload as if it were their only grant \([\d,]+ given every other grant\)\.")
            .Replace(" ", @"\s+", StringComparison.Ordinal));

        File.WriteAllText(assignments, original);
        AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", PolicyFile(), "--as-of", AsOf, "--baseline", baseline).Exit.Should().Be(0);
    }

    [Fact]
    public void Should_fail_the_change_itself_with_before_naming_assignment_group_and_excess_added()
    {
        var after = Path.Combine(_root, "after");
        Directory.CreateDirectory(after);
        foreach (var file in Directory.GetFiles(Roles))
        {
            File.Copy(file, Path.Combine(after, Path.GetFileName(file)));
        }

        File.AppendAllText(Path.Combine(after, "assignments.csv"), "AS-NEW-1,regional-consultation,grp-partners-capemploi-R01,group,unit,R01,\n");
        var policy = Path.Combine(_root, "change-policy.json");
        File.WriteAllText(policy, "{ \"version\": 1, \"maxExcessIncrease\": 0 }");
        var (exit, output, _) = AnalyzeCliTests.Run("gate", "--before", Roles, "--source", after, "--policy", policy, "--as-of", AsOf, "--format", "markdown");
        exit.Should().Be(1);
        output.Should().MatchRegex(@"assignment 'AS-NEW-1' \(regional-consultation \(Regional file consultation\) @ unit R01 \(Region 01, region\) for group grp-partners-capemploi-R01\) adds \+[\d,]+ \(grants [\d,]+ alone\)");

        var diff = AnalyzeCliTests.Run("diff", "--before", Roles, "--after", after, "--as-of", AsOf, "--format", "json");
        diff.Exit.Should().Be(0);
        using var json = System.Text.Json.JsonDocument.Parse(diff.Out);
        var added = json.RootElement.GetProperty("assignments").EnumerateArray().Single();
        added.GetProperty("change").GetString().Should().Be("added");
        added.GetProperty("holderId").GetString().Should().Be("grp-partners-capemploi-R01");
        var excessAdded = added.GetProperty("excessAdded").GetInt64();
        excessAdded.Should().BePositive();
        json.RootElement.GetProperty("totals").GetProperty("excessExposure").GetProperty("delta").GetInt64().Should().Be(excessAdded,
            "nothing else changed, so the grant's own excess is the whole change");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
