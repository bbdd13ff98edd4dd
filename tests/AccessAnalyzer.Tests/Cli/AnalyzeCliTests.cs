using System.Diagnostics;
using System.Text.Json;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>The CLI end to end: exit codes, the JSON contract, one-line errors and no stack traces.</summary>
public sealed class AnalyzeCliTests
{
    private static AgencyFixture Agency() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1")
        .Files("n", "NAT", 2).Files("a", "A1", 5, sensitive: true).Files("c", "A1", 1, closed: true)
        .Role("read").Role("health", sensitive: true)
        .Principal("P1", kind: "partner", organization: "capemploi", mfa: false).Principal("S1").Principal("Z", active: false)
        .Assign("X1", "health", "P1", scopeUnit: "R1").Assign("X2", "read", "S1", scope: "caseload").Assign("X3", "read", "Z", scopeUnit: "A1")
        .Caseload("a1", "P1").Caseload("a2", "S1");

    internal static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Should_write_the_json_contract_to_stdout()
    {
        using var f = Agency();
        var (exit, output, error) = Run("analyze", "--source", f.WriteCsv(), "--as-of", "2026-06-30", "--format", "json");
        exit.Should().Be(0, error);
        error.Should().BeEmpty();

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        root.GetProperty("asOf").GetString().Should().Be("2026-06-30");
        var principals = root.GetProperty("principals").EnumerateArray().ToList();
        principals.Should().HaveCount(3);
        var p1 = principals.Single(p => p.GetProperty("principalId").GetString() == "P1");
        p1.GetProperty("reachableFiles").GetInt64().Should().Be(6);
        p1.GetProperty("caseloadFiles").GetInt64().Should().Be(1);
        p1.GetProperty("caseloadInReach").GetInt64().Should().Be(1);
        p1.GetProperty("excessFiles").GetInt64().Should().Be(5);
        p1.GetProperty("sensitiveExcessFiles").GetInt64().Should().Be(4);
        p1.GetProperty("closedFilesInReach").GetInt64().Should().Be(1);

        var totals = root.GetProperty("totals");
        totals.GetProperty("exposure").GetInt64().Should().Be(6 + 1 + 6);
        totals.GetProperty("excessExposure").GetInt64().Should().Be(5 + 0 + 6);

        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        findings.Should().Contain(x => x.GetProperty("ruleId").GetString() == "partner-excess" && x.GetProperty("severity").GetString() == "critical");
        findings.Should().Contain(x => x.GetProperty("ruleId").GetString() == "dormant-account-with-reach"
            && x.GetProperty("subjectIds")[0].GetString() == "Z");
        findings.Should().OnlyContain(x => x.GetProperty("message").GetString()!.Length > 0);
    }

    [Fact]
    public void Should_limit_principals_with_top_but_keep_totals()
    {
        using var f = Agency();
        var (exit, output, _) = Run("analyze", "--source", f.WriteCsv(), "--as-of", "2026-06-30", "--format", "json", "--top", "1");
        exit.Should().Be(0);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("principals").GetArrayLength().Should().Be(1);
        json.RootElement.GetProperty("principals")[0].GetProperty("principalId").GetString().Should().Be("Z");
        json.RootElement.GetProperty("totals").GetProperty("principals").GetInt32().Should().Be(3);
    }

    [Fact]
    public void Should_write_csv_and_table_formats()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        var (exit, csv, _) = Run("analyze", "--source", dir, "--as-of", "2026-06-30", "--format", "csv");
        exit.Should().Be(0);
        var lines = csv.TrimEnd('\n').Split('\n');
        lines[0].Should().StartWith("principal_id,kind,organization,unit_id,active,mfa,reachable_files");
        lines.Should().HaveCount(4);
        lines.Should().Contain("P1,partner,capemploi,,true,false,6,1,1,5,4,1,1,,0");

