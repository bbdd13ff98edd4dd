using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Tests.Cli;

namespace AccessAnalyzer.Tests.Gate;

/// <summary>The small demo as canonical CSV, generated once for the class; each test works on its own copy.</summary>
public sealed class DemoCsv : IDisposable
{
    public DemoCsv()
    {
        using var writer = new CsvCanonicalWriter(Directory);
        DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, new DateOnly(2026, 11, 23)), [writer]);
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "aa-demo-csv-" + Guid.NewGuid().ToString("N"));

    /// <summary>A fresh copy of the demo's CSV files, under <paramref name="root"/>.</summary>
    public string CopyTo(string root)
    {
        var copy = System.IO.Directory.CreateDirectory(Path.Combine(root, "roles")).FullName;
        foreach (var file in System.IO.Directory.GetFiles(Directory))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>
/// required-input-missing: a change that deletes or empties a table a policy rule reads fails the gate (exit 1) with
/// one violation per table, naming the table and the rules it disables, instead of passing because nothing was found.
/// </summary>
public sealed class RequiredInputGateTests(DemoCsv demo) : IClassFixture<DemoCsv>, IDisposable
{
    private const string AsOf = "2026-11-23";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aa-required-input-" + Guid.NewGuid().ToString("N"));

    private static (int Exit, string Out, string Err) Gate(string source, params string[] more) =>
        AnalyzeCliTests.Run(["gate", "--source", source, "--policy", Repository.ExamplePolicy, "--as-of", AsOf, .. more]);

    [Fact]
    public void Should_fail_a_change_that_deletes_the_access_log_even_with_every_other_finding_accepted()
    {
        var roles = demo.CopyTo(_root);
        var baseline = Path.Combine(_root, "baseline.json");
        Gate(roles, "--write-baseline", baseline, "--accept-critical").Exit.Should().Be(0);
        // A baseline passes only once people have written why each entry is accepted.
        File.WriteAllText(baseline, File.ReadAllText(baseline).Replace(
            AccessAnalyzer.Core.Gate.Baseline.DefaultReason, "Reviewed: remediation tracked by the DPO (owner: iam-team).", StringComparison.Ordinal));
        var before = Gate(roles, "--baseline", baseline);
        before.Exit.Should().Be(0, "with both tables present, every finding is in the baseline: " + before.Out);
        before.Out.Should().NotContain("required-input-missing");

        File.Delete(Path.Combine(roles, "access_events.csv"));
        var (exit, output, error) = Gate(roles, "--baseline", baseline);
        exit.Should().Be(1, error);
        Regex.Replace(output, @"\s+", " ").Should().Contain(
            "FAIL required-input-missing access_events is absent: the rules mass-read, read-spike, activity-from-dormant-account of failOnUsageFindings could not run.");
        output.Should().Contain("Not checked");
    }

    [Fact]
    public void Should_fail_when_the_account_policy_is_header_only()
    {
        var roles = demo.CopyTo(_root);
        File.WriteAllText(Path.Combine(roles, "account_policy.csv"), "organization,lockout_threshold,mfa_required\n");
        var (exit, output, error) = Gate(roles, "--format", "markdown");
        exit.Should().Be(1, error);
        output.Should().Contain(
            "| ❌ | `required-input-missing` | account_policy is empty (no rows): the rule max-lockout-threshold (maxLockoutThreshold) could not run. | new |");
        output.Should().Contain("**Not checked**").And.Contain("- `account-policy`: account_policy is empty (no rows)");
        output.Should().NotContain("access_events is", "the access log is there");
    }

    [Fact]
    public void Should_not_fire_when_both_tables_are_present()
    {
        var roles = demo.CopyTo(_root);
        var (exit, output, error) = Gate(roles, "--format", "sarif");
        exit.Should().Be(1, "the demo's planted failures break the example policy: " + error);
        using var sarif = JsonDocument.Parse(output);
        var run = sarif.RootElement.GetProperty("runs")[0];
        run.GetProperty("results").EnumerateArray().Should().NotContain(r => r.GetProperty("ruleId").GetString() == "required-input-missing");
        run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
            .Should().Contain(r => r.GetProperty("id").GetString() == "required-input-missing", "the policy enables rules that need optional tables");

        // Every check runs on the demo (it has justifications too): SARIF has no check to notify as not run.
        var invocation = run.GetProperty("invocations")[0];
        invocation.GetProperty("executionSuccessful").GetBoolean().Should().BeTrue();
        (invocation.TryGetProperty("toolExecutionNotifications", out var notifications) ? notifications.GetArrayLength() : 0).Should().Be(0);
    }

    [Fact]
    public void Should_fail_both_tables_in_sarif_and_junit_with_stable_fingerprints()
    {
        var roles = demo.CopyTo(_root);
        File.Delete(Path.Combine(roles, "access_events.csv"));
        File.Delete(Path.Combine(roles, "account_policy.csv"));
        Directory.CreateDirectory(Path.Combine(roles, "account_policy.csv"));

        var (exit, output, error) = Gate(roles, "--format", "sarif");
        exit.Should().Be(1, error);
        using var sarif = JsonDocument.Parse(output);
        var run = sarif.RootElement.GetProperty("runs")[0];
        var missing = run.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("ruleId").GetString() == "required-input-missing").ToList();
        missing.Select(r => r.GetProperty("partialFingerprints").GetProperty("accessAnalyzer/v1").GetString())
            .Should().BeEquivalentTo("required-input-missing:table:access_events", "required-input-missing:table:account_policy");
        missing.Select(r => r.GetProperty("level").GetString()).Should().OnlyContain(l => l == "error");
        missing.Select(r => r.GetProperty("message").GetProperty("text").GetString()).Should().Contain(
            "account_policy.csv is not a regular file (a directory or special file): the rule max-lockout-threshold (maxLockoutThreshold) could not run.");
        run.GetProperty("invocations")[0].GetProperty("toolExecutionNotifications").EnumerateArray()
            .Select(n => n.GetProperty("descriptor").GetProperty("id").GetString())
            .Should().Equal("access-log", "account-policy");

        var junit = Gate(roles, "--format", "junit");
        junit.Exit.Should().Be(1);
        var xml = XDocument.Parse(junit.Out);
        var failure = xml.Descendants("testcase").Single(c => (string?)c.Attribute("name") == "required-input-missing").Element("failure");
        failure.Should().NotBeNull();
        failure!.Value.Should().Contain("access_events is absent").And.Contain("account_policy.csv is not a regular file");
        xml.Descendants("testcase").Where(c => c.Element("skipped") is not null).Select(c => (string?)c.Attribute("name"))
            .Should().Equal("access-log", "account-policy");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
