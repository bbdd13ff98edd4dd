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

    [Fact]
    public void Should_fail_a_region_wide_partner_grant_against_the_baseline_and_pass_once_reverted()
    {
        var baseline = Path.Combine(_root, "baseline.json");
        var refused = AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", Repository.ExamplePolicy, "--as-of", AsOf, "--write-baseline", baseline);
        refused.Exit.Should().Be(2, "the demo's partner grant and extractions are critical");
        refused.Err.Should().Contain("forbidden-scope-level 1").And.Contain("max-partner-sensitive-excess 3").And.Contain("usage-finding");
        AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", Repository.ExamplePolicy, "--as-of", AsOf, "--write-baseline", baseline, "--accept-critical").Exit.Should().Be(0);
        var unjustified = AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", Repository.ExamplePolicy, "--as-of", AsOf, "--baseline", baseline);
        unjustified.Exit.Should().Be(1, "the written baseline's placeholder reasons justify nothing");
        unjustified.Out.Should().Contain("FAIL baseline-unjustified Baseline entry 'forbidden-scope-level:assignment:AS00069' has the placeholder reason");

        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(baseline))!;
        foreach (var entry in document["entries"]!.AsArray())
        {
            entry!["reason"] = "Known since the 2026 audit; remediation tracked by the IAM team (owner: A. Durand).";
        }

        File.WriteAllText(baseline, document.ToJsonString());
        AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", Repository.ExamplePolicy, "--as-of", AsOf, "--baseline", baseline).Exit.Should().Be(0);

        var assignments = Path.Combine(Roles, "assignments.csv");
        var original = File.ReadAllText(assignments);
        File.AppendAllText(assignments, "AS-NEW-1,regional-consultation,grp-partners-capemploi-R01,group,unit,R01,\n");
        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", Repository.ExamplePolicy, "--as-of", AsOf, "--baseline", baseline);
        exit.Should().Be(1, error);
        output.ReplaceLineEndings(" ").Should().MatchRegex(
            (@"FAIL forbidden-scope-level Assignment 'AS-NEW-1' grants regional-consultation \(Regional file consultation\) on region 'R01' \(Region 01\) " +
             @"to group 'grp-partners-capemploi-R01': \d+ partner account\(s\) reach above agency level, [\d,]+ files beyond their caseload as if it were their only grant \([\d,]+ given every other grant\)\.")
            .Replace(" ", @"\s+", StringComparison.Ordinal));

        File.WriteAllText(assignments, original);
        AnalyzeCliTests.Run("gate", "--source", Roles, "--policy", Repository.ExamplePolicy, "--as-of", AsOf, "--baseline", baseline).Exit.Should().Be(0);
    }

    [Fact]
    public void Should_name_every_widening_grant_however_they_overlap_and_account_for_the_whole_increase()
    {
        // One change: re-enable the expired national partner grant, widen an agency grant to its department, and add a
        // region-wide grant for a partner group already covered by the national one (so it adds nothing given the rest).
        var after = CopyOfRoles("overlap");
        var assignments = Path.Combine(after, "assignments.csv");
        var original = File.ReadAllText(assignments);
        var changed = original
            .Replace("AS00077,national-consultation,grp-partners-capemploi,group,unit,NAT,2026-05-07", "AS00077,national-consultation,grp-partners-capemploi,group,unit,NAT,", StringComparison.Ordinal)
            .Replace("AS00006,agency-consultation,grp-agency-R01-D01-A01,group,unit,R01-D01-A01,", "AS00006,agency-consultation,grp-agency-R01-D01-A01,group,unit,R01-D01,", StringComparison.Ordinal)
            + "AS-NEW-R01,regional-consultation,grp-partners-capemploi-R01,group,unit,R01,\n";
        changed.Should().NotBe(original + "AS-NEW-R01,regional-consultation,grp-partners-capemploi-R01,group,unit,R01,\n", "both edits must apply to the demo");
        File.WriteAllText(assignments, changed);
        var policy = Path.Combine(_root, "grant-policy.json");
        File.WriteAllText(policy, "{ \"version\": 1, \"maxExcessIncrease\": { \"threshold\": 0 }, \"maxExcessPerGrant\": { \"threshold\": 0 } }");

        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--before", Roles, "--source", after, "--policy", policy, "--as-of", AsOf);
        exit.Should().Be(1, error);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        foreach (var id in new[] { "AS00077", "AS00006", "AS-NEW-R01" })
        {
            text.Should().MatchRegex($@"FAIL max-grant-excess Assignment '{id}' \(.*?\) gives its [\d,]+ holder\(s\) [\d,]+ files beyond their caseload as if it were their only grant .*? removing it would remove [\d,]+ given every other grant\.",
                $"the change widens {id}");
        }

        text.Should().MatchRegex(@"Assignment 'AS-NEW-R01' .*? removing it would remove 0 given every other grant\.", "the national grant hides the new one's added excess");

        // The parts of max-excess-increase sum exactly to the increase.
        var increase = System.Text.RegularExpressions.Regex.Match(text, @"FAIL max-excess-increase The change adds ([\d,]+) files of excess exposure \(limit 0\): (.*?)\.( FAIL| PASS|$)");
        increase.Success.Should().BeTrue(text);
        var delta = long.Parse(increase.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        var parts = System.Text.RegularExpressions.Regex.Matches(increase.Groups[2].Value, @"(?:adds? |; )([+-][\d,]+)")
            .Select(m => long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        parts.Should().HaveCountGreaterThan(1);
        parts.Sum().Should().Be(delta, increase.Groups[2].Value);

        // Reverting only the national grant: the region-wide one now fails on its own figure.
        File.WriteAllText(assignments, changed.Replace("AS00077,national-consultation,grp-partners-capemploi,group,unit,NAT,\n", "AS00077,national-consultation,grp-partners-capemploi,group,unit,NAT,2026-05-07\n", StringComparison.Ordinal));
        var reverted = AnalyzeCliTests.Run("gate", "--before", Roles, "--source", after, "--policy", policy, "--as-of", AsOf);
        reverted.Exit.Should().Be(1);
        var revertedText = System.Text.RegularExpressions.Regex.Replace(reverted.Out, @"\s+", " ");
        revertedText.Should().Contain("FAIL max-grant-excess Assignment 'AS-NEW-R01'").And.NotContain("max-grant-excess Assignment 'AS00077'");
    }

    private string CopyOfRoles(string name)
    {
        var copy = Path.Combine(_root, name);
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(Roles))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
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
