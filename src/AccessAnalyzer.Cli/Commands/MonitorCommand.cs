using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sinks.Alerts;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Gate;
using AccessAnalyzer.Sources.Monitor;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>monitor</c>: each cycle reads the access events that arrived since the last one, adds them to per-account,
/// per-day aggregates kept in the state file, evaluates the usage rules on the days they touched, and sends the new
/// alerts to every sink. The position, the aggregates and the alerts to send are committed together; sending happens
/// after the commit, from the outbox, so a crash at any point neither loses an event nor sends an alert twice to a sink
/// that recorded it. Every <c>--analyze-every</c> a cycle first re-reads the accounts and grants, runs the exposure
/// analysis and alerts, through the same outbox, on what is new since the previous stored run: what a grant widened
/// straight in production, which the gate never sees, looks like.
/// </summary>
internal static class MonitorCommand
{
    /// <summary>The webhook's bearer token when no <c>--webhook-token-file</c> is given.</summary>
    public const string TokenVariable = "AA_WEBHOOK_TOKEN";

    public static Command Create(CliContext context)
    {
        var source = new Option<string?>("--source") { Description = "A directory of canonical CSV files (access_events.csv, or the files of a rotated access_events/ directory, read as they grow), an SQLite database file, or postgres (connection string from --connection-file or AA_CONNECTION)." };
        var state = new Option<string>("--state")
        {
            Description = "The monitor's state: an SQLite file (created if missing), or postgres: tables in a schema of their own (--state-schema, created if missing) " +
                "of the database --state-connection-file names (default: the source's --connection-file, else AA_CONNECTION).",
            Required = true,
        };
        var stateConnectionFile = new Option<string?>("--state-connection-file")
        {
            Description = "With --state postgres: file holding the state database's connection string (default: the source's --connection-file, else AA_CONNECTION; never on the command line).",
        };
        var stateSchema = new Option<string?>("--state-schema") { Description = $"With --state postgres: the schema holding the state's tables. [default: {MonitorState.DefaultSchema}]" };
        var every = new Option<string>("--every") { Description = "Time between cycles: 30s, 5m, 1h. [default: 60s]", DefaultValueFactory = _ => "60s" };
        var once = new Option<bool>("--once") { Description = "Run one cycle and exit (for cron)." };
        var alert = new Option<string[]>("--alert")
        {
            Description = "Where alerts go, any number: jsonl:FILE, syslog:HOST:PORT (RFC 5424 over UDP), syslog+tcp:HOST:PORT (over TCP, octet-counted), webhook:URL (HTTP POST with an Idempotency-Key).",
            AllowMultipleArgumentsPerToken = false,
        };
        var tokenFile = new Option<string?>("--webhook-token-file") { Description = $"File holding the webhook's bearer token (default: the {TokenVariable} variable; never on the command line)." };
        var analyzeEvery = new Option<string>("--analyze-every")
        {
            Description = "Time between exposure analyses: re-read the accounts and grants, analyze, store the run and alert on what is new since the previous one " +
                "(new critical finding, excess grown past --excess-growth, grant added or widened, policy rule newly broken). [default: 24h]",
            DefaultValueFactory = _ => "24h",
        };
        var policy = new Option<string?>("--policy") { Description = "The gate's policy file, judging each analysis run and the grants changed since the previous one (default: none; the monitor's own rules only)." };
        var excessGrowth = new Option<long>("--excess-growth")
        {
            Description = $"An account whose excess grew by more than this many files since the previous analysis run raises excess-grew. [default: {ExposureDrift.DefaultExcessGrowth}]",
            DefaultValueFactory = _ => ExposureDrift.DefaultExcessGrowth,
        };
        var lateWindow = new Option<string?>("--late-window")
        {
            Description = "PostgreSQL source: each cycle re-reads the rows whose at is within this of the newest at read, so rows arriving that late are still counted " +
                "(once); a row arriving later than that is missed. [default: 10m]",
        };
        var status = new Option<bool>("--status") { Description = "Print the state's position, last cycle, last analysis run and the alerts of the last 24 h, then exit." };
        var command = new Command("monitor", "Watch the access log as it grows and alert on mass reads, spikes, sensitive reads outside the caseload and dormant accounts.")
        {
            source, state, stateSchema, stateConnectionFile, every, analyzeEvery, policy, excessGrowth, once, alert, tokenFile, lateWindow, status,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var statePath = parse.GetValue(state)!;
            var options = sourceArguments.Resolve(context, parse);

            // Checked before any cycle: a --state-schema or --state-connection-file without --state postgres is said, not ignored.
            var openState = StateOpener(statePath, parse.GetValue(stateSchema), parse.GetValue(stateConnectionFile), options);
            if (parse.GetValue(status))
            {
                PrintStatus(context, openState(false));
                return ExitCodes.Ok;
            }

            var sourceArgument = parse.GetValue(source) ?? throw new UsageException("--source is required (except with --status)");
            var interval = ParseInterval(parse.GetValue(every)!, "--every");
            var lateText = parse.GetValue(lateWindow);
            var late = ParseInterval(lateText ?? "10m", "--late-window");
            var analysis = new AnalysisSchedule(
                ParseInterval(parse.GetValue(analyzeEvery)!, "--analyze-every"),
                parse.GetValue(policy) is { } policyPath ? ExposureDrift.ForMonitor(ReadPolicy(policyPath)) : null,
                parse.GetValue(excessGrowth) is >= 0 and var growth ? growth : throw new UsageException("--excess-growth: must be 0 or more"));
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

                return Run(context, sourceArgument, options, openState, interval, (late, lateText is not null), analysis, parse.GetValue(once), sinks);
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

    /// <summary>
    /// The state <c>--state</c> names: an SQLite file, or with <c>postgres</c> a schema of the database whose connection
    /// string <c>--state-connection-file</c> holds, else the source's (<c>--connection-file</c>, else
    /// <c>AA_CONNECTION</c>): never on the command line. Its own file, because a CSV or SQLite source takes no
    /// <c>--connection-file</c>, and the state may live on another server than the log.
    /// </summary>
    private static Func<bool, MonitorState> StateOpener(string state, string? schema, string? connectionFile, SourceOptions options)
    {
        if (string.Equals(state, "postgres", StringComparison.OrdinalIgnoreCase))
        {
            var target = CliContext.Sources.ResolveStoreTarget("postgres", options with { ConnectionFile = connectionFile ?? options.ConnectionFile, Schema = null });
            return create => MonitorState.OpenPostgres(target.Open, target.Name, schema ?? MonitorState.DefaultSchema, create);
        }

        if (schema is not null || connectionFile is not null)
        {
            throw new UsageException($"{(schema is not null ? "--state-schema" : "--state-connection-file")}: only with --state postgres (the state is an SQLite file)");
        }

        if (CliContext.Sources.DatabaseNames.Contains(state, StringComparer.OrdinalIgnoreCase))
        {
            throw new UsageException($"--state: '{state}' is not supported; the state is an SQLite file or postgres");
        }

        return create => MonitorState.Open(state, create);
    }

    private static int Run(CliContext context, string sourceArgument, SourceOptions options, Func<bool, MonitorState> openState, TimeSpan interval,
        (TimeSpan Window, bool Given) late, AnalysisSchedule schedule, bool once, IReadOnlyList<IAlertSink> sinks)
    {
        var resolved = CliContext.ResolveSource(sourceArgument, options);
        if (late.Given && resolved.Kind != SourceKind.Postgres)
        {
            // Said, not ignored: CSV and SQLite rows are found by their place in the log, so no window applies to them.
            throw new UsageException("--late-window: only for a PostgreSQL source (CSV and SQLite rows are read by their place in the log, not by their at)");
        }

        var lateWindow = late.Window;
        IEventFeed feed = resolved.Kind switch
        {
            SourceKind.Csv => new CsvEventFeed(sourceArgument),
            SourceKind.Sqlite => new SqliteEventFeed(sourceArgument),
            SourceKind.Postgres when resolved.Store is { } server => new PostgresEventFeed(server.Open, server.Dialect, server.Name, lateWindow),
            _ => throw new UsageException("--source: the monitor reads a CSV directory, an SQLite file or PostgreSQL (SQL Server: not supported)"),
        };
        try
        {
            using var monitorState = openState(true);
            using var stop = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            var usageOptions = new UsageOptions();
            Core.Model.Snapshot? snapshot = null;
            var analyses = 0;
            IReadOnlyList<PrincipalFigures> figures = [];

            // Alerts committed but not delivered before a crash go out first.
            Deliver(context, monitorState, sinks);
            while (true)
            {
                // The reference tables (accounts, grants) are re-read with each analysis run, so that new accounts and
                // grants are seen; between runs the usage rules use the last read. A CSV feed caches files and caseload
                // from its own read: it is renewed with them.
                if (AnalysisDue(monitorState, schedule.Every))
                {
                    var tables = ReferenceTables(resolved, sourceArgument, options);
                    (snapshot, figures) = Analyze(context, monitorState, tables, schedule, [.. sinks.Select(s => s.Name)]);
                    if (resolved.Kind == SourceKind.Csv && analyses++ > 0)
                    {
                        feed.Dispose();
                        feed = new CsvEventFeed(sourceArgument);
                    }
                }
                else if (snapshot is null)
                {
                    snapshot = SnapshotBuilder.Build(ReferenceTables(resolved, sourceArgument, options));
                    figures = ReportBuilder.AllFigures(ToolInfo.Analyze(snapshot, DateOnly.FromDateTime(DateTime.UtcNow)));
                }

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
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line}; {watch.ElapsedMilliseconds} ms"));
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
        finally
        {
            feed.Dispose();
        }
    }

    /// <summary>What <c>--analyze-every</c>, <c>--policy</c> and <c>--excess-growth</c> say.</summary>
    private sealed record AnalysisSchedule(TimeSpan Every, GatePolicy? Policy, long ExcessGrowth);

    private static bool AnalysisDue(MonitorState state, TimeSpan every) =>
        state.LastAnalysis() is not { } last ||
        DateTimeOffset.UtcNow - DateTimeOffset.Parse(last.Run.At, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) >= every;

    /// <summary>
    /// One analysis run: analyzes the source, compares with the previous stored run and stores this one with its alerts
    /// in one transaction. The "before" side of the grant diff is the previous run's small tables over today's files
    /// and caseload: kept as rows (a few MB at national scale) rather than as a second copy of the files, it makes the
    /// gate's <see cref="SnapshotDiff"/> and change rules judge the grants that changed, not the files that came and went,
    /// and it costs a second analysis only when a small table changed.
    /// </summary>
    private static (Core.Model.Snapshot Snapshot, IReadOnlyList<PrincipalFigures> Figures) Analyze(
        CliContext context, MonitorState state, SourceTables tables, AnalysisSchedule schedule, IReadOnlyList<string> sinks)
    {
        var asOf = DateOnly.FromDateTime(DateTime.UtcNow);
        var snapshot = SnapshotBuilder.Build(tables);
        var after = ToolInfo.Analyze(snapshot, asOf);
        var figures = ReportBuilder.AllFigures(after);
        var findings = FindingRules.Evaluate(after, figures, new ReportOptions());
        var reference = MonitorState.ReferenceText(ReferenceRows.Of(tables));
        var previous = state.LastAnalysis();
        var diff = previous is not null && !string.Equals(previous.Reference, reference, StringComparison.Ordinal)
            ? SnapshotDiff.Compute(ToolInfo.Analyze(SnapshotBuilder.Build(MonitorState.ParseReference(previous.Reference).Over(tables)), asOf), after)
            : ExposureDrift.NoChange(after, figures);
        var outcome = schedule.Policy is null ? null : GateEvaluator.Evaluate(after, schedule.Policy, diff, baseline: null);
        var record = ExposureDrift.Record(figures, findings, outcome);
        var alerts = previous is null ? [] : ExposureDrift.Compare(previous.Record, figures, findings, diff, outcome, schedule.Policy, schedule.ExcessGrowth);
        var run = state.CommitAnalysis(DateTimeOffset.UtcNow, asOf, figures, findings.Count, record, reference, alerts, baseline: previous is null, sinks);
        context.Error.WriteLine(
            $"monitor: analysis run {run}: {figures.Length} accounts, {findings.Count} findings" +
            (previous is null ? " (baseline: recorded, no alerts)" : $", {alerts.Count} alerts"));
        return (snapshot, figures);
    }

    private static GatePolicy ReadPolicy(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--policy: file '{path}' not found");
        }

        return GatePolicyParser.Parse(Sources.Gate.JsonFile.ReadText(path, path), Path.GetFileName(path));
    }

    /// <summary>
    /// The source's tables without its access log, for a CSV directory: the log is the monitor's to read, from its
    /// offset; read whole here it would cost a full aggregation at every analysis and refuse the half-written last line
    /// a growing log may end with. The other tables are linked, not copied.
    /// </summary>
    private static SourceTables ReferenceTables(ISource resolved, string sourceArgument, SourceOptions options)
    {
        if (resolved.Kind != SourceKind.Csv)
        {
            return resolved.Read().Tables;
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

            return CliContext.ResolveSource(view.FullName, options).Read().Tables;
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

    private static void PrintStatus(CliContext context, MonitorState opened)
    {
        using var state = opened;
        var meta = state.Meta();
        string Get(string key) => meta.TryGetValue(key, out var value) ? value : "-";
        var rotated = meta.Keys.Count(k => k.StartsWith("file:", StringComparison.Ordinal) && k.EndsWith(":offset", StringComparison.Ordinal));
        var position = meta.ContainsKey("rowid") ? $"rowid {Get("rowid")}"
            : meta.ContainsKey("csv_offset") ? $"byte offset {Get("csv_offset")} of access_events.csv"
            : rotated > 0 ? $"{rotated} file(s) of access_events/, each read up to its own byte offset"
            : meta.ContainsKey("at_watermark")
                ? $"at {Get("at_watermark")}, re-read from {Get("at_keep_from")} (late window {Get("at_late_window_seconds")} s: a row whose at is older than that when it is " +
                    "inserted is not read, and not counted)"
            : "none yet";
        var output = context.Out;
        output.WriteLine(MessageText.OneLine($"state: {state.Path}"));
        output.WriteLine($"watermark: {position}");
        output.WriteLine($"last cycle: {Get("last_cycle_at")} ({Get("last_cycle_events")} events, {Get("last_cycle_alerts")} alerts)");
        output.WriteLine($"cycles: {Get("cycles")}; events: {Get("events")}; late events (day already closed): {Get("late_events")}; latest day: {Get("max_day")}");
        if (state.LastAnalysis() is { Run: var run })
        {
            output.WriteLine(
                $"last analysis: run {run.Run} at {run.At} (as of {run.AsOf}): {run.Accounts} accounts, {run.Findings} findings ({run.CriticalFindings} critical), " +
                (run.Baseline ? "baseline (no alerts)" : $"{run.Alerts} alerts"));
            foreach (var (alert, undelivered) in state.AlertsSince(DateTimeOffset.Parse(run.At, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)).Where(a => a.Alert.Run == run.Run))
            {
                output.WriteLine(MessageText.OneLine($"  {alert.Severity} {alert.Rule} {alert.SubjectKind} {alert.Subject}: {alert.Message}; {Pending(undelivered)}"));
            }
        }
        else
        {
            output.WriteLine("last analysis: none yet");
        }

        var alerts = state.AlertsSince(DateTimeOffset.UtcNow.AddHours(-24));
        output.WriteLine($"alerts in the last 24 h: {alerts.Count}");
        foreach (var (alert, undelivered) in alerts)
        {
            output.WriteLine(MessageText.OneLine(alert.Run is null
                ? $"  {alert.DetectedAt} {alert.Rule} (level {alert.Level}) {alert.Account} ({alert.Organization}) on {alert.Day}: {alert.Count} (threshold {alert.Threshold}); {Pending(undelivered)}"
                : $"  {alert.DetectedAt} {alert.Rule} (analysis run {alert.Run}) {alert.SubjectKind} {alert.Subject}: {alert.Count} (threshold {alert.Threshold}); {Pending(undelivered)}"));
        }

        static string Pending(IReadOnlyList<string> undelivered) => undelivered.Count == 0 ? "delivered" : $"pending: {string.Join(", ", undelivered)}";
    }

    /// <summary><c>30s</c>, <c>5m</c>, <c>1h</c>, <c>500ms</c>.</summary>
    internal static TimeSpan ParseInterval(string text, string option)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, "^([0-9]{1,7})(ms|s|m|h)$");
        if (!match.Success || long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) == 0)
        {
            throw new UsageException($"{option}: '{text}' is not a duration such as 30s, 5m or 1h");
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
