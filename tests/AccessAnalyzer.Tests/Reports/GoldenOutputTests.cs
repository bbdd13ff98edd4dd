using System.Runtime.CompilerServices;
using System.Text;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources.Gate;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Reports;

/// <summary>
/// Every output format of a fixed report, compared byte for byte with a checked-in golden file (no line-end or encoding
/// normalisation; Golden/.gitattributes keeps git from converting them on checkout).
/// Regenerate on purpose only: <c>AA_UPDATE_GOLDEN=1 dotnet test</c> writes the files and fails every golden test
/// saying so; review the diff, then run again without the variable.
/// </summary>
public sealed class GoldenOutputTests
{
    private static readonly ToolStamp Stamp = new("AccessAnalyzer", "1.2.3");

    private static AgencyFixture Agency() => new AgencyFixture()
            .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1").Unit("A2", "R1")
            .Files("n", "NAT", 3).Files("a", "A1", 6, sensitive: true).Files("b", "A2", 4).Files("c", "A2", 2, closed: true)
            .Role("read").Role("health", sensitive: true).Role("hr", fileAccess: false)
            .Principal("adv-1", unit: "A1").Principal("adv-2", unit: "A2", active: false)
            .Principal("cap-1", kind: "partner", organization: "capemploi", unit: "R1", mfa: false)
            .Principal("svc, \"batch\"", kind: "service", mfa: false)
            .Group("G-A1").Group("G-partners").Group("G-loop")
            .Member("G-A1", "adv-1").Member("G-partners", "cap-1").Member("G-loop", "G-loop", "group")
            .Assign("X1", "read", "G-A1", "group", scope: "caseload")
            .Assign("X2", "health", "G-partners", "group", scopeUnit: "R1")
            .Assign("X3", "read", "adv-2", scopeUnit: "A2")
            .Assign("X4", "read", "svc, \"batch\"", scopeUnit: "NAT")
            .Assign("X5", "hr", "adv-1", scopeUnit: "NAT")
            .Assign("X6", "read", "adv-1", scopeUnit: "NAT", validUntil: "2026-01-01")
            .Assign("X7", "read", "ghost", scopeUnit: "A1")
            .Caseload("a1", "adv-1").Caseload("a2", "adv-1").Caseload("b1", "adv-2").Caseload("a3", "cap-1")
            .Group("G-all").Member("G-all", "G-A1", "group").Member("G-all", "G-partners", "group").Assign("X8", "read", "G-all", "group", scopeUnit: "A2");

    private static AnalysisReport Report()
    {
        using var f = Agency();
        var report = f.Report(new ReportOptions());
        return report with { Header = report.Header with { Source = "fixture" } };
    }

    [Fact]
    public void Should_render_json_as_the_golden_file() => Verify(("analyze.json", Render(s => JsonReportWriter.Write(Report(), s, Stamp))));

    [Fact]
    public void Should_render_csv_as_the_golden_file() => Verify(("analyze.csv", Render(s => CsvReportWriter.Write(Report(), s))));

    [Fact]
    public void Should_render_the_table_as_the_golden_file() => Verify(("analyze.table.txt", Table(c => TableReportWriter.Write(Report(), c))));

    private static readonly AnalysisOptions AsOf = new() { AsOf = AgencyFixture.AsOf };

    private static RemediationPlan Plan()
    {
        using var f = Agency();
        var plan = RemediationPlanner.Plan(Analysis.Run(f.Load(), AsOf), new PlanOptions());
        return plan with { Header = plan.Header with { Source = "fixture" } };
    }

    private static PrincipalExplanation ExplainPrincipal()
    {
        using var f = Agency();
        var e = AccessExplainer.ExplainPrincipal(Analysis.Run(f.Load(), AsOf), "cap-1", null, null);
        return e with { Header = e.Header with { Source = "fixture" } };
    }

    private static TargetExplanation ExplainUnit()
    {
        using var f = Agency();
        var e = AccessExplainer.ExplainUnit(Analysis.Run(f.Load(), AsOf), "A2");
        return e with { Header = e.Header with { Source = "fixture" } };
    }

    [Fact]
    public void Should_render_the_plan_as_the_golden_files()
    {
        Verify(
            ("plan.json", Render(s => PlanWriters.WriteJson(Plan(), s, Stamp))),
            ("plan.csv", Render(s => PlanWriters.WriteCsv(Plan(), s))),
            ("plan.table.txt", Table(c => PlanWriters.WriteTable(Plan(), c))));
    }

    [Fact]
    public void Should_render_a_principal_explanation_as_the_golden_files()
    {
        Verify(
            ("explain-principal.json", Render(s => ExplainWriters.WriteJson(ExplainPrincipal(), s, Stamp))),
            ("explain-principal.csv", Render(s => ExplainWriters.WriteCsv(ExplainPrincipal(), s))),
            ("explain-principal.txt", Table(c => ExplainWriters.WriteText(ExplainPrincipal(), c))));
    }

    [Fact]
    public void Should_render_a_unit_explanation_as_the_golden_files()
    {
        Verify(
            ("explain-unit.json", Render(s => ExplainWriters.WriteJson(ExplainUnit(), s, Stamp))),
            ("explain-unit.csv", Render(s => ExplainWriters.WriteCsv(ExplainUnit(), s))),
            ("explain-unit.txt", Table(c => ExplainWriters.WriteText(ExplainUnit(), c))));
    }

    private const string GatePolicy = """
        { "version": 1, "maxExcessPerPrincipal": 10, "forbiddenScopes": [ { "principalKind": "partner", "maxLevel": "agency" } ],
          "mfaRequiredAboveReach": { "threshold": 0, "level": "warning" }, "noGroupCycles": true, "noDanglingReferences": true,
          "noDormantAccountWithReach": true, "maxExcessIncrease": 0, "maxPrincipalExcessIncrease": 0 }
        """;

