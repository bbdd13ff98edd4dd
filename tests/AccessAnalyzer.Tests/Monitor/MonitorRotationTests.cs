using System.Globalization;
using System.Text.RegularExpressions;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// A rotated <c>access_events/</c> directory: its files are read in name order, each from its own offset; a file read
/// before that is gone, truncated or replaced is refused in one line with the state unchanged. And a log replaced by
/// a copy of the same bytes (another inode) is refused, in a directory as for <c>access_events.csv</c>.
/// </summary>
public sealed partial class MonitorRotationTests(MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    private readonly string _root = demo.Copy();

    private string Csv => Path.Combine(_root, "csv");

    private string Rotated => Path.Combine(Csv, "access_events");

    private string State => Path.Combine(_root, "state.db");

    private (int Exit, string Out, string Error) Cycle(params string[] alerts) =>
        Alerts.Run([.. new[] { "monitor", "--source", Csv, "--state", State, "--once" }, .. alerts.SelectMany(a => new[] { "--alert", a })]);

    [GeneratedRegex(@"monitor: (\d+) new events")]
    private static partial Regex EventsLine();

    [GeneratedRegex(@"^monitor: \d+ new events.*; \d+ ms$")]
    private static partial Regex DurationLine();

    private static long EventsRead(string error) => EventsLine().Matches(error).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    private string Status() => Alerts.Run("monitor", "--status", "--state", State).Out.Split('\n')[1];

    /// <summary>The demo's log becomes the first file of the directory.</summary>
    private void Rotate()
    {
        Directory.CreateDirectory(Rotated);
        File.Move(Path.Combine(Csv, "access_events.csv"), Path.Combine(Rotated, "2026-11-01.csv"));
    }

    private static string Header => "principal_id,file_id,at,action\n";

    [Fact]
    public void Should_read_every_file_of_a_rotated_directory_once_in_name_order()
    {
        Rotate();
        var history = File.ReadAllLines(Path.Combine(Rotated, "2026-11-01.csv")).Length - 1;
        var (exit, _, error) = Cycle();
        exit.Should().Be(0, error);
        EventsRead(error).Should().Be(history);
        Status().Should().Contain("1 file(s) of access_events/");

        // Each cycle's line ends with its duration: what the benchmark harness reads. (The other line is the analysis
        // run's, at the first cycle.)
        var cycleLines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(" new events", StringComparison.Ordinal)).ToList();
        cycleLines.Should().NotBeEmpty().And.OnlyContain(l => DurationLine().IsMatch(l));

        // A new file with a mass read, and lines appended to the first one: each read once, from its own offset.
        var jsonl = Path.Combine(_root, "alerts.jsonl");
        var day = demo.LastDay.AddDays(1);
        File.WriteAllText(Path.Combine(Rotated, "2026-11-24.csv"), Header + MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(1200), day));
        File.AppendAllText(Path.Combine(Rotated, "2026-11-01.csv"), MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Skip(2000).Take(10), day, 5000));
        (exit, _, error) = Cycle($"jsonl:{jsonl}");
        exit.Should().Be(0, error);
        EventsRead(error).Should().Be(1210);
        Alerts.OfJsonl(jsonl).Where(a => a.Rule() == UsageRules.MassRead).Should().ContainSingle()
            .Which.GetProperty("count").GetInt64().Should().Be(1210);

        // A third file holding only its header for now, then a half-written line: nothing read, then the line once whole.
        File.WriteAllText(Path.Combine(Rotated, "2026-11-25.csv"), Header + $"{demo.ActiveStaff},{demo.FileIds[3000]},{day:yyyy-MM-dd}T10:00:00Z,re");
        (exit, _, error) = Cycle();
        exit.Should().Be(0, error);
        EventsRead(error).Should().Be(0);
        File.AppendAllText(Path.Combine(Rotated, "2026-11-25.csv"), "ad\n");
        (exit, _, error) = Cycle();
        EventsRead(error).Should().Be(1);
        (exit, _, error) = Cycle();
        EventsRead(error).Should().Be(0);
        Status().Should().Contain("3 file(s) of access_events/");
    }

    [Theory]
    [InlineData("gone")]
    [InlineData("truncated")]
    [InlineData("replaced")]
    public void Should_refuse_a_rotated_file_gone_truncated_or_replaced_and_keep_the_state(string change)
    {
        Rotate();
        var second = Path.Combine(Rotated, "2026-11-24.csv");
        File.WriteAllText(second, Header + MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(20), demo.LastDay.AddDays(1)));
        Cycle().Exit.Should().Be(0);
        var before = Alerts.Run("monitor", "--status", "--state", State).Out;
        switch (change)
        {
            case "gone":
                File.Delete(second);
                break;
            case "truncated":
                File.WriteAllText(second, Header);
                break;
            default:
                // In place, same size, one character changed: the same inode, other bytes.
                var text = File.ReadAllText(second);
                File.WriteAllText(second, text[..Header.Length] + (text[Header.Length] == 'X' ? "Y" : "X") + text[(Header.Length + 1)..]);
                break;
        }

        var (exit, _, error) = Cycle();
        exit.Should().Be(2);
        error.Trim().Should().Contain("access_events/2026-11-24.csv").And.Contain(change).And.NotContain("\n").And.NotContain("   at ");
        var after = Alerts.Run("monitor", "--status", "--state", State).Out;
        after.Split('\n').Take(4).Should().Equal(before.Split('\n').Take(4));
    }

    [Fact]
    public void Should_refuse_access_events_csv_and_a_rotated_directory_together()
    {
        Directory.CreateDirectory(Rotated);
        var (exit, _, error) = Cycle();
        exit.Should().Be(2);
        error.Should().Contain("both");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_refuse_a_log_replaced_by_another_file_with_the_same_bytes(bool rotated)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the inode comes from statx: elsewhere only the hashed bytes are compared
        }

        if (rotated)
        {
            Rotate();
        }

        var log = rotated ? Path.Combine(Rotated, "2026-11-01.csv") : Path.Combine(Csv, "access_events.csv");
        Cycle().Exit.Should().Be(0);

        // A copy renamed over the log: byte for byte what was read, and grown, but another file.
        File.Copy(log, log + ".new");
        File.AppendAllText(log + ".new", MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(5), demo.LastDay.AddDays(1)));
        File.Move(log + ".new", log, overwrite: true);
        var (exit, _, error) = Cycle();
        exit.Should().Be(2);
        error.Trim().Should().Contain("replaced").And.Contain("another file").And.NotContain("\n");
    }
}
