using System.Diagnostics;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Cli;

/// <summary><c>--output</c> writes to what the path names: links followed, permissions kept, devices and FIFOs written as they are.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OutputFileTests
{
    internal static AgencyFixture Agency() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Files("a", "A1", 3).Role("read").Principal("S1")
        .Assign("X1", "read", "S1", scopeUnit: "A1").Caseload("a1", "S1");

    private static (int Exit, string Out, string Err) Run(params string[] args) => AnalyzeCliTests.Run(args);

    [Fact]
    public void Should_write_through_a_symbolic_link_to_its_target()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        var target = Path.Combine(f.Directory, "real.json");
        File.WriteAllText(target, "old");
        var link = Path.Combine(f.Directory, "link.json");
        File.CreateSymbolicLink(link, target);

        var (exit, _, error) = Run("analyze", "--source", dir, "--format", "json", "--output", link);

        exit.Should().Be(0, error);
        new FileInfo(link).LinkTarget.Should().Be(target);
        File.ReadAllText(target).Should().StartWith("{");
    }

    [Fact]
    public void Should_keep_the_permissions_of_an_existing_output_file()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        var output = Path.Combine(f.Directory, "private.json");
        File.WriteAllText(output, "old");
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var (exit, _, error) = Run("analyze", "--source", dir, "--format", "json", "--output", output);

        exit.Should().Be(0, error);
        File.GetUnixFileMode(output).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(output).Should().StartWith("{");
    }

    [Fact]
    public void Should_write_to_dev_null_and_leave_it_a_device()
    {
        using var f = Agency();
        var (exit, _, error) = Run("analyze", "--source", f.WriteCsv(), "--format", "json", "--output", "/dev/null");

        exit.Should().Be(0, error);
        FileTypes.Of("/dev/null").Should().Be(PathType.CharacterDevice);
    }

    [Fact]
    public void Should_report_a_full_device_on_one_line()
    {
        using var f = Agency();
        var (exit, output, error) = Run("analyze", "--source", f.WriteCsv(), "--format", "json", "--output", "/dev/full");

        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().StartWith("error: --output: cannot write to '/dev/full'");
        error.TrimEnd('\n').Split('\n').Should().ContainSingle();
        FileTypes.Of("/dev/full").Should().Be(PathType.CharacterDevice);
    }

    [Fact]
    public async Task Should_write_into_a_fifo_without_replacing_it()
    {
        using var f = Agency();
        var dir = f.WriteCsv();
        var fifo = Path.Combine(f.Directory, "pipe.json");
        MakeFifo(fifo);

        // The reader opens the FIFO as the CLI opens it to write.
        var read = Task.Run(() => File.ReadAllText(fifo));
        var (exit, _, error) = Run("analyze", "--source", dir, "--format", "json", "--output", fifo);

        exit.Should().Be(0, error);
        (await read.WaitAsync(TimeSpan.FromSeconds(30))).Should().StartWith("{");
        FileTypes.Of(fifo).Should().Be(PathType.Fifo);
    }

    [Fact]
    public void Should_refuse_a_directory_as_output()
    {
        using var f = Agency();
        var (exit, _, error) = Run("analyze", "--source", f.WriteCsv(), "--output", f.Directory);

        exit.Should().Be(2);
        error.Should().Be($"error: --output: '{f.Directory}' is a directory\n");
    }

    internal static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]))!;
        process.WaitForExit(10_000).Should().BeTrue();
        process.ExitCode.Should().Be(0);
    }
}