        var (tableExit, table, _) = Run("analyze", "--source", dir, "--as-of", "2026-06-30");
        tableExit.Should().Be(0);
        table.Should().Contain("Excess exposure").And.Contain("P1").And.Contain("partner-excess");
    }

    [Fact]
    public void Should_write_an_output_file_whole_and_leave_no_temporary_file()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        var target = Path.Combine(dir, "out", "report.json");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var (exit, output, _) = Run("analyze", "--source", dir, "--as-of", "2026-06-30", "--format", "json", "--output", target);
        exit.Should().Be(0);
        output.Should().BeEmpty();
        JsonDocument.Parse(File.ReadAllText(target)).RootElement.GetProperty("principals").GetArrayLength().Should().Be(3);
        Directory.GetFiles(Path.GetDirectoryName(target)!).Should().ContainSingle();
    }

    [Fact]
    public void Should_leave_an_existing_report_untouched_when_the_analysis_fails()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        var target = Path.Combine(dir, "report.json");
        File.WriteAllText(target, "previous");
        File.WriteAllText(Path.Combine(dir, "roles.csv"), "id,name,file_access,sensitive\nread,x,perhaps,false\n");
        var (exit, _, error) = Run("analyze", "--source", dir, "--format", "json", "--output", target);
        exit.Should().Be(2);
        error.Should().Contain("roles.csv:2");
        File.ReadAllText(target).Should().Be("previous");
    }

    [Theory]
    [InlineData("missing-dir")]
    [InlineData("missing-file.db")]
    public void Should_exit_2_with_one_line_when_the_source_is_missing(string name)
    {
        var (exit, output, error) = Run("analyze", "--source", Path.Combine(Path.GetTempPath(), "aa-nothing-here", name), "--format", "json");
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.TrimEnd('\n').Split('\n').Should().ContainSingle().Which.Should().StartWith("error: source '");
    }

    [Fact]
    public void Should_exit_2_with_one_line_naming_file_line_column_and_value_on_a_malformed_row()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        File.AppendAllText(Path.Combine(dir, "principals.csv"), "P9,staff,agency,,Pat,true,sometimes,\n");
        var (exit, output, error) = Run("analyze", "--source", dir);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be("error: principals.csv:5: mfa (column 7): 'sometimes' is not a boolean (expected true or false)" + Environment.NewLine);
    }

    [Theory]
    [InlineData("analyze", "--source", ".", "--as-of", "2026-02-30")]
    [InlineData("analyze", "--source", ".", "--format", "xml")]
    [InlineData("analyze", "--source", ".", "--top", "-1")]
    [InlineData("analyze", "--bogus")]
    [InlineData("analyze")]
    [InlineData("frobnicate")]
    public void Should_exit_2_on_bad_usage(params string[] args)
    {
        var (exit, output, error) = Run(args);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().StartWith("error: ");
    }

    [Fact]
    public void Should_keep_an_error_on_one_line_when_the_value_holds_a_line_break()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        File.WriteAllText(Path.Combine(dir, "roles.csv"), "id,name,file_access,sensitive\nr1,Reader,\"tr\nue\",true\n");
        var (exit, _, error) = Run("analyze", "--source", dir);
        exit.Should().Be(2);
        error.Should().Be("error: roles.csv:2: file_access (column 3): 'tr\\nue' is not a boolean (expected true or false)" + Environment.NewLine);
    }

    [Fact]
    public void Should_report_several_usage_errors_on_one_line()
    {
        var (exit, _, error) = Run("analyze", "--bogus");
        exit.Should().Be(2);
        error.TrimEnd('\n').Split('\n').Should().ContainSingle();
    }

    [Fact]
    public async Task Should_never_print_a_stack_trace_from_the_real_executable()
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "accessanalyzer.dll");
        File.Exists(exe).Should().BeTrue();
        using var f = Agency();
        var dir = f.WriteCsv();
        File.WriteAllText(Path.Combine(dir, "groups.csv"), "id,name\n\"G1,unterminated\n");
        var start = new ProcessStartInfo("dotnet", [exe, "analyze", "--source", dir, "--format", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("the CLI did not exit within 120 s; its process tree was killed");
            }
        }

        var output = await stdout.WaitAsync(TimeSpan.FromSeconds(10));
        var error = await stderr.WaitAsync(TimeSpan.FromSeconds(10));
        process.ExitCode.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be("error: groups.csv:2: column 1: unclosed quote (the quoted field runs to the end of the file)\n");
        error.Should().NotContain("   at ");
    }
}

/// <summary>The report tables filled from the command line: every run kept, every principal stored whatever --top shows.</summary>
public sealed class StoreCliTests
{
    [Fact]
    public void Should_store_each_run_whole_into_an_sqlite_report_database()
    {
        using var f = new AgencyFixture().Unit("NAT").Files("f", "NAT", 3).Role("read")
            .Principal("A").Principal("B").Principal("C").Assign("X", "read", "A", scopeUnit: "NAT");
        var directory = f.WriteCsv();
        var reports = Path.Combine(directory, "reports.db");
        var first = AnalyzeCliTests.Run("analyze", "--source", directory, "--as-of", "2026-06-30", "--format", "json", "--top", "1", "--store-to", reports);
        first.Exit.Should().Be(0, first.Err);
        first.Err.Should().StartWith("stored run ");
        JsonDocument.Parse(first.Out).RootElement.GetProperty("principals").GetArrayLength().Should().Be(1);
        AnalyzeCliTests.Run("plan", "--source", directory, "--as-of", "2026-06-30", "--format", "json", "--store-to", reports).Exit.Should().Be(0);

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={reports};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM report_runs), (SELECT COUNT(*) FROM report_principals), (SELECT COUNT(*) FROM report_plan)";
        using var reader = command.ExecuteReader();
        reader.Read().Should().BeTrue();
        reader.GetInt64(0).Should().Be(2, "runs never overwrite each other");
        reader.GetInt64(1).Should().Be(6, "each run stores all three principals although --top showed one");
        reader.GetInt64(2).Should().Be(1);
    }

    [Fact]
    public void Should_refuse_store_on_a_csv_source_with_exit_2()
    {
        using var f = new AgencyFixture().Unit("NAT").Role("read").Principal("A");
        var (exit, _, error) = AnalyzeCliTests.Run("analyze", "--source", f.WriteCsv(), "--store");
        exit.Should().Be(2);
        error.Should().StartWith("error: --store writes into the source database");
    }
}
