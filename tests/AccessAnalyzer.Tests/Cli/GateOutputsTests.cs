using System.Text.Json;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>The gate in one run: --sarif, --junit and --markdown beside --format, every file written or none.</summary>
public sealed class GateOutputsTests : IDisposable
{
    private const string AsOf = "2026-06-30";

    private readonly AgencyFixture _agency = new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT").Files("a", "A1", 3).Role("read")
        .Principal("P1", kind: "partner", unit: "A1", organization: "a-partner-organisation-with-a-name-long-enough-to-make-a-line-wider-than-any-terminal")
        .Assign("X1", "read", "P1", scopeUnit: "NAT").Caseload("a1", "P1");

    private readonly string _policy;

    public GateOutputsTests()
    {
        _agency.WriteCsv();
        _policy = Path.Combine(_agency.Directory, "policy.json");
        File.WriteAllText(_policy, "{ \"version\": 1, \"maxExcessPerPrincipal\": 0 }");
    }

    public void Dispose() => _agency.Dispose();

    private string PathOf(string name) => Path.Combine(_agency.Directory, name);

    private (int Exit, string Out, string Err) Gate(params string[] more) =>
        AnalyzeCliTests.Run(["gate", "--source", _agency.Directory, "--policy", _policy, "--as-of", AsOf, .. more]);

    [Fact]
    public void One_run_writes_every_format_asked_for_the_same_as_separate_runs()
    {
        var (exit, output, error) = Gate("--sarif", PathOf("g.sarif"), "--junit", PathOf("g.xml"), "--markdown", PathOf("g.md"));
        exit.Should().Be(1, error);
        output.Should().Contain("FAILED", "--format text still goes to stdout");

        foreach (var (file, format) in new[] { ("g.sarif", "sarif"), ("g.xml", "junit"), ("g.md", "markdown") })
        {
            File.ReadAllText(PathOf(file)).Should().Be(Gate("--format", format).Out, $"{file} is what --format {format} prints");
        }

        using var sarif = JsonDocument.Parse(File.ReadAllText(PathOf("g.sarif")));
        sarif.RootElement.GetProperty("version").GetString().Should().Be("2.1.0");
    }

    [Fact]
    public void A_destination_that_cannot_be_written_leaves_every_other_unwritten()
    {
        var (exit, _, error) = Gate("--sarif", PathOf("g.sarif"), "--junit", PathOf("g.xml"), "--markdown", PathOf("missing/g.md"));
        exit.Should().Be(2);
        error.Should().StartWith("error: --markdown: directory '").And.EndWith("missing' does not exist" + Environment.NewLine);
        File.Exists(PathOf("g.sarif")).Should().BeFalse();
        File.Exists(PathOf("g.xml")).Should().BeFalse();
    }

    [Fact]
    public void Two_formats_into_one_file_are_refused()
    {
        var (exit, _, error) = Gate("--sarif", PathOf("g.out"), "--junit", PathOf("g.out"));
        exit.Should().Be(2);
        error.Should().Be($"error: --junit and --sarif name the same file '{PathOf("g.out")}'{Environment.NewLine}");
        File.Exists(PathOf("g.out")).Should().BeFalse();
    }

    [Fact]
    public void A_writer_that_fails_leaves_every_target_as_it_was()
    {
        File.WriteAllText(PathOf("kept.txt"), "before");
        var write = () => CliContext.WriteOutputs(
        [
            (PathOf("kept.txt"), "--output", s => s.Write("after"u8)),
            (PathOf("new.txt"), "--sarif", s => s.Write("new"u8)),
            (PathOf("bad.txt"), "--junit", _ => throw new IOException("disk full")),
        ]);
        write.Should().Throw<IOException>();
        File.ReadAllText(PathOf("kept.txt")).Should().Be("before");
        File.Exists(PathOf("new.txt")).Should().BeFalse();
        Directory.GetFiles(_agency.Directory, "*.tmp").Should().BeEmpty();
    }

    [Fact]
    public void Text_off_a_terminal_is_not_wrapped_and_has_no_padding()
    {
        var (_, output, _) = Gate();
        var lines = output.Split(Environment.NewLine);
        lines.Should().Contain(l => l.Contains("a-partner-organisation-with-a-name-long-enough-to-make-a-line-wider-than-any-terminal", StringComparison.Ordinal) && l.Length > 140);
        lines.Should().OnlyContain(l => !l.EndsWith(' '));
        lines[0].Should().StartWith("── Gate — ").And.HaveLength(120);
    }
}
