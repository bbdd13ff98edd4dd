using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sinks.Alerts;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Monitor;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>monitor</c>: each cycle reads the access events that arrived since the last one, adds them to per-account,
/// per-day aggregates kept in the state file, evaluates the usage rules on the days they touched, and sends the new
/// alerts to every sink. The position, the aggregates and the alerts to send are committed together; sending happens
/// after the commit, from the outbox, so a crash at any point neither loses an event nor sends an alert twice to a sink
/// that recorded it.
/// </summary>
internal static class MonitorCommand
{
    /// <summary>The webhook's bearer token when no <c>--webhook-token-file</c> is given.</summary>
    public const string TokenVariable = "AA_WEBHOOK_TOKEN";

    public static Command Create(CliContext context)
    {
        var source = new Option<string?>("--source") { Description = "A directory of canonical CSV files (access_events.csv, or the files of a rotated access_events/ directory, read as they grow) or an SQLite database file." };
        var state = new Option<string>("--state") { Description = "The monitor's state: an SQLite file (created if missing).", Required = true };
        var every = new Option<string>("--every") { Description = "Time between cycles: 30s, 5m, 1h. [default: 60s]", DefaultValueFactory = _ => "60s" };
        var once = new Option<bool>("--once") { Description = "Run one cycle and exit (for cron)." };
        var alert = new Option<string[]>("--alert")
        {
            Description = "Where alerts go, any number: jsonl:FILE, syslog:HOST:PORT (RFC 5424 over UDP), syslog+tcp:HOST:PORT (over TCP, octet-counted), webhook:URL (HTTP POST with an Idempotency-Key).",
            AllowMultipleArgumentsPerToken = false,
        };
        var tokenFile = new Option<string?>("--webhook-token-file") { Description = $"File holding the webhook's bearer token (default: the {TokenVariable} variable; never on the command line)." };
        var status = new Option<bool>("--status") { Description = "Print the state's position, last cycle and the alerts of the last 24 h, then exit." };
        var command = new Command("monitor", "Watch the access log as it grows and alert on mass reads, spikes, sensitive reads outside the caseload and dormant accounts.")
        {
            source, state, every, once, alert, tokenFile, status,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var statePath = parse.GetValue(state)!;
            if (parse.GetValue(status))
            {
                PrintStatus(context, statePath);
                return ExitCodes.Ok;
            }

            var sourceArgument = parse.GetValue(source) ?? throw new UsageException("--source is required (except with --status)");
            var interval = ParseInterval(parse.GetValue(every)!);
            var token = Token(parse.GetValue(tokenFile));
            var sinks = new List<IAlertSink>();
            try
            {
                foreach (var spec in parse.GetValue(alert) ?? [])
                {
                    sinks.Add(AlertSinks.Parse(spec, token, out var error) ?? throw new UsageException($"--alert: {error}"));
                }

                if (sinks.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                {
                    throw new UsageException($"--alert: '{twice.Key}' is given twice");
                }

                return Run(context, sourceArgument, sourceArguments.Resolve(context, parse), statePath, interval, parse.GetValue(once), sinks);
            }
            finally
            {
                foreach (var sink in sinks)
                {
                    sink.Dispose();
                }
            }
        });
        return command;
    }

    private static int Run(CliContext context, string sourceArgument, SourceOptions options, string statePath, TimeSpan interval, bool once,
        IReadOnlyList<IAlertSink> sinks)
    {
        var resolved = CliContext.ResolveSource(sourceArgument, options);
        using IEventFeed feed = resolved.Kind switch
        {
            SourceKind.Csv => new CsvEventFeed(sourceArgument),
            SourceKind.Sqlite => new SqliteEventFeed(sourceArgument),
            _ => throw new UsageException("--source: the monitor reads a CSV directory or an SQLite file (database servers: not yet)"),
        };

        // The reference tables (accounts, their organisation, unit and status) are read once: the monitor follows the
        // log, not grants; restart it to see new accounts.
        var snapshot = ReferenceSnapshot(resolved, sourceArgument, options);
        var analysis = ToolInfo.Analyze(snapshot, DateOnly.FromDateTime(DateTime.UtcNow));
        var figures = ReportBuilder.AllFigures(analysis);
        var usageOptions = new UsageOptions();
        using var monitorState = MonitorState.Open(statePath, create: true);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        // Alerts committed but not delivered before a crash go out first.
        Deliver(context, monitorState, sinks);
        while (true)
        {
            // A backlog is read in bounded steps, each committed on its own: a kill loses at most the step under way.
            // Each step's line ends with its duration, the last one's with the delivery included: what a cycle costs.
            EventBatch batch;
            string line;
            var watch = Stopwatch.StartNew();
            do
            {
                watch.Restart();
                batch = feed.ReadAfter(monitorState.Meta());
                var result = monitorState.Commit(batch, snapshot, figures, usageOptions, [.. sinks.Select(s => s.Name)], DateTimeOffset.UtcNow);
                line = $"monitor: {result.Events} new events{(result.Baseline ? " (baseline: history recorded, no alerts)" : string.Empty)}, " +
                    $"{result.Alerts} alerts, {result.LateEvents} late, {result.Ignored} naming a missing account or file";
                if (batch.More)
                {
                    context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line}; {watch.ElapsedMilliseconds} ms"));
                }
            }
            while (batch.More && !stop.IsCancellationRequested);

            Deliver(context, monitorState, sinks);
            if (!batch.More)
            {
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line}; {watch.ElapsedMilliseconds} ms"));
            }

