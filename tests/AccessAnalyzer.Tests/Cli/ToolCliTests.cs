using AccessAnalyzer.Sources.Gate;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>What an installed tool has without the source tree: its version, and through <c>gate --init-policy</c> the example policy and its schema, never written over a file.</summary>
public sealed class ToolCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aa-init-policy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepositoryText(string name) => File.ReadAllText(Path.Combine(Repository.Root, "src", "AccessAnalyzer.Cli", name));

    [Fact]
    public void Writes_the_example_policy_and_the_schema_its_reference_names()
    {
        var policy = Path.Combine(_dir, "policy.json");
        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--init-policy", policy);

        exit.Should().Be(0, error);
        output.Should().Contain("policy.json (the example policy)");
        File.ReadAllText(policy).Should().Be(RepositoryText("policy.example.json"));
        File.ReadAllText(Path.Combine(_dir, "policy.schema.json")).Should().Be(RepositoryText("policy.schema.json"));
        GatePolicyParser.Parse(File.ReadAllText(policy), "policy.json").Levels.Should().NotBeEmpty();
    }

    [Fact]
    public void Refuses_to_overwrite_a_policy_in_one_line()
    {
        var policy = Path.Combine(_dir, "policy.json");
        File.WriteAllText(policy, "{ \"version\": 1 } // mine");

        var (exit, output, error) = AnalyzeCliTests.Run("gate", "--init-policy", policy);

        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.TrimEnd().Should().NotContain("\n").And.Contain("--init-policy").And.Contain("already exists");
        File.ReadAllText(policy).Should().Be("{ \"version\": 1 } // mine");
        File.Exists(Path.Combine(_dir, "policy.schema.json")).Should().BeFalse("nothing is written when the policy is refused");
    }

    [Fact]
    public void Keeps_the_same_schema_and_refuses_a_different_one()
    {
        AnalyzeCliTests.Run("gate", "--init-policy", Path.Combine(_dir, "first.json")).Exit.Should().Be(0);
        var second = AnalyzeCliTests.Run("gate", "--init-policy", Path.Combine(_dir, "second.json"));
        second.Exit.Should().Be(0, second.Err);
        File.Exists(Path.Combine(_dir, "second.json")).Should().BeTrue();

        File.WriteAllText(Path.Combine(_dir, "policy.schema.json"), "{}");
        var third = AnalyzeCliTests.Run("gate", "--init-policy", Path.Combine(_dir, "third.json"));
        third.Exit.Should().Be(2);
        third.Err.Should().Contain("policy.schema.json").And.Contain("differs");
        File.Exists(Path.Combine(_dir, "third.json")).Should().BeFalse();
        File.ReadAllText(Path.Combine(_dir, "policy.schema.json")).Should().Be("{}");
    }

    [Fact]
    public void A_gate_without_a_policy_says_how_to_start_one()
    {
        var (exit, _, error) = AnalyzeCliTests.Run("gate", "--source", _dir);
        exit.Should().Be(2);
        error.TrimEnd().Should().NotContain("\n").And.Contain("--policy is required").And.Contain("--init-policy");
        AnalyzeCliTests.Run("gate", "--help").Out.Should().Contain("gate --init-policy").And.NotContain("src/AccessAnalyzer.Cli");
    }

    [Fact]
    public void Version_prints_the_version_not_the_help()
    {
        var (exit, output, error) = AnalyzeCliTests.Run("--version");
        exit.Should().Be(0, error);
        output.Trim().Should().MatchRegex(@"^\d+\.\d+\.\d+").And.NotContain("Usage:");
    }
}
