using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Sources.Monitor;

/// <summary>
/// An alert as every sink sends it: the rule, the account, its organisation and unit, the day's counts and the
/// evidence window. Never a beneficiary file id: the state holds none to put here.
/// </summary>
public sealed record MonitorAlert
{
    /// <summary>Derived from (rule, account, day, level): the same alert has the same id in every run (the webhook's idempotency key).</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("rule")] public required string Rule { get; init; }
    [JsonPropertyName("severity")] public required string Severity { get; init; }
    [JsonPropertyName("level")] public required int Level { get; init; }
    [JsonPropertyName("account")] public required string Account { get; init; }
    [JsonPropertyName("organization")] public required string Organization { get; init; }
    [JsonPropertyName("unit")] public string? Unit { get; init; }
    [JsonPropertyName("day")] public required string Day { get; init; }
    [JsonPropertyName("count")] public required long Count { get; init; }
    [JsonPropertyName("threshold")] public required long Threshold { get; init; }
    [JsonPropertyName("reads")] public required long Reads { get; init; }
    [JsonPropertyName("distinct_files")] public required long DistinctFiles { get; init; }
    [JsonPropertyName("distinct_outside_caseload")] public required long OutsideCaseload { get; init; }
    [JsonPropertyName("distinct_sensitive_outside_caseload")] public required long SensitiveOutsideCaseload { get; init; }
    [JsonPropertyName("window_start")] public required string WindowStart { get; init; }
    [JsonPropertyName("window_end")] public required string WindowEnd { get; init; }
    [JsonPropertyName("detected_at")] public required string DetectedAt { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static MonitorAlert FromJson(string json) =>
        JsonSerializer.Deserialize<MonitorAlert>(json) ?? throw new InvalidOperationException("an empty alert in the outbox");
}

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

    private readonly SqliteConnection _connection;

    /// <summary>read-spike's peer histograms, loaded from the stored days at the first cycle and then kept up to date; dropped when a cycle fails.</summary>
    private SpikeHistory? _spikes;

    private MonitorState(SqliteConnection connection) => _connection = connection;

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
            var state = new MonitorState(connection) { Path = path };
            if (create)
            {
                state.Execute("""
                    PRAGMA journal_mode = WAL;
                    PRAGMA synchronous = FULL;
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
                    """);
            }

            return state;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InputErrorException(path, null, null, $"cannot open the monitor state: {ex.Message}");
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
        using var insertSeen = Command("INSERT OR IGNORE INTO seen (principal, day, file_key) VALUES ($p, $d, $f)", transaction);
        var seenP = insertSeen.Parameters.Add("$p", SqliteType.Text);
        var seenD = insertSeen.Parameters.Add("$d", SqliteType.Text);
        var seenF = insertSeen.Parameters.Add("$f", SqliteType.Integer);
        insertSeen.Prepare();

