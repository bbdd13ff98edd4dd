using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Sources.Monitor;

/// <summary>
/// An alert as every sink sends it. A usage alert: the rule, the account, its organisation and unit, the day's counts
/// and the evidence window. An analysis alert (<c>--analyze-every</c>): the rule, what it is about (<see cref="SubjectKind"/>,
/// <see cref="Subject"/>), the run, a sentence, and for a grant the assignment, its role, holder and scope before and
/// after. The fields one kind does not have are left out of the JSON, so a usage alert reads as it always has. Never a
/// beneficiary file id: the state holds none to put here.
/// </summary>
public sealed record MonitorAlert
{
    /// <summary>
    /// Derived from (rule, account, day, level) for a usage alert, (rule, subject, run) for an analysis alert: the same
    /// alert has the same id in every attempt (the webhook's idempotency key).
    /// </summary>
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("rule")] public required string Rule { get; init; }
    [JsonPropertyName("severity")] public required string Severity { get; init; }
    [JsonPropertyName("level")] public required int Level { get; init; }
    [JsonPropertyName("account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Account { get; init; }
    [JsonPropertyName("organization"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Organization { get; init; }
    [JsonPropertyName("unit")] public string? Unit { get; init; }
    [JsonPropertyName("day"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Day { get; init; }
    [JsonPropertyName("count")] public required long Count { get; init; }
    [JsonPropertyName("threshold")] public required long Threshold { get; init; }
    [JsonPropertyName("reads"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Reads { get; init; }
    [JsonPropertyName("distinct_files"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? DistinctFiles { get; init; }
    [JsonPropertyName("distinct_outside_caseload"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? OutsideCaseload { get; init; }
    [JsonPropertyName("distinct_sensitive_outside_caseload"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? SensitiveOutsideCaseload { get; init; }
    [JsonPropertyName("window_start"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? WindowStart { get; init; }
    [JsonPropertyName("window_end"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? WindowEnd { get; init; }
    [JsonPropertyName("detected_at")] public required string DetectedAt { get; init; }

    /// <summary>The analysis run that raised it (analysis alerts).</summary>
    [JsonPropertyName("run"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Run { get; init; }
    [JsonPropertyName("subject_kind"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SubjectKind { get; init; }
    [JsonPropertyName("subject"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Subject { get; init; }
    [JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Message { get; init; }
    [JsonPropertyName("assignment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Assignment { get; init; }
    [JsonPropertyName("role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Role { get; init; }
    [JsonPropertyName("holder_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? HolderType { get; init; }
    [JsonPropertyName("holder"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Holder { get; init; }
    [JsonPropertyName("scope_before"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ScopeBefore { get; init; }
    [JsonPropertyName("scope_after"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ScopeAfter { get; init; }
    [JsonPropertyName("gate_rules"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? GateRules { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static MonitorAlert FromJson(string json) =>
        JsonSerializer.Deserialize<MonitorAlert>(json) ?? throw new InvalidOperationException("an empty alert in the outbox");
}

/// <summary>An analysis run as <c>--status</c> shows it.</summary>
public sealed record StoredAnalysisRun(long Run, string At, string AsOf, long Accounts, long Findings, long CriticalFindings, long Alerts, bool Baseline);

/// <summary>The last analysis run, what the next compares with (<see cref="DriftRecord"/>) and its small tables as stored text.</summary>
public sealed record StoredAnalysis(StoredAnalysisRun Run, DriftRecord Record, string Reference);

/// <summary>What a cycle did, for the log line and <c>--status</c>.</summary>
public sealed record CycleResult(long Events, long LateEvents, long Ignored, int Alerts, bool Baseline);

/// <summary>
/// The monitor's state, one SQLite file: the feed's position, per-account per-day aggregates, the (account, day, file
/// digest) sets of the days still open, the level each (account, day, rule) alert reached, and an outbox of alerts with
/// one delivery row per sink. A cycle's position, aggregates, alert levels and outbox rows are committed in one
/// transaction: killed at any point, the monitor restarts from the last commit and neither loses nor double-counts an
/// event. Deliveries happen after the commit and are marked one by one, so an alert is sent again only to a sink
/// whose delivery was not yet marked.
/// </summary>
public sealed class MonitorState : IDisposable
{
    /// <summary>Days whose file sets are kept (the last day seen and the one before): later events for older days are counted as late.</summary>
    public const int OpenDays = 2;

    /// <summary>The PostgreSQL schema <c>--state postgres</c> keeps the tables in unless told otherwise.</summary>
    public const string DefaultSchema = "aa_monitor";

    /// <summary>
    /// The tables, in SQL both databases accept. SQLite's own clauses (its integer rowid keys, <c>WITHOUT ROWID</c>)
    /// are kept there, where they spare an index per table; PostgreSQL gets <c>BIGINT</c>, as the file digests are 64-bit.
    /// </summary>
    private const string Tables = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS principal_day (principal TEXT NOT NULL, day TEXT NOT NULL, reads INTEGER NOT NULL,
            distinct_files INTEGER NOT NULL, outside INTEGER NOT NULL, sensitive INTEGER NOT NULL, sensitive_outside INTEGER NOT NULL,
            first_at TEXT NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY (principal, day)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS seen (principal TEXT NOT NULL, day TEXT NOT NULL, file_key INTEGER NOT NULL,
            PRIMARY KEY (principal, day, file_key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS alert_level (principal TEXT NOT NULL, day TEXT NOT NULL, rule TEXT NOT NULL, level INTEGER NOT NULL,
            PRIMARY KEY (principal, day, rule)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, payload TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS delivery (alert_id TEXT NOT NULL, sink TEXT NOT NULL, delivered_at TEXT,
            PRIMARY KEY (alert_id, sink)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS analysis_run (run INTEGER PRIMARY KEY, at TEXT NOT NULL, as_of TEXT NOT NULL, accounts INTEGER NOT NULL,
            findings INTEGER NOT NULL, critical_findings INTEGER NOT NULL, alerts INTEGER NOT NULL, baseline INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS analysis_account (principal TEXT PRIMARY KEY, reach INTEGER NOT NULL, excess INTEGER NOT NULL,
            sensitive_excess INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS analysis_mark (kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS analysis_reference (name TEXT PRIMARY KEY, rows TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS source_row (key INTEGER PRIMARY KEY, at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS source_row_at ON source_row (at);
        """;

    private readonly DbConnection _connection;

    /// <summary>PostgreSQL rather than SQLite: the few statements the two spell differently.</summary>
    private readonly bool _postgres;

    /// <summary>read-spike's peer histograms, loaded from the stored days at the first cycle and then kept up to date; dropped when a cycle fails.</summary>
    private SpikeHistory? _spikes;

    private MonitorState(DbConnection connection, bool postgres)
    {
        _connection = connection;
        _postgres = postgres;
    }

    /// <summary>The SQLite file, or the PostgreSQL database and schema (never with credentials): for messages and <c>--status</c>.</summary>
    public string Path { get; private init; } = string.Empty;

    /// <summary>Opens (creating when missing) the state file.</summary>
    public static MonitorState Open(string path, bool create)
    {
        if (!create && !File.Exists(path))
        {
            throw new InputErrorException(path, null, null, "no such monitor state file");
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            var state = new MonitorState(connection, postgres: false) { Path = path };
            if (create)
            {
                state.Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; " + Tables);
            }

            return state;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InputErrorException(path, null, null, $"cannot open the monitor state: {ex.Message}");
        }
    }

    /// <summary>
    /// Opens the state kept in a PostgreSQL schema of its own, creating the schema and its tables when
    /// <paramref name="create"/>; without it (<c>--status</c>) a schema holding no state is an error, not an empty state.
    /// </summary>
    /// <param name="open">Opens a connection to the database (its failure is bad input naming the database).</param>
    /// <param name="name">The database without credentials, for messages.</param>
    /// <param name="schema">The schema holding the tables, a plain identifier.</param>
    /// <param name="create">Create the schema and tables when missing (a monitor run) or require them (<c>--status</c>).</param>
    public static MonitorState OpenPostgres(Func<DbConnection> open, string name, string schema, bool create)
    {
        ArgumentNullException.ThrowIfNull(open);
        var where = $"{name} (schema {schema})";
        if (!System.Text.RegularExpressions.Regex.IsMatch(schema, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new InputErrorException(schema, null, null, "a monitor state schema is a lowercase identifier (letters, digits, _)");
        }

        var connection = open();
        try
        {
            var state = new MonitorState(connection, postgres: true) { Path = where };

            // The schema is the search path: every statement names its tables unqualified, as on SQLite.
            state.Execute(create ? $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"; SET search_path TO \"{schema}\"" : $"SET search_path TO \"{schema}\"");
            if (create)
            {
                state.Execute(Tables.Replace(" WITHOUT ROWID", string.Empty, StringComparison.Ordinal).Replace("INTEGER", "BIGINT", StringComparison.Ordinal));
            }
            else if (!state.HasTable("meta"))
            {
                throw new InputErrorException(where, null, null, "no monitor state in this schema");
            }

            return state;
        }
        catch (DbException ex)
        {
            connection.Dispose();
            throw new InputErrorException(where, null, null, $"cannot open the monitor state: {ex.Message}");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public IReadOnlyDictionary<string, string> Meta()
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = Command("SELECT key, value FROM meta");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            meta[reader.GetString(0)] = reader.GetString(1);
        }

        return meta;
    }

    /// <summary>
    /// One cycle: aggregates the batch, evaluates the rules on the days it touched, records new alert levels and
    /// their outbox rows (one pending delivery per sink), and moves the position: all in one transaction. The first
    /// cycle of a state is the baseline: it records the history and its alert levels but queues nothing, so that
    /// starting the monitor on an existing log does not replay its past as alerts.
    /// </summary>
    public CycleResult Commit(EventBatch batch, Snapshot snapshot, IReadOnlyList<PrincipalFigures> figures, UsageOptions options,
        IReadOnlyList<string> sinks, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(sinks);
        _spikes ??= LoadSpikes(snapshot, figures);
        try
        {
            return Commit(batch, snapshot, figures, options, sinks, now, _spikes);
        }
        catch
        {
            // The transaction rolled back: the histograms may hold its changes.
            _spikes = null;
            throw;
        }
    }

    private CycleResult Commit(EventBatch batch, Snapshot snapshot, IReadOnlyList<PrincipalFigures> figures, UsageOptions options,
        IReadOnlyList<string> sinks, DateTimeOffset now, SpikeHistory spikes)
    {
        var meta = Meta();
        // The baseline lasts until the first read that reaches the end of the log: a long history read in steps is
        // history all along.
        var baseline = !meta.ContainsKey("caught_up");
        var openFrom = meta.TryGetValue("open_from", out var o) ? DateOnly.ParseExact(o, "yyyy-MM-dd", CultureInfo.InvariantCulture) : DateOnly.MinValue;
        var maxDay = meta.TryGetValue("max_day", out var m) ? DateOnly.ParseExact(m, "yyyy-MM-dd", CultureInfo.InvariantCulture) : DateOnly.MinValue;
        long late = 0, ignored = 0;
        var alerts = 0;

        using var transaction = _connection.BeginTransaction();
        using var insertSeen = Command("INSERT INTO seen (principal, day, file_key) VALUES (@p, @d, @f) ON CONFLICT DO NOTHING", transaction);
        var seenP = Parameter(insertSeen, "@p", DbType.String);
        var seenD = Parameter(insertSeen, "@d", DbType.String);
        var seenF = Parameter(insertSeen, "@f", DbType.Int64);
        insertSeen.Prepare();

        using var insertRow = Command("INSERT INTO source_row (key, at) VALUES (@k, @at) ON CONFLICT DO NOTHING", transaction);
        var rowKey = Parameter(insertRow, "@k", DbType.Int64);
        var rowAt = Parameter(insertRow, "@at", DbType.String);
        insertRow.Prepare();
        long fresh = 0;

        var deltas = new Dictionary<(string Principal, DateOnly Day), Delta>();
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var e = batch.Events[i];
            if (batch.RowKeys is { } rows)
            {
                // A row of the re-read window counted by an earlier cycle: already in the aggregates.
                (rowKey.Value, rowAt.Value) = rows.Keys[i];
                if (insertRow.ExecuteNonQuery() == 0)
                {
                    continue;
                }
            }

            fresh++;
            if (!snapshot.TryGetPrincipal(e.PrincipalId, out _) || !e.FileKnown)
            {
                // As in analyze: events naming a missing principal or file are not aggregated.
                ignored++;
                continue;
            }

            if (e.Day < openFrom)
            {
                // Its day's file set is gone: counting it would double-count files already read that day.
                late++;
                continue;
            }

            if (e.Day > maxDay)
            {
                maxDay = e.Day;
            }

            if (!deltas.TryGetValue((e.PrincipalId, e.Day), out var delta))
            {
                deltas[(e.PrincipalId, e.Day)] = delta = new Delta { FirstAt = e.At, LastAt = e.At };
            }

            delta.Reads++;
            delta.FirstAt = string.CompareOrdinal(e.At, delta.FirstAt) < 0 ? e.At : delta.FirstAt;
            delta.LastAt = string.CompareOrdinal(e.At, delta.LastAt) > 0 ? e.At : delta.LastAt;
            seenP.Value = e.PrincipalId;
            seenD.Value = Day(e.Day);
            seenF.Value = e.FileKey;
            if (insertSeen.ExecuteNonQuery() == 1)
            {
                delta.Distinct++;
                delta.Outside += e.InCaseload ? 0 : 1;
                delta.Sensitive += e.Sensitive ? 1 : 0;
                delta.SensitiveOutside += e.Sensitive && !e.InCaseload ? 1 : 0;
            }
        }

        using (var upsert = Command("""
            INSERT INTO principal_day VALUES (@p, @d, @r, @n, @o, @s, @so, @fa, @la)
            ON CONFLICT (principal, day) DO UPDATE SET reads = principal_day.reads + excluded.reads,
                distinct_files = principal_day.distinct_files + excluded.distinct_files, outside = principal_day.outside + excluded.outside,
                sensitive = principal_day.sensitive + excluded.sensitive, sensitive_outside = principal_day.sensitive_outside + excluded.sensitive_outside,
                first_at = CASE WHEN excluded.first_at < principal_day.first_at THEN excluded.first_at ELSE principal_day.first_at END,
                last_at = CASE WHEN excluded.last_at > principal_day.last_at THEN excluded.last_at ELSE principal_day.last_at END
            RETURNING reads, distinct_files
            """, transaction))
        {
            foreach (var ((principal, day), d) in deltas)
            {
                upsert.Parameters.Clear();
                upsert.Set("@p", principal);
                upsert.Set("@d", Day(day));
                upsert.Set("@r", d.Reads);
                upsert.Set("@n", d.Distinct);
                upsert.Set("@o", d.Outside);
                upsert.Set("@s", d.Sensitive);
                upsert.Set("@so", d.SensitiveOutside);
                upsert.Set("@fa", d.FirstAt);
                upsert.Set("@la", d.LastAt);
                long reads, distinct;
                using (var row = upsert.ExecuteReader())
                {
                    row.Read();
                    (reads, distinct) = (row.GetInt64(0), row.GetInt64(1));
                }

                // A new day returns just this cycle's reads; an existing one had distinct − delta before.
                snapshot.TryGetPrincipal(principal, out var p);
                spikes.Change(SpikeHistory.PeerKey(figures[p]), reads == d.Reads ? null : distinct - d.Distinct, distinct);
            }
        }

        if (deltas.Count > 0)
        {
            alerts = Evaluate(transaction, [.. deltas.Keys], snapshot, figures, options, spikes, baseline ? [] : sinks, now);
        }

        // Only the last OpenDays days keep their file sets: the state stays bounded whatever the log's length. Not
        // while a baseline is read in steps: a log need not be in day order, and its older days are still to come.
        var newOpenFrom = maxDay == DateOnly.MinValue || (baseline && batch.More) ? openFrom : maxDay.AddDays(1 - OpenDays);
        if (newOpenFrom > openFrom)
        {
            using var prune = Command("DELETE FROM seen WHERE day < @d", transaction);
            prune.Set("@d", Day(newOpenFrom));
            prune.ExecuteNonQuery();
            openFrom = newOpenFrom;
        }

        if (batch.RowKeys is { KeepFrom.Length: > 0 } window)
        {
            // Rows older than the window are never read again: their digests are no longer needed.
            using var prune = Command("DELETE FROM source_row WHERE at < @from", transaction);
            prune.Set("@from", window.KeepFrom);
            prune.ExecuteNonQuery();
        }

        var cycles = meta.TryGetValue("cycles", out var c) ? long.Parse(c, CultureInfo.InvariantCulture) : 0;
        var totalLate = (meta.TryGetValue("late_events", out var l) ? long.Parse(l, CultureInfo.InvariantCulture) : 0) + late;
        var totalEvents = (meta.TryGetValue("events", out var t) ? long.Parse(t, CultureInfo.InvariantCulture) : 0) + fresh;
        var values = new Dictionary<string, string>(batch.Position, StringComparer.Ordinal)
        {
            ["cycles"] = (cycles + 1).ToString(CultureInfo.InvariantCulture),
            ["open_from"] = Day(openFrom == DateOnly.MinValue ? DateOnly.MinValue : openFrom),
            ["max_day"] = Day(maxDay),
            ["late_events"] = totalLate.ToString(CultureInfo.InvariantCulture),
            ["events"] = totalEvents.ToString(CultureInfo.InvariantCulture),
            ["last_cycle_at"] = Instant(now),
            ["last_cycle_events"] = fresh.ToString(CultureInfo.InvariantCulture),
            ["last_cycle_alerts"] = alerts.ToString(CultureInfo.InvariantCulture),
        };
        if (!batch.More)
        {
            values["caught_up"] = Instant(now);
        }

        using (var set = Command("INSERT INTO meta (key, value) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", transaction))
        {
            foreach (var (key, value) in values)
            {
                set.Parameters.Clear();
                set.Set("@k", key);
                set.Set("@v", value);
                set.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return new CycleResult(fresh, late, ignored, alerts, baseline);
    }

    private int Evaluate(DbTransaction transaction, List<(string Principal, DateOnly Day)> touched, Snapshot snapshot,
        IReadOnlyList<PrincipalFigures> figures, UsageOptions options, SpikeHistory spikes, IReadOnlyList<string> sinks, DateTimeOffset now)
    {
        using var own = Command("SELECT distinct_files FROM principal_day WHERE principal = @p", transaction);
        using var read = Command("SELECT reads, distinct_files, outside, sensitive, sensitive_outside, first_at, last_at FROM principal_day WHERE principal = @p AND day = @d", transaction);
        using var level = Command("SELECT level FROM alert_level WHERE principal = @p AND day = @d AND rule = @r", transaction);
        using var setLevel = Command("INSERT INTO alert_level VALUES (@p, @d, @r, @l) ON CONFLICT (principal, day, rule) DO UPDATE SET level = excluded.level", transaction);
        using var outbox = new Outbox(this, transaction, sinks);
        var queued = 0;
        foreach (var (principal, day) in touched.OrderBy(t => t.Principal, StringComparer.Ordinal).ThenBy(t => t.Day))
        {
            snapshot.TryGetPrincipal(principal, out var p);
            read.Parameters.Clear();
            read.Set("@p", principal);
            read.Set("@d", Day(day));
            DayCounts counts;
            string firstAt, lastAt;
            using (var r = read.ExecuteReader())
            {
                r.Read();
                counts = new DayCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));
                firstAt = r.GetString(5);
                lastAt = r.GetString(6);
            }

            // Every stored day is on or before the latest day seen: the whole history is what analyze compares with.
            var spike = spikes.IsSpike(SpikeHistory.PeerKey(figures[p]), counts.DistinctFiles, () => OwnHistory(own, principal), options);
            foreach (var alert in MonitorRules.Evaluate(counts, figures[p].Active, spike, options))
            {
                level.Parameters.Clear();
                level.Set("@p", principal);
                level.Set("@d", Day(day));
                level.Set("@r", alert.Rule);
                var previous = level.ExecuteScalar() is long stored ? stored : 0;
                if (alert.Level <= previous)
                {
                    continue;
                }

                setLevel.Parameters.Clear();
                setLevel.Set("@p", principal);
                setLevel.Set("@d", Day(day));
                setLevel.Set("@r", alert.Rule);
                setLevel.Set("@l", alert.Level);
                setLevel.ExecuteNonQuery();
                if (sinks.Count == 0)
                {
                    continue;
                }

                var f = figures[p];
                var unit = snapshot.Principals.Units[p] is >= 0 and var u ? snapshot.Units.Ids[u] : null;
                var payload = new MonitorAlert
                {
                    Id = AlertId(alert.Rule, principal, day, alert.Level),
                    Rule = alert.Rule,
                    Severity = alert.Severity.ToString().ToLowerInvariant(),
                    Level = alert.Level,
                    Account = principal,
                    Organization = f.Organization,
                    Unit = unit,
                    Day = Day(day),
                    Count = alert.Count,
                    Threshold = alert.Threshold,
                    Reads = counts.Reads,
                    DistinctFiles = counts.DistinctFiles,
                    OutsideCaseload = counts.OutsideCaseload,
                    SensitiveOutsideCaseload = counts.SensitiveOutsideCaseload,
                    WindowStart = firstAt,
                    WindowEnd = lastAt,
                    DetectedAt = Instant(now),
                };
                outbox.Queue(payload, Instant(now));

                queued++;
            }
        }

        return queued;
    }

    /// <summary>read-spike's peer histograms over every stored day (once per process: then each cycle changes them).</summary>
    private SpikeHistory LoadSpikes(Snapshot snapshot, IReadOnlyList<PrincipalFigures> figures)
    {
        var spikes = new SpikeHistory();
        using var command = Command("SELECT principal, distinct_files FROM principal_day");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // As analyze does, days of accounts missing from the reference tables are left out.
            if (snapshot.TryGetPrincipal(reader.GetString(0), out var p))
            {
                spikes.Change(SpikeHistory.PeerKey(figures[p]), null, reader.GetInt64(1));
            }
        }

        return spikes;
    }

    private static double[] OwnHistory(DbCommand own, string principal)
    {
        own.Parameters.Clear();
        own.Set("@p", principal);
        var days = new List<double>();
        using var reader = own.ExecuteReader();
        while (reader.Read())
        {
            days.Add(reader.GetInt64(0));
        }

        return [.. days];
    }

    /// <summary>The last analysis run stored, with what the next one compares with; null before the first.</summary>
    public StoredAnalysis? LastAnalysis()
    {
        if (!HasAnalysisTables())
        {
            return null;
        }

        StoredAnalysisRun run;
        using (var command = Command("SELECT run, at, as_of, accounts, findings, critical_findings, alerts, baseline FROM analysis_run ORDER BY run DESC LIMIT 1"))
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            run = new StoredAnalysisRun(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7) != 0);
        }

        var excess = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var command = Command("SELECT principal, excess FROM analysis_account"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                excess[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var critical = new HashSet<string>(StringComparer.Ordinal);
        var violations = new HashSet<string>(StringComparer.Ordinal);
        using (var command = Command("SELECT kind, key FROM analysis_mark"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                (reader.GetString(0) == "critical" ? critical : violations).Add(reader.GetString(1));
            }
        }

        using var rows = Command("SELECT rows FROM analysis_reference WHERE name = 'reference'");
        var reference = rows.ExecuteScalar() as string ?? string.Empty;
        return new StoredAnalysis(run, new DriftRecord(excess, critical, violations), reference);
    }

    /// <summary>The small tables as stored: compared as text to tell whether any grant changed.</summary>
    public static string ReferenceText(ReferenceRows rows) => JsonSerializer.Serialize(rows);

    public static ReferenceRows ParseReference(string text) =>
        JsonSerializer.Deserialize<ReferenceRows>(text) ?? throw new InvalidOperationException("no reference tables in the monitor state");

    /// <summary>
    /// One analysis run: its per-account figures, the keys of its critical findings and policy violations, its small
    /// tables (what the next run diffs against), and the outbox rows of its alerts (one pending delivery per sink), in
    /// one transaction. Only the last run's figures and tables are kept: the next run needs nothing older. A baseline
    /// run stores the same and queues nothing.
    /// </summary>
    public long CommitAnalysis(DateTimeOffset now, DateOnly asOf, IReadOnlyList<PrincipalFigures> figures, int findings, DriftRecord record,
        string reference, IReadOnlyList<DriftAlert> alerts, bool baseline, IReadOnlyList<string> sinks)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(sinks);
        using var transaction = _connection.BeginTransaction();
        long run;
        using (var next = Command("SELECT COALESCE(MAX(run), 0) + 1 FROM analysis_run", transaction))
        {
            run = Convert.ToInt64(next.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        using (var clear = Command("DELETE FROM analysis_account; DELETE FROM analysis_mark; DELETE FROM analysis_reference;", transaction))
        {
            clear.ExecuteNonQuery();
        }

        using (var insert = Command("INSERT INTO analysis_account VALUES (@p, @r, @e, @s)", transaction))
        {
            var p = Parameter(insert, "@p", DbType.String);
            var r = Parameter(insert, "@r", DbType.Int64);
            var e = Parameter(insert, "@e", DbType.Int64);
            var se = Parameter(insert, "@s", DbType.Int64);
            insert.Prepare();
            foreach (var f in figures)
            {
                p.Value = f.PrincipalId;
                r.Value = f.ReachableFiles;
                e.Value = f.ExcessFiles;
                se.Value = f.SensitiveExcessFiles;
                insert.ExecuteNonQuery();
            }
        }

        using (var insert = Command("INSERT INTO analysis_mark VALUES (@k, @key) ON CONFLICT DO NOTHING", transaction))
        {
            var k = Parameter(insert, "@k", DbType.String);
            var key = Parameter(insert, "@key", DbType.String);
            insert.Prepare();
            foreach (var (kind, keys) in new[] { ("critical", record.CriticalFindings), ("violation", record.Violations) })
            {
                foreach (var value in keys)
                {
                    k.Value = kind;
                    key.Value = value;
                    insert.ExecuteNonQuery();
                }
            }
        }

        using (var insert = Command("INSERT INTO analysis_reference VALUES ('reference', @rows)", transaction))
        {
            insert.Set("@rows", reference);
            insert.ExecuteNonQuery();
        }

        // Queued even without a sink: --status lists the run's alerts from the outbox.
        var queued = baseline ? [] : alerts;
        var organizations = figures.ToDictionary(f => f.PrincipalId, f => f.Organization, StringComparer.Ordinal);
        using var outbox = new Outbox(this, transaction, sinks);
        foreach (var alert in queued)
        {
            var account = alert.SubjectKind == "principal" ? alert.SubjectId : null;
            var grant = alert.Assignment;
            var payload = new MonitorAlert
            {
                Id = AnalysisAlertId(alert.Rule, alert.SubjectKind, alert.SubjectId, run),
                Rule = alert.Rule,
                Severity = alert.Severity.ToString().ToLowerInvariant(),
                Level = 1,
                Account = account,
                Organization = account is not null && organizations.TryGetValue(account, out var o) ? o : null,
                Count = alert.Count,
                Threshold = alert.Threshold,
                DetectedAt = Instant(now),
                Run = run,
                SubjectKind = alert.SubjectKind,
                Subject = alert.SubjectId,
                Message = alert.Message,
                Assignment = grant?.AssignmentId,
                Role = grant?.RoleId,
                HolderType = grant?.HolderType,
                Holder = grant?.HolderId,
                ScopeBefore = grant is null ? null : grant.Before ?? string.Empty,
                ScopeAfter = grant?.After,
                GateRules = alert.GateRules.Count == 0 ? null : alert.GateRules,
            };
            outbox.Queue(payload, Instant(now));
        }

        using (var insert = Command("INSERT INTO analysis_run VALUES (@run, @at, @asOf, @accounts, @findings, @critical, @alerts, @baseline)", transaction))
        {
            insert.Set("@run", run);
            insert.Set("@at", Instant(now));
            insert.Set("@asOf", Day(asOf));
            insert.Set("@accounts", figures.Count);
            insert.Set("@findings", findings);
            insert.Set("@critical", record.CriticalFindings.Count);
            insert.Set("@alerts", queued.Count);
            insert.Set("@baseline", baseline ? 1 : 0);
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return run;
    }

    /// <summary>Stable across attempts: the same (rule, subject, run) always gets the same id.</summary>
    public static string AnalysisAlertId(string rule, string subjectKind, string subject, long run) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{rule}\n{subjectKind}\n{subject}\nrun {run}")))[..32];

    private bool HasAnalysisTables()
    {
        // A state written before analysis runs existed, opened read-only by --status, has no such table.
        return HasTable("analysis_run");
    }

    private bool HasTable(string table)
    {
        using var command = Command(_postgres
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @t"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @t");
        command.Set("@t", table);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>The alerts not yet delivered to a sink, oldest first.</summary>
    public IReadOnlyList<MonitorAlert> Pending(string sink)
    {
        using var command = Command("""
            SELECT o.payload FROM delivery AS d JOIN outbox AS o ON o.id = d.alert_id
            WHERE d.sink = @s AND d.delivered_at IS NULL ORDER BY o.created_at, o.id
            """);
        command.Set("@s", sink);
        using var reader = command.ExecuteReader();
        var alerts = new List<MonitorAlert>();
        while (reader.Read())
        {
            alerts.Add(MonitorAlert.FromJson(reader.GetString(0)));
        }

        return alerts;
    }

    public void MarkDelivered(string alertId, string sink, DateTimeOffset now)
    {
        using var command = Command("UPDATE delivery SET delivered_at = @at WHERE alert_id = @id AND sink = @s");
        command.Set("@at", Instant(now));
        command.Set("@id", alertId);
        command.Set("@s", sink);
        command.ExecuteNonQuery();
    }

    /// <summary>Alerts queued since <paramref name="since"/>, with the sinks still waiting for each.</summary>
    public IReadOnlyList<(MonitorAlert Alert, IReadOnlyList<string> Undelivered)> AlertsSince(DateTimeOffset since)
    {
        using var command = Command($"""
            SELECT o.payload, (SELECT {(_postgres ? "string_agg" : "GROUP_CONCAT")}(d.sink, ' ') FROM delivery AS d WHERE d.alert_id = o.id AND d.delivered_at IS NULL)
            FROM outbox AS o WHERE o.created_at >= @since ORDER BY o.created_at, o.id
            """);
        command.Set("@since", Instant(since));
        using var reader = command.ExecuteReader();
        var alerts = new List<(MonitorAlert, IReadOnlyList<string>)>();
        while (reader.Read())
        {
            alerts.Add((MonitorAlert.FromJson(reader.GetString(0)), reader.IsDBNull(1) ? [] : reader.GetString(1).Split(' ')));
        }

        return alerts;
    }

    /// <summary>Stable across runs: the same (rule, account, day, level) always gets the same id.</summary>
    public static string AlertId(string rule, string principal, DateOnly day, int level) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{rule}\n{principal}\n{Day(day)}\n{level}")))[..32];

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// An alert to send, in the transaction that decided it: its payload, and one pending delivery for each sink, so
    /// that a crash after the commit re-sends it and a crash before it sends nothing.
    /// </summary>
    private sealed class Outbox(MonitorState state, DbTransaction transaction, IReadOnlyList<string> sinks) : IDisposable
    {
        private readonly DbCommand _alert = state.Command("INSERT INTO outbox (id, created_at, payload) VALUES (@id, @at, @payload) ON CONFLICT DO NOTHING", transaction);
        private readonly DbCommand _delivery = state.Command("INSERT INTO delivery (alert_id, sink) VALUES (@id, @sink) ON CONFLICT DO NOTHING", transaction);

        public void Queue(MonitorAlert payload, string at)
        {
            _alert.Parameters.Clear();
            _alert.Set("@id", payload.Id);
            _alert.Set("@at", at);
            _alert.Set("@payload", payload.ToJson());
            _alert.ExecuteNonQuery();
            foreach (var sink in sinks)
            {
                _delivery.Parameters.Clear();
                _delivery.Set("@id", payload.Id);
                _delivery.Set("@sink", sink);
                _delivery.ExecuteNonQuery();
            }
        }

        public void Dispose()
        {
            _alert.Dispose();
            _delivery.Dispose();
        }
    }

    private DbCommand Command(string sql, DbTransaction? transaction = null)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public void Dispose() => _connection.Dispose();

    private sealed class Delta
    {
        public long Reads, Distinct, Outside, Sensitive, SensitiveOutside;
        public required string FirstAt, LastAt;
    }
}

/// <summary>What <c>AddWithValue</c> does, for a command of either database.</summary>
internal static class MonitorStateCommands
{
    public static void Set(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
