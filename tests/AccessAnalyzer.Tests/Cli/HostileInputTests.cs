using System.Diagnostics;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Usage;
using AccessAnalyzer.Tests.Gate;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>Special files, huge records, unwritable destinations, signals, keys and permissions: one line, exit 2, nothing left behind.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileInputTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => AnalyzeCliTests.Run(args);

    /// <summary>In-process, but a hang fails the test instead of stalling the run.</summary>
    private static async Task<(int Exit, string Out, string Err)> RunWithin(params string[] args) =>
        await Task.Run(() => Run(args)).WaitAsync(TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Should_refuse_a_fifo_as_the_source()
    {
        using var f = OutputFileTests.Agency();
        var fifo = Path.Combine(f.Directory, "agency.db");
        OutputFileTests.MakeFifo(fifo);

        var (exit, _, error) = await RunWithin("analyze", "--source", fifo);

        exit.Should().Be(2);
        error.Should().Be($"error: {fifo}: source is a FIFO (named pipe), not a regular file " +
            "(expected a directory of canonical CSV files or an SQLite database file)\n");
    }

    [Fact]
    public async Task Should_refuse_a_fifo_as_a_table()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        File.Delete(Path.Combine(dir, "files.csv"));
        OutputFileTests.MakeFifo(Path.Combine(dir, "files.csv"));

        var (exit, _, error) = await RunWithin("analyze", "--source", dir);

        exit.Should().Be(2);
        error.Should().Be($"error: files.csv: required table 'files' cannot be read: files.csv in {dir} is a FIFO (named pipe), not a regular file\n");
    }

    [Fact]
    public async Task Should_refuse_a_table_linked_to_dev_zero()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        File.Delete(Path.Combine(dir, "roles.csv"));
        File.CreateSymbolicLink(Path.Combine(dir, "roles.csv"), "/dev/zero");

        var (exit, _, error) = await RunWithin("analyze", "--source", dir);

        exit.Should().Be(2);
        error.Should().Be($"error: roles.csv: required table 'roles' cannot be read: roles.csv in {dir} is a character device, not a regular file\n");
    }

    [Fact]
    public void Should_read_a_table_linked_to_a_regular_file()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        var elsewhere = Path.Combine(f.Directory, "roles-elsewhere.csv");
        File.Move(Path.Combine(dir, "roles.csv"), elsewhere);
        File.CreateSymbolicLink(Path.Combine(dir, "roles.csv"), elsewhere);

        var (exit, _, error) = Run("analyze", "--source", dir, "--format", "json");

        exit.Should().Be(0, error);
    }

    [Fact]
    public void Should_report_a_directory_named_like_a_table_as_a_directory()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        File.Delete(Path.Combine(dir, "principals.csv"));
        Directory.CreateDirectory(Path.Combine(dir, "principals.csv"));

        var (exit, _, error) = Run("analyze", "--source", dir);

        exit.Should().Be(2);
        error.Should().Be($"error: principals.csv: required table 'principals' cannot be read: principals.csv in {dir} is a directory, not a regular file\n");
    }

    [Fact]
    public async Task Should_refuse_a_record_longer_than_one_mebibyte()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        File.WriteAllText(Path.Combine(dir, "roles.csv"), "id,name,file_access,sensitive\nr1," + new string('x', 2 << 20) + ",true,false\n");

        var (exit, _, error) = await RunWithin("analyze", "--source", dir);

        exit.Should().Be(2);
        error.Should().Be("error: roles.csv:2: record longer than 1 MiB (no line end found; is this a CSV export?)\n");
    }

    [Fact]
    public void Should_write_no_gate_output_when_the_baseline_destination_is_missing()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        var policy = GateTests.Policy(dir, "{ \"version\": 1 }");
        var sarif = Path.Combine(f.Directory, "g.sarif");

        var (exit, _, error) = Run("gate", "--source", dir, "--policy", policy, "--format", "sarif", "--output", sarif,
            "--write-baseline", "/missing-directory/b.json");

        exit.Should().Be(2);
        error.Should().Be("error: --write-baseline: directory '/missing-directory' does not exist\n");
        File.Exists(sarif).Should().BeFalse();
    }

    [Fact]
    public void Should_store_no_run_when_the_output_destination_is_missing()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        var store = Path.Combine(f.Directory, "r.db");

        var (exit, _, error) = Run("analyze", "--source", dir, "--store-to", store, "--output", "/missing-directory/x.json");

        exit.Should().Be(2);
        error.Should().Be("error: --output: directory '/missing-directory' does not exist\n");
        File.Exists(store).Should().BeFalse();
    }

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGINT")]
    public async Task Should_remove_the_temporary_output_when_stopped_by_a_signal(string signal)
    {
        using var f = OutputFileTests.Agency();
        var data = Path.Combine(f.Directory, "demo");
        var (made, _, madeError) = Run("demo", "--dir", data, "--scale", "medium", "--to", "csv", "--quiet");
        made.Should().Be(0, madeError);
        var csv = Path.Combine(data, "csv");
        var output = Path.Combine(f.Directory, "out");
        Directory.CreateDirectory(output);
        var target = Path.Combine(output, "report.json");

        // Caught while the temporary file exists (the report is being written), or else the run is repeated.
        var caught = false;
        for (var attempt = 0; attempt < 5 && !caught; attempt++)
        {
            using var process = Start("analyze", "--source", csv, "--format", "json", "--quiet", "--output", target);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (!process.HasExited && !timeout.IsCancellationRequested)
            {
                if (Directory.EnumerateFiles(output, "*.tmp*").Any())
                {
                    Kill(process.Id, signal);
                    caught = true;
                    break;
                }

                await Task.Delay(1);
            }

            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("the CLI did not exit within 120 s; it was killed");
            }

            Directory.EnumerateFiles(output, "*.tmp*").Should().BeEmpty();
        }

        caught.Should().BeTrue("the signal must arrive while the output is being written");
    }

    [Fact]
    public async Task Should_refuse_a_short_pseudonym_key()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        using var process = Start(["explain", "--source", dir, "--principal", "S1", "--file", "a1", "--pseudonymize"], ("AA_PSEUDONYM_KEY", "k"));
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        process.ExitCode.Should().Be(2);
        (await error).Should().Be("error: AA_PSEUDONYM_KEY is too short (1 bytes; at least 16 required)\n");
    }

    [Fact]
    public async Task Should_say_once_that_pseudonyms_use_a_random_key()
    {
        using var f = OutputFileTests.Agency();
        var dir = f.WriteCsv();
        using var process = Start(["explain", "--source", dir, "--principal", "S1", "--file", "a1", "--pseudonymize"], ("AA_PSEUDONYM_KEY", ""));
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        process.ExitCode.Should().Be(0, await error);
        (await error).Should().Be("warning: AA_PSEUDONYM_KEY is not set: a random key is used for this run, so pseudonyms change from one run to the next\n");
    }

    [Fact]
    public void Should_warn_when_the_connection_file_is_readable_by_others()
    {
        using var f = OutputFileTests.Agency();
        var file = Path.Combine(f.Directory, "connection");
        File.WriteAllText(file, "Host=localhost");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var warnings = new StringWriter();

        SourceResolver.ConnectionString("postgres", new SourceOptions { ConnectionFile = file, Warnings = warnings });
        warnings.ToString().Should().Be($"warning: connection file '{file}' is readable by group or others (chmod 600 it)\n");

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var quiet = new StringWriter();
        SourceResolver.ConnectionString("postgres", new SourceOptions { ConnectionFile = file, Warnings = quiet });
        quiet.ToString().Should().BeEmpty();
    }

    [Fact]
    public void Should_spill_into_a_private_directory_and_remove_those_of_dead_processes()
    {
        var temp = Path.GetTempPath();
        // A pid above the kernel's maximum (4194304) is never a running process.
        var stale = Directory.CreateDirectory(Path.Combine(temp, $"{SpillDirectory.Prefix}99999999-test")).FullName;
        File.WriteAllText(Path.Combine(stale, "0.run"), "x");

        var created = SpillDirectory.Create();
        try
        {
            Directory.Exists(stale).Should().BeFalse();
            File.GetUnixFileMode(created).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Path.GetFileName(created).Should().StartWith($"{SpillDirectory.Prefix}{Environment.ProcessId}-");
        }
        finally
        {
            SpillDirectory.Remove(created);
        }

        Directory.Exists(created).Should().BeFalse();
    }

    private static Process Start(params string[] args) => Start(args, []);

    private static Process Start(string[] args, params (string Name, string Value)[] environment)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "accessanalyzer.dll");
        var start = new ProcessStartInfo("dotnet", [exe, .. args]) { RedirectStandardOutput = false, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static void Kill(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit(10_000);
    }
}
