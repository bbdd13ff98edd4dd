using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// Crash safety: the built CLI, run as a child process with <c>--once</c> over a log that grows in pieces cut at
/// arbitrary bytes, SIGKILLed at random points (fixed seed) and restarted, ends with the same aggregates and the same
/// alerts on every sink as an uninterrupted run: none lost, none sent twice to the file, one idempotency key per alert
/// on the webhook.
/// </summary>
public sealed class MonitorKillTests(MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    internal const int Steps = 24;

    [Fact]
    public void Should_end_like_an_uninterrupted_run_when_killed_at_random_points()
    {
        var cli = Cli();
        var random = new Random(20261130);
        var pieces = Pieces(demo, random);

        using var calmHook = new WebhookReceiver();
        using var calmSyslog = new SyslogReceiver();
        var calm = demo.Copy();
        foreach (var piece in pieces)
        {
            File.AppendAllText(Path.Combine(calm, "csv", "access_events.csv"), piece);
            var (exit, _, error) = Alerts.Run(Arguments(calm, calmHook, calmSyslog));
            exit.Should().Be(0, error);
        }

        using var killedHook = new WebhookReceiver();
        using var killedSyslog = new SyslogReceiver();
        var killed = demo.Copy();
        var kills = 0;
        foreach (var piece in pieces)
        {
            File.AppendAllText(Path.Combine(killed, "csv", "access_events.csv"), piece);
            using (var victim = Start(cli, Arguments(killed, killedHook, killedSyslog)))
            {
                if (!victim.WaitForExit(random.Next(150, 1300)))
                {
                    victim.Kill();
                    kills++;
                }

                victim.WaitForExit();
            }

            using var restart = Start(cli, Arguments(killed, killedHook, killedSyslog));
            restart.WaitForExit(60_000).Should().BeTrue();
            restart.ExitCode.Should().Be(0, restart.StandardError.ReadToEnd());
        }

        kills.Should().BeGreaterThan(Steps / 3, "most runs must actually be killed for the test to mean anything");

        MonitorDemo.DayAggregates(Path.Combine(killed, "state.db")).Should().Equal(MonitorDemo.DayAggregates(Path.Combine(calm, "state.db")), "no event lost or counted twice");
        var calmFile = Alerts.OfJsonl(Path.Combine(calm, "alerts.jsonl")).Select(a => a.Id()).ToArray();
        var killedFile = Alerts.OfJsonl(Path.Combine(killed, "alerts.jsonl")).Select(a => a.Id()).ToArray();
        calmFile.Should().NotBeEmpty().And.OnlyHaveUniqueItems();
        killedFile.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(calmFile);

        calmHook.Received.Select(r => r.Key).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(calmFile);
        killedHook.Received.Select(r => r.Key).Distinct().Should().BeEquivalentTo(calmFile);
        killedHook.Received.GroupBy(r => r.Key).Should().OnlyContain(g => g.Select(r => r.Body).Distinct().Count() == 1,
            "a re-sent alert is the same alert, under the same key");

        // Syslog has no acknowledgement: a kill between send and record re-sends; the id in the structured data lets a collector drop it.
        SyslogIds(killedSyslog).Distinct().Should().BeEquivalentTo(SyslogIds(calmSyslog));
        SyslogIds(calmSyslog).Should().BeEquivalentTo(calmFile);
    }

    [Fact]
    public void Should_alert_within_two_cycles_when_running_every_second_and_exit_0_on_sigterm()
    {
        var root = demo.Copy();
        var jsonl = Path.Combine(root, "alerts.jsonl");
        using var hook = new WebhookReceiver();
        using var syslog = new SyslogReceiver();
        using var monitor = Start(Cli(), [.. Arguments(root, hook, syslog).Where(a => a != "--once"), "--every", "1s"]);
        var cycles = 0;
        var baseline = new ManualResetEventSlim();
        monitor.ErrorDataReceived += (_, e) =>
        {
            // Cycle lines only: the analysis run's line comes before the log's baseline is read.
            if (e.Data?.StartsWith("monitor: ", StringComparison.Ordinal) == true && e.Data.Contains(" new events", StringComparison.Ordinal) &&
                Interlocked.Increment(ref cycles) == 1)
            {
                baseline.Set();
            }
        };
        monitor.BeginErrorReadLine();
        baseline.Wait(TimeSpan.FromSeconds(60)).Should().BeTrue("the baseline cycle ends");

        var appendedAt = Volatile.Read(ref cycles);
        File.AppendAllText(Path.Combine(root, "csv", "access_events.csv"),
            MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(1500), demo.LastDay.AddDays(1)));
        var watch = Stopwatch.StartNew();
        while (hook.Received.IsEmpty && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(50);
        }

        (Volatile.Read(ref cycles) - appendedAt).Should().BeLessThanOrEqualTo(2, "the alert comes within two cycles");
        Thread.Sleep(2500);
        Alerts.OfJsonl(jsonl).Count(a => a.Rule() == "mass-read").Should().Be(1);
        hook.Received.Count(r => r.Body.Contains("\"rule\":\"mass-read\"", StringComparison.Ordinal)).Should().Be(1);
        syslog.Drain().Count(m => m.Contains(" mass-read [", StringComparison.Ordinal)).Should().Be(1);

        using (var term = Process.Start("kill", ["-TERM", monitor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            term.WaitForExit();
        }

        monitor.WaitForExit(30_000).Should().BeTrue();
        monitor.ExitCode.Should().Be(0);
    }

    internal static IEnumerable<string> SyslogIds(SyslogReceiver syslog) =>
        syslog.Drain().Select(m => System.Text.RegularExpressions.Regex.Match(m, "id=\"([0-9a-f]+)\"").Groups[1].Value);

    internal static string[] Arguments(string root, WebhookReceiver hook, SyslogReceiver syslog, params string[] state) =>
    [
        "monitor", "--source", Path.Combine(root, "csv"), .. state.Length > 0 ? state : ["--state", Path.Combine(root, "state.db")], "--once",
        "--alert", $"jsonl:{Path.Combine(root, "alerts.jsonl")}", "--alert", $"webhook:{hook.Url}", "--alert", $"syslog:127.0.0.1:{syslog.Port}",
    ];

    /// <summary>New events over a few days (mass reads, a dormant account's reads), cut into pieces at arbitrary bytes: lines are split across cycles.</summary>
    internal static List<string> Pieces(MonitorDemo demo, Random random)
    {
        var principals = File.ReadAllLines(Path.Combine(demo.Csv, "principals.csv")).Skip(1).Select(l => l.Split(','))
            .Where(p => p[1] == "staff").Select(p => p[0]).Take(6).Append(demo.Dormant).ToArray();
        var text = new StringBuilder();
        for (var day = 1; day <= 3; day++)
        {
            foreach (var principal in principals)
            {
                var start = random.Next(0, demo.FileIds.Count - 2500);
                var count = random.Next(0, 2) == 0 ? random.Next(1, 300) : random.Next(900, 2400);
                text.Append(MonitorDemo.Reads(principal, demo.FileIds.Skip(start).Take(count), demo.LastDay.AddDays(day)));
            }
        }

        var all = text.ToString();
        var cuts = Enumerable.Range(0, Steps - 1).Select(_ => random.Next(1, all.Length)).Order().Distinct().Append(all.Length).ToArray();
        var pieces = new List<string>();
        var from = 0;
        foreach (var cut in cuts)
        {
            pieces.Add(all[from..cut]);
            from = cut;
        }

        return pieces;
    }
    internal static Process Start(string cli, string[] arguments)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>The CLI the solution build produces.</summary>
    internal static string Cli()
    {
        var cli = Repository.File("src/AccessAnalyzer.Cli/bin/Debug/net10.0/accessanalyzer");
        File.Exists(cli).Should().BeTrue($"the built CLI is expected at {cli} (dotnet build AccessAnalyzer.sln)");
        return cli;
    }
}
