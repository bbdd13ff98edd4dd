using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AccessAnalyzer.Benchmarks;

/// <summary>
/// <c>monitor</c>: one long-running <c>accessanalyzer monitor</c> over a CSV source whose access log is the history,
/// then a thousand one-minute slices appended at an agency's rate (a cycle each), timed by the monitor's own cycle
/// line and with the process's resident memory read along the way: what "a cycle costs at most 1 s and memory stays
/// flat" means, measured.
/// </summary>
internal static partial class MonitorTiming
{
    /// <summary>Accounts read this many distinct files in a minute of a mass-read slice: above the mass-read threshold (1,000).</summary>
    private const int MassReadFiles = 1200;

    /// <summary>Every this many slices, one account reads <see cref="MassReadFiles"/> files in the minute.</summary>
    private const int MassReadEvery = 100;

    [GeneratedRegex(@"^monitor: (\d+) new events( \(baseline[^)]*\))?, (\d+) alerts, .*; (\d+) ms$")]
    private static partial Regex CycleLine();

    public static int Run(Options options)
    {
        var started = DateTime.UtcNow;
        var loadAtStart = Machine.LoadAverage();
        var work = options.Work ?? Path.Combine(Path.GetTempPath(), "aa-bench", $"monitor-{options.Scale}-{options.Seed}");
        Directory.CreateDirectory(work);
        var cli = Cli(options);
        var data = options.Source ?? Generate(options, work);
        var cycles = options.Cycles ?? 1000;
        var rate = options.Rate ?? 4200;

        // The source the monitor follows: the reference tables linked, the log copied (it grows), the data left as it is.
        var run = Path.Combine(work, "run-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        var source = Directory.CreateDirectory(Path.Combine(run, "csv")).FullName;
        foreach (var file in Directory.GetFiles(data, "*.csv"))
        {
            var target = Path.Combine(source, Path.GetFileName(file));
            if (Path.GetFileName(file) == "access_events.csv")
            {
                File.Copy(file, target);
            }
            else
            {
                File.CreateSymbolicLink(target, Path.GetFullPath(file));
            }
        }

        var log = Path.Combine(source, "access_events.csv");
        Log($"sampling accounts and files from {log}");
        var (pairs, files, lastAt, historyEvents) = Sample(log, options.Seed);
        var start = new DateTime(lastAt.Year, lastAt.Month, lastAt.Day, lastAt.Hour, lastAt.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        Log($"{historyEvents:N0} events of history (last at {lastAt:yyyy-MM-ddTHH:mm:ss}Z); {pairs.Count:N0} (account, file) pairs sampled; slices from {start:yyyy-MM-ddTHH:mm}Z");

        var state = Path.Combine(run, "state.db");
        var alerts = Path.Combine(run, "alerts.jsonl");
        var info = new ProcessStartInfo(cli)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "monitor", "--source", source, "--state", state, "--every", "100ms", "--alert", $"jsonl:{alerts}" })
        {
            info.ArgumentList.Add(argument);
        }

        var lines = new BlockingCollection<string>();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new BenchmarkException("cannot start the monitor");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Add(line);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // The baseline: steps until the first cycle that is not one.
            double firstLineAt = 0, baselineSteps = 0, baselineMs = 0;
            long baselineEvents = 0;
            var baselineRss = 0L;
            while (true)
            {
                var (events, baseline, _, ms) = Next(lines, process, TimeSpan.FromHours(1));
                if (firstLineAt == 0)
                {
                    firstLineAt = clock.Elapsed.TotalMilliseconds - ms;
                }

                if (!baseline)
                {
                    break;
                }

                baselineSteps++;
                baselineMs += ms;
                baselineEvents += events;
                baselineRss = Math.Max(baselineRss, Rss(process));
            }

            Log($"started in {Stats.Seconds(firstLineAt)}; baseline of {baselineEvents:N0} events in {baselineSteps} steps, {Stats.Seconds(baselineMs)}; RSS {Stats.Mib(Rss(process))}");

            var random = new Random(options.Seed);
            var cycleMs = new List<double>();
            var rss = new List<(int Cycle, long Kib)>();
            long appended = 0, alertsRaised = 0;
            var split = 0;
            var idleMs = new List<double>();
            using (var append = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                for (var slice = 1; slice <= cycles; slice++)
                {
                    var minute = start.AddMinutes(slice - 1);
                    var (text, count) = Slice(minute, rate, pairs, files, random, massRead: slice % MassReadEvery == MassReadEvery / 2);
                    var bytes = Encoding.UTF8.GetBytes(text);
                    append.Write(bytes);
                    append.Flush();
                    appended += count;

                    // The slice is one write: the cycle after it reads it whole, unless the write was seen half done.
                    var read = 0L;
                    var parts = 0;
                    double ms = 0;
                    while (read < count)
                    {
                        var (events, _, raised, cycle) = Next(lines, process, TimeSpan.FromMinutes(5));
                        if (events == 0)
                        {
                            idleMs.Add(cycle);
                            continue;
                        }

                        read += events;
                        ms += cycle;
                        alertsRaised += raised;
                        parts++;
                    }

                    split += parts > 1 ? 1 : 0;
                    cycleMs.Add(ms);
                    if (slice is 1 or 10 || slice % 100 == 0)
                    {
                        rss.Add((slice, Rss(process)));
                    }

                    if (slice % 100 == 0)
                    {
                        Log($"cycle {slice}: {ms:0} ms; median so far {Stats.Median(cycleMs):0} ms; RSS {Stats.Mib(rss[^1].Kib)}");
                    }
                }
            }

            var stateBytes = new FileInfo(state).Length + (File.Exists(state + "-wal") ? new FileInfo(state + "-wal").Length : 0);
            Stop(process);
            var markdown = Markdown(options, started, loadAtStart, data, historyEvents, cycles, rate, appended, firstLineAt, baselineSteps, baselineMs,
                baselineEvents, baselineRss, cycleMs, idleMs, split, rss, alertsRaised, stateBytes);
            Console.WriteLine(markdown);
            if (options.WriteResults)
            {
                var directory = options.Results ?? Path.Combine(RepositoryRoot(), "tests", "AccessAnalyzer.Benchmarks", "results");
                var path = Path.Combine(directory, $"monitor-{options.Scale}.md");
                File.WriteAllText(path, markdown);
                Log($"results written to {path}");
            }

            return cycleMs.Max() <= 1000 && rss[^1].Kib <= rss[0].Kib * 1.1 ? 0 : 1;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (options.Clean)
            {
                Directory.Delete(run, recursive: true);
            }
        }
    }

    /// <summary>The next cycle line of the monitor's standard error: events read, baseline or not, alerts, its duration.</summary>
    private static (long Events, bool Baseline, long Alerts, double Ms) Next(BlockingCollection<string> lines, Process process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
            {
                // The exposure analysis runs at start (and every --analyze-every): its own line, not a cycle's.
                if (line.StartsWith("monitor: analysis run ", StringComparison.Ordinal))
                {
                    continue;
                }

                var match = CycleLine().Match(line);
                if (!match.Success)
                {
                    throw new BenchmarkException($"unexpected line from the monitor: {line}");
                }

                return (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Success,
                    long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture));
            }

            if (process.HasExited)
            {
                throw new BenchmarkException($"the monitor exited ({process.ExitCode})");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchmarkException($"no cycle line from the monitor within {timeout}");
            }
        }
    }

    /// <summary>Resident set size now (KiB), from /proc.</summary>
    private static long Rss(Process process)
    {
        var status = $"/proc/{process.Id}/status";
        var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) : null;
        return line is null ? 0 : long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
    }

    private static void Stop(Process process)
    {
        ProcessRunner.Check("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)) || process.ExitCode != 0)
        {
            throw new BenchmarkException($"the monitor did not exit 0 on SIGTERM");
        }
    }

    /// <summary>
    /// (account, file) pairs drawn from the log (reservoir of 200,000: plausible readers of plausible files), the
    /// distinct files among them (the mass reads' pool), the latest timestamp and the number of events.
    /// </summary>
    private static (List<(string Principal, string File)> Pairs, List<string> Files, DateTime LastAt, long Events) Sample(string log, int seed)
    {
        const int Reservoir = 200_000;
        var random = new Random(seed);
        var pairs = new List<(string, string)>(Reservoir);
        var last = DateTime.MinValue;
        long n = 0;
        using var reader = new StreamReader(log);
        var header = (reader.ReadLine() ?? string.Empty).Split(',');
        int principal = Array.IndexOf(header, "principal_id"), file = Array.IndexOf(header, "file_id"), at = Array.IndexOf(header, "at");
        while (reader.ReadLine() is { } line)
        {
            var cells = line.Split(',');
            n++;
            var time = DateTime.Parse(cells[at], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            last = time > last ? time : last;
            if (pairs.Count < Reservoir)
            {
                pairs.Add((cells[principal], cells[file]));
            }
            else if (random.NextInt64(n) is var slot && slot < Reservoir)
            {
                pairs[(int)slot] = (cells[principal], cells[file]);
            }
        }

        var files = pairs.Select(p => p.Item2).Distinct(StringComparer.Ordinal).ToList();
        if (files.Count < MassReadFiles)
        {
            throw new BenchmarkException($"the log names {files.Count} distinct files: a mass read needs {MassReadFiles}");
        }

        return (pairs, files, last, n);
    }

    /// <summary>One minute of reads: <paramref name="rate"/> events spread over it; with a mass read, one account's <see cref="MassReadFiles"/> among them.</summary>
    private static (string Text, int Count) Slice(DateTime minute, int rate, List<(string Principal, string File)> pairs, List<string> files, Random random, bool massRead)
    {
        var text = new StringBuilder(rate * 40);
        var mass = massRead ? Math.Min(MassReadFiles, rate) : 0;
        var reader = pairs[random.Next(pairs.Count)].Principal;
        var first = random.Next(files.Count);
        for (var i = 0; i < rate; i++)
        {
            var at = minute.AddMilliseconds(i * 60_000.0 / rate);
            var (principal, file) = i < mass ? (reader, files[(first + i) % files.Count]) : pairs[random.Next(pairs.Count)];
            text.Append(CultureInfo.InvariantCulture, $"{principal},{file},{at:yyyy-MM-ddTHH:mm:ss}Z,read\n");
        }

        return (text.ToString(), rate);
    }

    private static string Generate(Options options, string work)
    {
        var csv = Path.Combine(work, "csv");
        if (File.Exists(Path.Combine(csv, "access_events.csv")) && File.Exists(Path.Combine(work, "generated")))
        {
            Log("reusing the data generated earlier in " + csv);
            return csv;
        }

        Log($"generating {options.Scale} → CSV");
        var self = Environment.ProcessPath ?? throw new BenchmarkException("cannot find the harness executable");
        ProcessRunner.Run(self, ["generate", "--scale", options.Scale, "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
            "--as-of", options.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--to", "csv", "--dir", csv]).EnsureSuccess("generate csv");
        File.WriteAllText(Path.Combine(work, "generated"), string.Empty);
        return csv;
    }

    private static string Cli(Options options)
    {
        if (options.Cli is { } given)
        {
            return File.Exists(given) ? given : throw new BenchmarkException($"--cli {given} not found");
        }

        var project = Path.Combine(RepositoryRoot(), "src", "AccessAnalyzer.Cli");
        if (options.Build)
        {
            Log("building the CLI (Release)");
            ProcessRunner.Run("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "q"]).EnsureSuccess("dotnet build");
        }

        var cli = Path.Combine(project, "bin", "Release", "net10.0", "accessanalyzer");
        return File.Exists(cli) ? cli : throw new BenchmarkException($"{cli} not found: build it (dotnet build -c Release src/AccessAnalyzer.Cli)");
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AccessAnalyzer.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new BenchmarkException("cannot find the repository (AccessAnalyzer.sln)");
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static string Markdown(Options options, DateTime started, string loadAtStart, string data, long historyEvents, int cycles, int rate, long appended,
        double firstLineAt, double baselineSteps, double baselineMs, long baselineEvents, long baselineRss, List<double> cycleMs, List<double> idleMs, int split,
        List<(int Cycle, long Kib)> rss, long alerts, long stateBytes)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var what = options.Source is null ? $"--scale {options.Scale} --seed {options.Seed}" : $"--scale {options.Scale} --source {data}";
        sb.Append(inv, $"# Benchmark: monitor, {(options.Source is null ? options.Scale + " scale" : "the CSV data in " + data)}\n\n");
        sb.Append(inv, $"Generated by `dotnet run -c Release --project tests/AccessAnalyzer.Benchmarks -- monitor {what} --cycles {cycles} --rate {rate}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n");
        sb.Append("Machine: ").Append(Machine.Describe()).Append(inv, $"; load average {loadAtStart} at the start, {Machine.LoadAverage()} at the end (the machine may be shared).\n\n");
        sb.Append(inv, $"One `accessanalyzer monitor --every 100ms --alert jsonl:…` process (Release build) follows a copy of the log: its {historyEvents:N0} events are the history (the baseline), ");
        sb.Append(inv, $"then {cycles:N0} one-minute slices of {rate:N0} events each (advancing time from the log's last event; accounts and files drawn from the log; every {MassReadEvery}th slice holds one account's mass read of {MassReadFiles:N0} files) are appended one at a time, ");
        sb.Append("each read by one cycle. A cycle's time is the monitor's own figure (its stderr line: read, aggregate, evaluate, commit, deliver); memory is the process's resident set size (`VmRSS`).\n\n");
        sb.Append("| measure | value |\n|---|---:|\n");
        sb.Append(inv, $"| start: reference tables and exposure analysis, until the first cycle | {Stats.Seconds(firstLineAt)} |\n");
        sb.Append(inv, $"| baseline: {baselineEvents:N0} events in {baselineSteps} steps | {Stats.Seconds(baselineMs)} |\n");
        sb.Append(inv, $"| resident memory at the end of the baseline | {Stats.Mib(baselineRss)} |\n");
        sb.Append(inv, $"| cycles of one slice ({appended:N0} events appended in all) | {cycleMs.Count:N0} |\n");
        sb.Append(inv, $"| cycle time: min / median / p99 / max | {Stats.Seconds(cycleMs.Min())} / {Stats.Seconds(Stats.Median(cycleMs))} / {Stats.Seconds(Percentile(cycleMs, 0.99))} / {Stats.Seconds(cycleMs.Max())} |\n");
        if (idleMs.Count > 0)
        {
            sb.Append(inv, $"| idle cycles (nothing new), median | {Stats.Seconds(Stats.Median(idleMs))} ({idleMs.Count:N0} of them) |\n");
        }

        sb.Append(inv, $"| slices read in two cycles (the write seen half done) | {split} |\n");
        sb.Append(inv, $"| alerts raised | {alerts:N0} |\n");
        sb.Append(inv, $"| state file at the end (with its WAL) | {stateBytes / (1024.0 * 1024):N0} MiB |\n");
        sb.Append("\nResident memory after cycle:\n\n| cycle | RSS |\n|---:|---:|\n");
        foreach (var (cycle, kib) in rss)
        {
            sb.Append(inv, $"| {cycle:N0} | {Stats.Mib(kib)} |\n");
        }

        var verdict = cycleMs.Max() <= 1000 ? "every cycle under 1 s" : "**some cycles over 1 s**";
        var growth = rss[^1].Kib - rss[0].Kib;
        sb.Append(inv, $"\nVerdict: {verdict}; memory from cycle {rss[0].Cycle} to {rss[^1].Cycle}: {(growth >= 0 ? "+" : "")}{growth / 1024.0:N0} MiB.\n");
        sb.Append(inv, $"\nVersions: .NET {Environment.Version}.\n");
        return sb.ToString();
    }

    private static void Log(string text) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {text}"));
}
