using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>
/// Values at the edges of their types, and gate files written to mislead: each ends in one plain error line and exit 2
/// (or, for a policy that is valid, an exact verdict), never an internal error or a silently changed rule.
/// </summary>
public sealed class HostileValueTests : IDisposable
{
    private readonly AgencyFixture _f = new AgencyFixture().Unit("U").Principal("P", unit: "U").Principal("Q", unit: "U")
        .Role("read").Files("f", "U", 10).Caseload("f1", "P").Assign("A", "read", "P", scopeUnit: "U");

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aa-hostile-" + Guid.NewGuid().ToString("N"));

    public HostileValueTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _f.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static void ShouldBeOneLineError((int Exit, string Out, string Err) run, string expected)
    {
        run.Exit.Should().Be(2);
        run.Err.Should().StartWith("error: ").And.Contain(expected).And.NotContain("internal error").And.NotContain("System.");
        run.Err.TrimEnd('\n').Should().NotContain("\n", "an error is one line");
    }

    [Theory]
    [InlineData("analyze", "--dormant-days", "2147483647", "--dormant-days must be at most 36,500 days")]
    [InlineData("analyze", "--as-of", "9999-12-31", "--as-of 9999-12-31 is outside the dates")]
    [InlineData("plan", "--as-of", "0001-01-01", "--as-of 0001-01-01 is outside the dates")]
    [InlineData("analyze", "--top", "ten", "'ten' for option '--top' as a whole number")]
    public void Out_of_range_options_are_one_line(string command, string option, string value, string expected) =>
        ShouldBeOneLineError(AnalyzeCliTests.Run(command, "--source", _f.WriteCsv(), option, value), expected);

    [Fact]
    public void Gate_day_counts_and_dates_at_the_edges_are_one_line()
    {
        var policy = File("p.json", "{ \"noGroupCycles\": true }");
        ShouldBeOneLineError(
            AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", policy, "--baseline-days", "2147483647", "--write-baseline", Path.Combine(_dir, "b.json")),
            "--baseline-days must be at most 36,500 days");
        ShouldBeOneLineError(
            AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", policy, "--as-of", "9999-12-31", "--write-baseline", Path.Combine(_dir, "b.json")),
            "outside the dates");
        System.IO.File.Exists(Path.Combine(_dir, "b.json")).Should().BeFalse();
    }

    [Fact]
    public void Demo_refuses_a_date_its_own_analysis_would_reject() =>
        ShouldBeOneLineError(AnalyzeCliTests.Run("demo", "--as-of", "2050-01-01", "--dir", Path.Combine(_dir, "demo")), "2000 to 2044");

    [Fact]
    public void A_bad_format_lists_the_choices_on_one_line()
    {
        var run = AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", File("p.json", "{}"), "--format", "xml");
        ShouldBeOneLineError(run, "--format: 'xml' is not one of: text, sarif, junit, markdown (see accessanalyzer gate --help)");
        run.Err.Should().NotContain("\\n").And.NotContain("\\t");
    }

    [Theory]
    [InlineData("{ \"maxExcessPerPrincipal\": { \"threshold\": 1 }, \"maxExcessPerPrincipal\": { \"threshold\": 1, \"level\": \"warning\" } }", "key 'maxExcessPerPrincipal' is given twice")]
    [InlineData("{ \"noDormantAccountWithReach\": { \"dormantDays\": 3000000000 } }", "expected at most 36,500 days")]
    [InlineData("{ \"failOnUsageFindings\": [] }", "expected at least one usage rule id")]
    public void Misleading_policies_are_refused(string policy, string expected) =>
        ShouldBeOneLineError(AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", File("p.json", policy)), expected);

    [Fact]
    public void A_byte_that_is_not_utf8_is_named_as_it_is()
    {
        var path = Path.Combine(_dir, "p.json");
        System.IO.File.WriteAllBytes(path, [.. "{\"noGroupCycles\":true}"u8, 0xFF]);
        ShouldBeOneLineError(AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", path), "column 23: not valid UTF-8: byte 0xFF");
    }

    [Fact]
    public void A_ratio_threshold_near_the_largest_number_does_not_overflow()
    {
        // P reaches 10 files with a caseload of 1: ratio 10. Q has no caseload: any ratio limit is exceeded.
        var policy = File("p.json", "{ \"maxReachToCaseloadRatio\": { \"threshold\": 9223372036854775807 } }");
        var run = AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", policy);
        run.Out.Should().NotContain("Account 'P'");
        var exact = AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", File("q.json", "{ \"maxReachToCaseloadRatio\": { \"threshold\": 9 } }"));
        exact.Out.Should().Contain("Account 'P' reaches 10 files, 10× its caseload (limit 9×)");
        AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--policy", File("r.json", "{ \"maxReachToCaseloadRatio\": { \"threshold\": 10 } }"))
            .Out.Should().NotContain("Account 'P'", "10 files for a caseload of 1 is not more than 10 times it");
    }

