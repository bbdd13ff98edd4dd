using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources.Monitor;

/// <summary>
/// What makes a re-read row recognisable: one 64-bit digest per event of the batch (same order), and the timestamp
/// below which the state may forget digests. The state records each digest with the event's aggregates, in the same
/// transaction, and skips an event whose digest it already holds.
/// </summary>
/// <param name="Keys">Per event: its digest and its <c>at</c> (the state prunes by it).</param>
/// <param name="KeepFrom">Digests of rows older than this (same text form as the <c>at</c> above) are no longer needed.</param>
public sealed record SourceRowKeys(IReadOnlyList<(long Key, string At)> Keys, string KeepFrom);

/// <summary>
/// The access_events table of a PostgreSQL source. The canonical table has no id, and a sequence would not do either:
/// values are taken at insert, rows become visible at commit, so a transaction committing late shows a value below a
/// watermark already passed and would be skipped for good. So rows are read by their <c>at</c>, with a re-read window:
/// each read takes every row with <c>at &gt;= watermark - late window</c>, where the watermark is the newest <c>at</c>
/// read so far, and the state skips the rows it already counted by a digest of (principal, file, at, action, occurrence)
/// — the occurrence numbering identical rows, which all fall in one read since reads take whole <c>at</c> groups. The
/// digests are kept for the window only, so the state stays bounded. A row inserted with an <c>at</c> older than the
/// window when it becomes visible is never read: the window is the lateness the agency's pipeline guarantees, and the
/// docs and <c>--status</c> say so. No file id is stored: the digests are one-way, like the file sets'.
/// </summary>
public sealed class PostgresEventFeed : IEventFeed
{
    /// <summary>Rows past the watermark a read takes at most (whole <c>at</c> groups, so a few more on a tie).</summary>
    public const int MaxRowsPerRead = 500_000;

    /// <summary>The <c>--late-window</c> default: ten minutes of ingestion lag and commit delay.</summary>
    public static readonly TimeSpan DefaultLateWindow = TimeSpan.FromMinutes(10);

    private const string AtFormat = "yyyy-MM-ddTHH:mm:ss.ffffffZ";

    private readonly DbConnection _connection;
    private readonly ISqlDialect _dialect;
    private readonly string _name;
    private readonly TimeSpan _lateWindow;
    private readonly int _maxRows;