            if (once || stop.IsCancellationRequested || stop.Token.WaitHandle.WaitOne(interval))
            {
                return ExitCodes.Ok;
            }
        }

        // SIGINT and SIGTERM end the loop once the cycle under way is committed and delivered: exit 0.
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>
    /// The source without its access log, for a CSV directory: the log is the monitor's to read, from its offset; read
    /// whole here it would cost a full aggregation at every start and refuse the half-written last line a growing log
    /// may end with. The other tables are linked, not copied.
    /// </summary>
    private static Core.Model.Snapshot ReferenceSnapshot(ISource resolved, string sourceArgument, SourceOptions options)
    {
        if (resolved.Kind != SourceKind.Csv)
        {
            return resolved.Read().Snapshot();
        }

        var view = Directory.CreateTempSubdirectory("aa-monitor-");
        try
        {
            foreach (var file in Directory.GetFiles(sourceArgument, "*.csv"))
            {
                if (!string.Equals(Path.GetFileName(file), "access_events.csv", StringComparison.Ordinal))
                {
                    File.CreateSymbolicLink(Path.Combine(view.FullName, Path.GetFileName(file)), Path.GetFullPath(file));
                }
            }

            var snapshot = CliContext.ResolveSource(view.FullName, options).Read().Snapshot();
            return snapshot;
        }
        finally
        {
            view.Delete(recursive: true);
        }
    }

    private static void Deliver(CliContext context, MonitorState state, IReadOnlyList<IAlertSink> sinks)
    {
        foreach (var sink in sinks)
        {
            foreach (var alert in state.Pending(sink.Name))
            {
                if (!sink.TryDeliver(alert, out var error))
                {
                    // Left pending: the next cycle retries it, in order.
                    context.Error.WriteLine(MessageText.OneLine($"monitor: {sink.Name}: not delivered, will retry: {error}"));
                    break;
                }

                state.MarkDelivered(alert.Id, sink.Name, DateTimeOffset.UtcNow);
            }
        }
    }

    private static void PrintStatus(CliContext context, string statePath)
    {
        using var state = MonitorState.Open(statePath, create: false);
        var meta = state.Meta();
        string Get(string key) => meta.TryGetValue(key, out var value) ? value : "-";
        var rotated = meta.Keys.Count(k => k.StartsWith("file:", StringComparison.Ordinal) && k.EndsWith(":offset", StringComparison.Ordinal));
        var position = meta.ContainsKey("rowid") ? $"rowid {Get("rowid")}"
            : meta.ContainsKey("csv_offset") ? $"byte offset {Get("csv_offset")} of access_events.csv"
            : rotated > 0 ? $"{rotated} file(s) of access_events/, each read up to its own byte offset" : "none yet";
        var output = context.Out;
        output.WriteLine(MessageText.OneLine($"state: {statePath}"));
        output.WriteLine($"watermark: {position}");
        output.WriteLine($"last cycle: {Get("last_cycle_at")} ({Get("last_cycle_events")} events, {Get("last_cycle_alerts")} alerts)");
        output.WriteLine($"cycles: {Get("cycles")}; events: {Get("events")}; late events (day already closed): {Get("late_events")}; latest day: {Get("max_day")}");
        var alerts = state.AlertsSince(DateTimeOffset.UtcNow.AddHours(-24));
        output.WriteLine($"alerts in the last 24 h: {alerts.Count}");
        foreach (var (alert, undelivered) in alerts)
        {
            var pending = undelivered.Count == 0 ? "delivered" : $"pending: {string.Join(", ", undelivered)}";
            output.WriteLine(MessageText.OneLine(
                $"  {alert.DetectedAt} {alert.Rule} (level {alert.Level}) {alert.Account} ({alert.Organization}) on {alert.Day}: {alert.Count} (threshold {alert.Threshold}); {pending}"));
        }
    }

    /// <summary><c>30s</c>, <c>5m</c>, <c>1h</c>, <c>500ms</c>.</summary>
    internal static TimeSpan ParseInterval(string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, "^([0-9]{1,7})(ms|s|m|h)$");
        if (!match.Success || long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) == 0)
        {
            throw new UsageException($"--every: '{text}' is not a duration such as 30s, 5m or 1h");
        }

        var n = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromHours(n),
        };
    }

    private static string? Token(string? file)
    {
        if (file is null)
        {
            return Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } variable ? variable.Trim() : null;
        }

        var text = File.Exists(file) ? File.ReadAllText(file).Trim() : throw new UsageException($"--webhook-token-file: '{file}' does not exist");
        return text.Length > 0 ? text : throw new UsageException($"--webhook-token-file: '{file}' is empty");
    }
}