    private static (Core.Model.Snapshot Before, Core.Model.Snapshot After) Change()
    {
        using var before = Agency();
        using var after = Agency().Assign("X9", "read", "G-partners", "group", scopeUnit: "NAT");
        return (before.Load(), after.Load());
    }

    private static GateOutcome Gate()
    {
        var (before, after) = Change();
        var options = AsOf;
        var diff = SnapshotDiff.Compute(Analysis.Run(before, options), Analysis.Run(after, options)) with { BeforeSource = "before" };
        diff = diff with { Header = diff.Header with { Source = "after" } };
        var policy = GatePolicyParser.Parse(GatePolicy, "policy.json");
        var baseline = new Baseline([new BaselineEntry("no-group-cycles:group:G-loop", "no-group-cycles", "G-loop", 1, "Legacy loop, removal planned (ticket SEC-12).", new DateOnly(2026, 12, 31))]);
        var outcome = GateEvaluator.Evaluate(Analysis.Run(after, options), policy, diff, baseline);
        return outcome with { Header = outcome.Header with { Source = "after" } };
    }

    private static DiffReport Diff()
    {
        var (before, after) = Change();
        var diff = SnapshotDiff.Compute(Analysis.Run(before, AsOf), Analysis.Run(after, AsOf)) with { BeforeSource = "before" };
        return diff with { Header = diff.Header with { Source = "after" } };
    }

    [Fact]
    public void Should_render_the_gate_as_the_golden_files()
    {
        Verify(
            ("gate.sarif", Render(s => GateWriters.WriteSarif(Gate(), s, l => "roles/" + l.DisplayName, Stamp))),
            ("gate.junit.xml", Render(s => GateWriters.WriteJUnit(Gate(), s))),
            ("gate.md", Text(w => GateWriters.WriteMarkdown(Gate(), w))),
            ("gate.txt", Table(c => GateWriters.WriteText(Gate(), c))));
    }

    [Fact]
    public void Should_render_the_diff_as_the_golden_files()
    {
        Verify(
            ("diff.json", Render(s => DiffWriters.WriteJson(Diff(), s, Stamp))),
            ("diff.md", Text(w => DiffWriters.WriteMarkdown(Diff(), w))),
            ("diff.txt", Table(c => DiffWriters.WriteText(Diff(), c))));
    }

    /// <summary>Text written with "\n" line ends, as UTF-8 without a byte order mark (what the CLI writes).</summary>
    private static byte[] Text(Action<TextWriter> write)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        write(writer);
        return Utf8.GetBytes(writer.ToString());
    }

    private static byte[] Table(Action<Spectre.Console.IAnsiConsole> render) =>
        Text(writer => render(new CliContext(writer, TextWriter.Null).StdoutConsole()));

    /// <summary>The bytes a writer puts in a stream, untouched.</summary>
    private static byte[] Render(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return stream.ToArray();
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Environment variable that makes the golden tests rewrite their files (and fail, saying so).</summary>
    public const string UpdateVariable = "AA_UPDATE_GOLDEN";

    private static string GoldenDirectory([CallerFilePath] string sourceFile = "") => Path.Combine(Path.GetDirectoryName(sourceFile)!, "Golden");

    /// <summary>
    /// Each output against its golden file, byte for byte. With <see cref="UpdateVariable"/>=1 every file is rewritten
    /// and the test fails naming them: a regeneration is never mistaken for a pass.
    /// </summary>
    internal static void Verify(params (string Name, byte[] Actual)[] outputs)
    {
        var directory = GoldenDirectory();
        var problems = new List<string>();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            foreach (var (name, actual) in outputs)
            {
                var path = Path.Combine(directory, name);
                var changed = !File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(actual);
                File.WriteAllBytes(path, actual);
                problems.Add($"Golden/{name} regenerated ({(changed ? "content changed" : "same bytes as before")})");
            }

            Assert.Fail($"{UpdateVariable}=1: {string.Join("; ", problems)}. Review the diff, then run the tests again without {UpdateVariable}.");
        }

        foreach (var (name, actual) in outputs)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                problems.Add($"Golden/{name} does not exist (create it with {UpdateVariable}=1, then review it)");
            }
            else if (Difference(File.ReadAllBytes(path), actual) is { } difference)
            {
                problems.Add($"output differs from Golden/{name}: {difference}");
            }
        }

        problems.Should().BeEmpty($"every output matches its golden file byte for byte (regenerate on purpose with {UpdateVariable}=1)");
    }

    /// <summary>Where two byte strings first differ (offset, line, both lines with control characters shown), or null when equal.</summary>
    private static string? Difference(byte[] expected, byte[] actual)
    {
        var common = expected.AsSpan().CommonPrefixLength(actual);
        if (common == expected.Length && common == actual.Length)
        {
            return null;
        }

        var lineStart = expected.AsSpan(0, common).LastIndexOf((byte)'\n') + 1;
        var line = expected.AsSpan(0, common).Count((byte)'\n') + 1;
        string LineAt(byte[] bytes)
        {
            if (lineStart >= bytes.Length)
            {
                return "<end of file>";
            }

            var end = bytes.AsSpan(lineStart).IndexOf((byte)'\n');
            var text = Utf8.GetString(bytes, lineStart, end < 0 ? bytes.Length - lineStart : end + 1);
            return text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
                .Replace("\uFEFF", "<BOM>", StringComparison.Ordinal);
        }

        return $"first difference at byte {common} (line {line}); expected {expected.Length} bytes, got {actual.Length}; " +
            $"expected line: '{LineAt(expected)}', actual line: '{LineAt(actual)}'";
    }
}