    /// <param name="open">Opens a connection to the source (its failure is bad input naming the database).</param>
    /// <param name="dialect">The source's dialect, with its schema.</param>
    /// <param name="name">The database without credentials, for messages.</param>
    /// <param name="lateWindow">How far before the newest <c>at</c> read each read starts again.</param>
    /// <param name="maxRows">Rows past the watermark a read takes at most (small values in tests exercise the steps).</param>
    public PostgresEventFeed(Func<DbConnection> open, ISqlDialect dialect, string name, TimeSpan lateWindow, int maxRows = MaxRowsPerRead)
    {
        ArgumentNullException.ThrowIfNull(open);
        _dialect = dialect;
        _name = name;
        _lateWindow = lateWindow;
        _maxRows = maxRows;
        _connection = open();
        if (dialect.UtcSessionSql is { } utc)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = utc;
            command.ExecuteNonQuery();
        }
    }

    public EventBatch ReadAfter(IReadOnlyDictionary<string, string> position)
    {
        ArgumentNullException.ThrowIfNull(position);
        DateTime? watermark = position.TryGetValue("at_watermark", out var w) ? ParseAt(w) : null;
        DateTime? keptFrom = position.TryGetValue("at_keep_from", out var k) ? ParseAt(k) : null;
        var events = _dialect.Table("access_events");

        // One snapshot for the bound and the rows: what the bound counted is what is read.
        using var transaction = _connection.BeginTransaction(IsolationLevel.RepeatableRead);
        if (watermark is { } mark)
        {
            using var max = Command($"SELECT MAX(at) FROM {events}", transaction);
            if (max.ExecuteScalar() is not DateTime largest || largest < mark)
            {
                throw new InputErrorException(_dialect.DisplayName("access_events"), null, null,
                    $"emptied, recreated or its newest rows deleted since the last cycle (newest at {(max.ExecuteScalar() is DateTime n ? Format(n) : "none")}, " +
                    $"{Format(mark)} already read): move the state away to start over");
            }
        }

        // Reads take whole at groups up to the MaxRows-th row past the watermark: identical rows are numbered in one read.
        DateTime? upTo;
        using (var bound = Command(
            $"SELECT at FROM {events} WHERE at IS NOT NULL{(watermark is null ? string.Empty : $" AND at > {_dialect.Parameter(0)}")} ORDER BY at OFFSET {_maxRows - 1} LIMIT 1",
            transaction))
        {
            if (watermark is { } past)
            {
                Add(bound, 0, past);
            }

            upTo = bound.ExecuteScalar() as DateTime?;
        }

        // The window re-reads rows the state may already hold, never below where its digests start (a window widened
        // since would re-read rows whose digests are gone, and count them twice).
        DateTime? from = watermark is { } m ? m - _lateWindow : null;
        if (from is { } f && keptFrom is { } kf && kf > f)
        {
            from = kf;
        }

        var conditions = new List<string> { "a.at IS NOT NULL" };
        using var read = Command(string.Empty, transaction);
        if (from is { } lower)
        {
            conditions.Add($"a.at >= {_dialect.Parameter(0)}");
            Add(read, 0, lower);
        }

        if (upTo is { } upper)
        {
            conditions.Add($"a.at <= {_dialect.Parameter(1)}");
            Add(read, 1, upper);
        }

        read.CommandText = $"""
            SELECT a.principal_id, a.file_id, a.at, a.action,
                   (SELECT BOOL_OR(f.sensitive) FROM {_dialect.Table("files")} AS f WHERE f.id = a.file_id),
                   EXISTS (SELECT 1 FROM {_dialect.Table("caseload")} AS c WHERE c.file_id = a.file_id AND c.principal_id = a.principal_id)
            FROM {events} AS a WHERE {string.Join(" AND ", conditions)} ORDER BY a.at
            """;
        var batch = new List<MonitorEvent>();
        var keys = new List<(long, string)>();
        var occurrences = new Dictionary<(string, string, string, string), int>();
        var newest = watermark;
        using (var reader = read.ExecuteReader())
        {
            while (reader.Read())
            {
                var principal = Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? string.Empty;
                var file = Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture) ?? string.Empty;
                var at = reader.GetFieldValue<DateTime>(2);
                var action = reader.IsDBNull(3) ? string.Empty : Convert.ToString(reader.GetValue(3), CultureInfo.InvariantCulture) ?? string.Empty;
                var text = Format(at);
                var occurrence = occurrences[(principal, file, text, action)] = occurrences.GetValueOrDefault((principal, file, text, action)) + 1;
                newest = newest is { } n && n >= at ? n : at;
                var known = !reader.IsDBNull(4);
                batch.Add(new MonitorEvent(principal, EventText.FileKey(file), DateOnly.FromDateTime(at), text, known, known && reader.GetBoolean(4), reader.GetBoolean(5)));
                keys.Add((RowKey(principal, file, text, action, occurrence), text));
            }
        }

        transaction.Commit();
        var after = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["at_late_window_seconds"] = ((long)_lateWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        };
        string keepFrom;
        if (newest is { } last)
        {
            var keep = last - _lateWindow;
            keep = keptFrom is { } before && before > keep ? before : keep;
            after["at_watermark"] = Format(last);
            after["at_keep_from"] = keepFrom = Format(keep);
        }
        else
        {
            keepFrom = string.Empty;
        }

        return new EventBatch(batch, after, More: upTo is not null) { RowKeys = new SourceRowKeys(keys, keepFrom) };
    }

    /// <summary>Stable across reads: the same row (and the same occurrence of identical rows) always gets the same digest.</summary>
    public static long RowKey(string principal, string file, string at, string action, int occurrence) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{principal}\n{file}\n{at}\n{action}\n{occurrence}")), 0);

    private static string Format(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString(AtFormat, CultureInfo.InvariantCulture);

    private static DateTime ParseAt(string text) =>
        DateTime.ParseExact(text, AtFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private void Add(DbCommand command, int index, DateTime value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = _dialect.Parameter(index);
        parameter.Value = _dialect.ToDbTimestamp(new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)));
        command.Parameters.Add(parameter);
    }

    private DbCommand Command(string sql, DbTransaction transaction)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = _dialect.CommandTimeoutSeconds ?? 30;
        return command;
    }

    public override string ToString() => _name;

    public void Dispose() => _connection.Dispose();
}