    [Fact]
    public void A_store_path_with_an_equals_sign_is_a_path()
    {
        var store = Path.Combine(_dir, "runs=2026.db");
        var run = AnalyzeCliTests.Run("analyze", "--source", _f.WriteCsv(), "--as-of", "2026-06-30", "--store-to", store, "--format", "json", "--output", Path.Combine(_dir, "r.json"));
        run.Exit.Should().Be(0, run.Err);
        System.IO.File.Exists(store).Should().BeTrue();
    }

    [Fact]
    public void A_comparison_error_names_the_side_it_comes_from()
    {
        using var bad = new AgencyFixture().Unit("U").Principal("P", unit: "U").Row("roles", "read", "Read", "maybe", "false");
        var policy = File("p.json", "{ \"maxExcessIncrease\": { \"threshold\": 0 } }");
        ShouldBeOneLineError(AnalyzeCliTests.Run("gate", "--source", _f.WriteCsv(), "--before", bad.WriteCsv(), "--policy", policy), "--before: roles.csv:2:");
        ShouldBeOneLineError(AnalyzeCliTests.Run("diff", "--before", _f.WriteCsv(), "--after", bad.WriteCsv()), "--after: roles.csv:2:");
    }

    [Fact]
    public void A_utf16_file_is_read_and_its_errors_name_the_right_line()
    {
        using var agency = new AgencyFixture().Unit("U").Principal("P", unit: "U").Role("read").Role("write").Row("roles", "bad", "Bad", "maybe", "false");
        var source = agency.WriteCsv();
        var roles = Path.Combine(source, "roles.csv");
        System.IO.File.WriteAllText(roles, System.IO.File.ReadAllText(roles), new System.Text.UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        ShouldBeOneLineError(AnalyzeCliTests.Run("analyze", "--source", source), "roles.csv:4: file_access (column 3): 'maybe' is not a boolean");
    }

    [Fact]
    public void Explain_file_on_a_database_is_refused_before_connecting()
    {
        // Nothing listens on port 1: reaching the load would fail with a connection error instead.
        var connection = File("conn.txt", "Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x;Timeout=2");
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(connection, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        ShouldBeOneLineError(AnalyzeCliTests.Run("explain", "--source", "postgres", "--connection-file", connection, "--file", "F1"),
            "--file: looking up one file is supported on CSV and SQLite sources");
    }

    [Fact]
    public void A_schema_name_with_a_trailing_newline_is_refused() =>
        AccessAnalyzer.Sources.Database.SqlDialect.IsValidSchemaName("aa\n").Should().BeFalse();
}

/// <summary>CSV outputs are opened in spreadsheets: an id written to run as a formula must arrive as text.</summary>
public sealed class CsvFormulaTests
{
    [Fact]
    public void Ids_that_a_spreadsheet_would_run_are_written_as_text()
    {
        using var f = new AgencyFixture().Unit("U").Principal("=HYPERLINK(\"http://x\")", unit: "U", organization: "@org")
            .Principal("-2+3", unit: "U").Role("read").Files("f", "U", 2).Assign("A", "read", "-2+3", scopeUnit: "U");
        var run = AnalyzeCliTests.Run("analyze", "--source", f.WriteCsv(), "--as-of", "2026-06-30", "--format", "csv");
        run.Exit.Should().Be(0, run.Err);
        run.Out.Should().Contain("\"'=HYPERLINK(\"\"http://x\"\")\"").And.Contain(",'@org,").And.Contain("'-2+3,");
        run.Out.Split('\n').Skip(1).Where(l => l.Length > 0).Should().OnlyContain(l => !"=+-@".Contains(l[0]));
        AccessAnalyzer.Sinks.CsvReportWriter.Neutralised("-3").Should().Be("-3", "a negative number is no formula");
    }
}