        var deltas = new Dictionary<(string Principal, DateOnly Day), Delta>();
        foreach (var e in batch.Events)
        {
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
            INSERT INTO principal_day VALUES ($p, $d, $r, $n, $o, $s, $so, $fa, $la)
            ON CONFLICT (principal, day) DO UPDATE SET reads = reads + excluded.reads, distinct_files = distinct_files + excluded.distinct_files,
                outside = outside + excluded.outside, sensitive = sensitive + excluded.sensitive, sensitive_outside = sensitive_outside + excluded.sensitive_outside,
                first_at = MIN(first_at, excluded.first_at), last_at = MAX(last_at, excluded.last_at)
            RETURNING reads, distinct_files
            """, transaction))
        {
            foreach (var ((principal, day), d) in deltas)
            {
                upsert.Parameters.Clear();
                upsert.Parameters.AddWithValue("$p", principal);
                upsert.Parameters.AddWithValue("$d", Day(day));
                upsert.Parameters.AddWithValue("$r", d.Reads);
                upsert.Parameters.AddWithValue("$n", d.Distinct);
                upsert.Parameters.AddWithValue("$o", d.Outside);
                upsert.Parameters.AddWithValue("$s", d.Sensitive);
                upsert.Parameters.AddWithValue("$so", d.SensitiveOutside);
                upsert.Parameters.AddWithValue("$fa", d.FirstAt);
                upsert.Parameters.AddWithValue("$la", d.LastAt);
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
            using var prune = Command("DELETE FROM seen WHERE day < $d", transaction);
            prune.Parameters.AddWithValue("$d", Day(newOpenFrom));
            prune.ExecuteNonQuery();
            openFrom = newOpenFrom;
        }

        var cycles = meta.TryGetValue("cycles", out var c) ? long.Parse(c, CultureInfo.InvariantCulture) : 0;
        var totalLate = (meta.TryGetValue("late_events", out var l) ? long.Parse(l, CultureInfo.InvariantCulture) : 0) + late;
        var totalEvents = (meta.TryGetValue("events", out var t) ? long.Parse(t, CultureInfo.InvariantCulture) : 0) + batch.Events.Count;
        var values = new Dictionary<string, string>(batch.Position, StringComparer.Ordinal)
        {
            ["cycles"] = (cycles + 1).ToString(CultureInfo.InvariantCulture),
            ["open_from"] = Day(openFrom == DateOnly.MinValue ? DateOnly.MinValue : openFrom),
            ["max_day"] = Day(maxDay),
            ["late_events"] = totalLate.ToString(CultureInfo.InvariantCulture),
            ["events"] = totalEvents.ToString(CultureInfo.InvariantCulture),
            ["last_cycle_at"] = Instant(now),
            ["last_cycle_events"] = batch.Events.Count.ToString(CultureInfo.InvariantCulture),
            ["last_cycle_alerts"] = alerts.ToString(CultureInfo.InvariantCulture),
        };
        if (!batch.More)
        {
            values["caught_up"] = Instant(now);
        }

        using (var set = Command("INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", transaction))
        {
            foreach (var (key, value) in values)
            {
                set.Parameters.Clear();
                set.Parameters.AddWithValue("$k", key);
                set.Parameters.AddWithValue("$v", value);
                set.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return new CycleResult(batch.Events.Count, late, ignored, alerts, baseline);
    }

    private int Evaluate(SqliteTransaction transaction, List<(string Principal, DateOnly Day)> touched, Snapshot snapshot,
        IReadOnlyList<PrincipalFigures> figures, UsageOptions options, SpikeHistory spikes, IReadOnlyList<string> sinks, DateTimeOffset now)
    {
        using var own = Command("SELECT distinct_files FROM principal_day WHERE principal = $p", transaction);
        using var read = Command("SELECT reads, distinct_files, outside, sensitive, sensitive_outside, first_at, last_at FROM principal_day WHERE principal = $p AND day = $d", transaction);
        using var level = Command("SELECT level FROM alert_level WHERE principal = $p AND day = $d AND rule = $r", transaction);
        using var setLevel = Command("INSERT INTO alert_level VALUES ($p, $d, $r, $l) ON CONFLICT (principal, day, rule) DO UPDATE SET level = excluded.level", transaction);
        using var outbox = Command("INSERT OR IGNORE INTO outbox (id, created_at, payload) VALUES ($id, $at, $payload)", transaction);
        using var delivery = Command("INSERT OR IGNORE INTO delivery (alert_id, sink) VALUES ($id, $sink)", transaction);
        var queued = 0;
        foreach (var (principal, day) in touched.OrderBy(t => t.Principal, StringComparer.Ordinal).ThenBy(t => t.Day))
        {
            snapshot.TryGetPrincipal(principal, out var p);
            read.Parameters.Clear();
            read.Parameters.AddWithValue("$p", principal);
            read.Parameters.AddWithValue("$d", Day(day));
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
                level.Parameters.AddWithValue("$p", principal);
                level.Parameters.AddWithValue("$d", Day(day));
                level.Parameters.AddWithValue("$r", alert.Rule);
                var previous = level.ExecuteScalar() is long stored ? stored : 0;
                if (alert.Level <= previous)
                {
                    continue;
                }

                setLevel.Parameters.Clear();
                setLevel.Parameters.AddWithValue("$p", principal);
                setLevel.Parameters.AddWithValue("$d", Day(day));
                setLevel.Parameters.AddWithValue("$r", alert.Rule);
                setLevel.Parameters.AddWithValue("$l", alert.Level);
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
                outbox.Parameters.Clear();
                outbox.Parameters.AddWithValue("$id", payload.Id);
                outbox.Parameters.AddWithValue("$at", Instant(now));
                outbox.Parameters.AddWithValue("$payload", payload.ToJson());
                outbox.ExecuteNonQuery();
                foreach (var sink in sinks)
                {
                    delivery.Parameters.Clear();
                    delivery.Parameters.AddWithValue("$id", payload.Id);
                    delivery.Parameters.AddWithValue("$sink", sink);
                    delivery.ExecuteNonQuery();
                }

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

    private static double[] OwnHistory(SqliteCommand own, string principal)
    {
        own.Parameters.Clear();
        own.Parameters.AddWithValue("$p", principal);
        var days = new List<double>();
        using var reader = own.ExecuteReader();
        while (reader.Read())
        {
            days.Add(reader.GetInt64(0));
        }

        return [.. days];
    }

    /// <summary>The alerts not yet delivered to a sink, oldest first.</summary>
    public IReadOnlyList<MonitorAlert> Pending(string sink)
    {
        using var command = Command("""
            SELECT o.payload FROM delivery AS d JOIN outbox AS o ON o.id = d.alert_id
            WHERE d.sink = $s AND d.delivered_at IS NULL ORDER BY o.created_at, o.id
            """);
        command.Parameters.AddWithValue("$s", sink);
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
        using var command = Command("UPDATE delivery SET delivered_at = $at WHERE alert_id = $id AND sink = $s");
        command.Parameters.AddWithValue("$at", Instant(now));
        command.Parameters.AddWithValue("$id", alertId);
        command.Parameters.AddWithValue("$s", sink);
        command.ExecuteNonQuery();
    }

    /// <summary>Alerts queued since <paramref name="since"/>, with the sinks still waiting for each.</summary>
    public IReadOnlyList<(MonitorAlert Alert, IReadOnlyList<string> Undelivered)> AlertsSince(DateTimeOffset since)
    {
        using var command = Command("""
            SELECT o.payload, (SELECT GROUP_CONCAT(d.sink, ' ') FROM delivery AS d WHERE d.alert_id = o.id AND d.delivered_at IS NULL)
            FROM outbox AS o WHERE o.created_at >= $since ORDER BY o.created_at, o.id
            """);
        command.Parameters.AddWithValue("$since", Instant(since));
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

    private SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public void Dispose() => _connection.Dispose();

    private sealed class Delta
    {
        public long Reads, Distinct, Outside, Sensitive, SensitiveOutside;
        public required string FirstAt, LastAt;
    }
}
