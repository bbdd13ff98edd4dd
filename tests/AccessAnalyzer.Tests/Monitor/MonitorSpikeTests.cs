using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sources.Monitor;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// read-spike as the monitor keeps it (peer histograms changed day by day, own history read on demand) flags exactly
/// the days analyze's <see cref="UsageRules.FlaggedDays"/> flags over the same history.
/// </summary>
public sealed class MonitorSpikeTests(MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    [Fact]
    public void Should_flag_the_same_days_as_analyze_over_the_whole_history()
    {
        var csv = Path.Combine(demo.Copy(), "csv");

        // A second heavy reader among the demo's planted ones, so that both sides have days to agree on.
        File.AppendAllText(Path.Combine(csv, "access_events.csv"), MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(400), demo.LastDay));
        var snapshot = Fixtures.TestSources.Load(csv);
        var figures = ReportBuilder.AllFigures(Core.Engine.Analysis.Run(snapshot, new Core.Engine.AnalysisOptions { AsOf = demo.LastDay }));
        var usage = snapshot.UsageIndex!;
        var options = new UsageOptions();
        var expected = MonitorRules.SpikeDays(demo.LastDay, figures, usage, options)
            .SelectMany(kv => kv.Value.Select(day => (kv.Key, day))).Order().ToList();

        // Every day enters with a wrong count first, then is corrected: the path a day updated by later cycles takes.
        var history = new SpikeHistory();
        for (var p = 0; p < figures.Length; p++)
        {
            var distinct = usage.DistinctFilesOf(p);
            for (var i = 0; i < distinct.Length; i++)
            {
                history.Change(SpikeHistory.PeerKey(figures[p]), null, distinct[i] + 7);
                history.Change(SpikeHistory.PeerKey(figures[p]), distinct[i] + 7, distinct[i]);
            }
        }

        var actual = new List<(int, DateOnly)>();
        for (var p = 0; p < figures.Length; p++)
        {
            var days = usage.DaysOf(p).ToArray();
            var distinct = usage.DistinctFilesOf(p).ToArray();
            for (var i = 0; i < days.Length; i++)
            {
                if (history.IsSpike(SpikeHistory.PeerKey(figures[p]), distinct[i], () => [.. distinct.Select(d => (double)d)], options))
                {
                    actual.Add((p, days[i]));
                }
            }
        }

        expected.Should().HaveCountGreaterThanOrEqualTo(2);
        actual.Order().Should().Equal(expected);
    }

    [Fact]
    public void Should_keep_the_peers_median_and_scale_equal_to_analyzes_as_days_change()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var history = new SpikeHistory();
            var values = new List<long>();
            var spread = random.Next(1, round % 3 == 0 ? 20 : 5000);
            for (var i = random.Next(1, 9000); i > 0; i--)
            {
                var v = (long)random.Next(0, spread);
                values.Add(v);
                history.Change("g", null, v);
            }

            // Some days grow, as later cycles of the same day make them.
            for (var i = random.Next(0, 50); i > 0; i--)
            {
                var at = random.Next(values.Count);
                var grown = values[at] + random.Next(1, 300);
                history.Change("g", values[at], grown);
                values[at] = grown;
            }

            history.PeerRobust("g").Should().Be(UsageRules.Robust([.. values.Select(v => (double)v)]), $"round {round}, {values.Count} values");
        }
    }

    [Fact]
    public void Should_alert_read_spike_on_an_appended_day_exactly_when_analyze_flags_it()
    {
        var root = demo.Copy();
        var csv = Path.Combine(root, "csv");
        var state = Path.Combine(root, "state.db");
        var jsonl = Path.Combine(root, "alerts.jsonl");
        string[] cycle = ["monitor", "--source", csv, "--state", state, "--once", "--alert", $"jsonl:{jsonl}"];
        Alerts.Run(cycle).Exit.Should().Be(0);

        // 400 distinct files in a day: below mass-read, far above a staff member's usual day.
        var day = demo.LastDay.AddDays(1);
        File.AppendAllText(Path.Combine(csv, "access_events.csv"), MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(400), day));
        var (exit, _, error) = Alerts.Run(cycle);
        exit.Should().Be(0, error);

        var snapshot = Fixtures.TestSources.Load(csv);
        var figures = ReportBuilder.AllFigures(Core.Engine.Analysis.Run(snapshot, new Core.Engine.AnalysisOptions { AsOf = day }));
        snapshot.TryGetPrincipal(demo.ActiveStaff, out var staff);
        var flagged = MonitorRules.SpikeDays(day, figures, snapshot.UsageIndex!, new UsageOptions());
        flagged.TryGetValue(staff, out var days).Should().BeTrue("analyze flags the day: the test needs a spike");
        days.Should().Contain(day);
        Alerts.OfJsonl(jsonl).Where(a => a.Rule() == UsageRules.ReadSpike).Select(a => a.GetProperty("account").GetString())
            .Should().Equal(demo.ActiveStaff);
    }
}
