using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Csv;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Sources.Monitor;

/// <summary>One new access event, already joined to its file: whether it is sensitive and in the reader's caseload.</summary>
/// <param name="PrincipalId">The reading account.</param>
/// <param name="FileKey">A 64-bit digest of the file id: what the state stores, so that no beneficiary id is kept.</param>
/// <param name="Day">The calendar day of <paramref name="At"/>.</param>
/// <param name="At">The event's timestamp as the source writes it (ISO 8601).</param>
/// <param name="FileKnown">Whether the file exists in files.</param>
/// <param name="Sensitive">Whether the file is sensitive.</param>
/// <param name="InCaseload">Whether the file is in the account's caseload.</param>
public readonly record struct MonitorEvent(string PrincipalId, long FileKey, DateOnly Day, string At, bool FileKnown, bool Sensitive, bool InCaseload);

/// <summary>
/// The events a cycle reads, and where the next read starts (committed with the aggregates, never before). A read is
/// bounded: <paramref name="More"/> says the log holds more, to read (and commit) next, before the cycle evaluates
/// and sleeps.
/// </summary>
public sealed record EventBatch(IReadOnlyList<MonitorEvent> Events, IReadOnlyDictionary<string, string> Position, bool More = false)
{
    /// <summary>For a feed that re-reads rows (a window over a timestamp): the digests that tell them; null when none is re-read.</summary>
    public SourceRowKeys? RowKeys { get; init; }
}

/// <summary>Where new access events come from: a CSV file read from a stored offset, or a table past a stored rowid.</summary>
public interface IEventFeed : IDisposable
{
    /// <summary>The events after <paramref name="position"/> (the keys this feed committed last time; empty at first).</summary>
    /// <exception cref="InputErrorException">The log was truncated or replaced since the position was taken.</exception>
    EventBatch ReadAfter(IReadOnlyDictionary<string, string> position);
}

/// <summary>Digests and day parsing shared by the feeds.</summary>
internal static class EventText
{
    public static long FileKey(string fileId) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(fileId)), 0);

    /// <summary>The calendar day an ISO 8601 timestamp (or date) starts with.</summary>
    public static bool TryDay(string at, out DateOnly day)
    {
        day = default;
        return at.Length >= 10 && DateOnly.TryParseExact(at.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}

/// <summary>
/// <c>access_events.csv</c>, or every file of a rotated <c>access_events/</c> directory, read from a stored byte
/// offset: only whole lines (a partial last line waits for the next cycle). A file's identity is checked first: a file
/// shorter than its offset, or whose first bytes or whose bytes just before the offset no longer hash as they did, or
/// that is now another file (device and inode, where the system gives them), was truncated or replaced, and reading it
/// from the offset would silently skip or re-read events: that is an error, said in one line, and the state is left
/// as it was. In a directory, each file has its own offset, files are read in name order, and a file read before that
/// is gone is the same error.
/// </summary>
public sealed class CsvEventFeed : IEventFeed
{
    private const int IdentityBytes = 4096;

    /// <summary>Bytes a read takes at most: a large backlog (the first cycle over a long log) goes in bounded steps.</summary>
    public const int MaxBytesPerRead = 32 << 20;
    private const string Table = "access_events.csv";

    /// <summary>The rotated log: a directory of CSV files, each with its header.</summary>
    public const string Directory = "access_events";

    /// <summary>Position keys of one file of the rotated directory: <c>file:NAME:offset</c>, <c>:head</c>, <c>:tail</c>, <c>:id</c>.</summary>
    private const string FilePrefix = "file:";

    private readonly string _path;
    private readonly bool _rotated;

    // files and caseload as sorted 64-bit digests, not strings: at national scale (37 million files, 30 million
    // caseload rows) the strings would hold gigabytes for the process's whole life, the digests a few hundred MB.
    private readonly long[] _files;
    private readonly bool[] _sensitive;
    private readonly long[] _caseload;

    private readonly int _maxBytesPerRead;

    /// <param name="directory">The CSV source.</param>
    /// <param name="maxBytesPerRead">Bytes a read takes at most (small values in tests exercise the steps).</param>
    public CsvEventFeed(string directory, int maxBytesPerRead = MaxBytesPerRead)
    {
        _maxBytesPerRead = maxBytesPerRead;
        _path = Path.Combine(directory, Table);
        _rotated = System.IO.Directory.Exists(Path.Combine(directory, Directory));
        if (_rotated && File.Exists(_path))
        {
            throw new InputErrorException(Table, null, null, $"{directory} holds both {Table} and {Directory}/: the monitor follows one log");
        }

        if (_rotated)
        {
            _path = Path.Combine(directory, Directory);
        }
        else if (!File.Exists(_path))
        {
            throw new InputErrorException(Table, null, null, $"the monitor needs {Table} or a directory {Directory}/ in {directory}");
        }

        var keys = new List<long>();
        var flags = new List<bool>();
        using (var files = CsvTableCursor.Open(directory, "files", required: true)!)
        {
            int id = files.Column("id"), sensitive = files.Column("sensitive");
            while (files.Read())
            {
                keys.Add(LookupKey(files.Id(id, personal: true)));
                flags.Add(files.Boolean(sensitive));
            }
        }

        (_files, _sensitive) = ([.. keys], [.. flags]);
        keys = null;
        flags = null;
        Array.Sort(_files, _sensitive);
        var pairs = new List<long>();
        using (var caseload = CsvTableCursor.Open(directory, "caseload", required: false))
        {
            if (caseload is not null)
            {
                int file = caseload.Column("file_id"), principal = caseload.Column("principal_id");
                while (caseload.Read())
                {
                    pairs.Add(LookupKey(caseload.Reference(file), caseload.Reference(principal)));
                }
            }
        }

        _caseload = [.. pairs];
        Array.Sort(_caseload);
    }

    /// <summary>
    /// A 64-bit FNV-1a digest, mixed (splitmix64's finaliser): for looking ids up, never stored. Two ids with one
    /// digest would take one file (or caseload pair) for the other: about one chance in 27,000 over 37 million files.
    /// </summary>
    internal static long LookupKey(string id, string? second = null)
    {
        var h = 14695981039346656037UL;
        foreach (var c in id)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        if (second is not null)
        {
            h = (h ^ 0xFFFF) * 1099511628211UL;
            foreach (var c in second)
            {
                h = (h ^ c) * 1099511628211UL;
            }
        }

        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return unchecked((long)(h ^ (h >> 31)));
    }

    public EventBatch ReadAfter(IReadOnlyDictionary<string, string> position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (!_rotated)
        {
            var one = ReadFile(_path, Table, Stored.Of(position, "csv_"), _maxBytesPerRead);
            return new EventBatch(one.Events, one.Next.To("csv_"), one.More);
        }

        // Every file read before must still be there, whole and the same; then the first (in name order) with bytes
        // not yet read is read, one file a step.
        var names = System.IO.Directory.GetFiles(_path, "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        foreach (var key in position.Keys.Where(k => k.StartsWith(FilePrefix, StringComparison.Ordinal) && k.EndsWith(":offset", StringComparison.Ordinal)))
        {
            var name = key[FilePrefix.Length..^":offset".Length];
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                throw new InputErrorException($"{Directory}/{name}", null, null,
                    "gone since the last cycle (read up to a stored offset): events would be lost; move the state away to start over");
            }
        }

        var after = new Dictionary<string, string>(StringComparer.Ordinal);
        FileRead? read = null;
        var more = false;
        foreach (var name in names)
        {
            var prefix = $"{FilePrefix}{name!}:";
            var stored = Stored.Of(position, prefix);
            if (read is null)
            {
                var file = ReadFile(Path.Combine(_path, name!), $"{Directory}/{name}", stored, _maxBytesPerRead);
                if (file.Next.Offset > stored.Offset || file.More)
                {
                    read = file;
                    more = file.More;
                    foreach (var (key, value) in file.Next.To(prefix))
                    {
                        after[key] = value;
                    }

                    continue;
                }
            }
            else
            {
                Check(Path.Combine(_path, name!), $"{Directory}/{name}", stored, out var size);
                more |= size > stored.Offset;
            }

            foreach (var (key, value) in stored.To(prefix))
            {
                after[key] = value;
            }
        }

        return new EventBatch(read?.Events ?? [], after, more);
    }

    /// <summary>Where a file was left: its offset, the hashes of its first bytes and of those before the offset, and its device and inode.</summary>
    private sealed record Stored(long Offset, string? Head, string? Tail, string? Id)
    {
        public static Stored Of(IReadOnlyDictionary<string, string> position, string prefix) => new(
            position.TryGetValue(prefix + "offset", out var o) ? long.Parse(o, CultureInfo.InvariantCulture) : 0,
            position.GetValueOrDefault(prefix + "head"), position.GetValueOrDefault(prefix + "tail"), position.GetValueOrDefault(prefix + "id"));

        public Dictionary<string, string> To(string prefix)
        {
            var keys = new Dictionary<string, string>(StringComparer.Ordinal) { [prefix + "offset"] = Offset.ToString(CultureInfo.InvariantCulture) };
            if (Offset > 0)
            {
                keys[prefix + "head"] = Head!;
                keys[prefix + "tail"] = Tail!;
            }

            if (Id is not null)
            {
                keys[prefix + "id"] = Id;
            }

            return keys;
        }
    }

    private sealed record FileRead(List<MonitorEvent> Events, Stored Next, bool More);

    /// <summary>Refuses a file truncated or replaced since <paramref name="stored"/> was taken; its size otherwise.</summary>
    private static FileStream Check(string path, string label, Stored stored, out long size)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            size = stream.Length;
            if (stored.Offset > 0)
            {
                if (size < stored.Offset)
                {
                    throw new InputErrorException(label, null, null,
                        $"truncated since the last cycle ({size} bytes, {stored.Offset} already read): events would be lost; move the state away to start over");
                }

                // A state written before the identity was kept has none: it is taken from now on.
                if (stored.Id is not null && FileIdentity.Of(stream) is { } id && !string.Equals(id, stored.Id, StringComparison.Ordinal))
                {
                    throw new InputErrorException(label, null, null,
                        "replaced since the last cycle (another file now has its name): events would be re-read or lost; move the state away to start over");
                }

                if (!string.Equals(Hash(stream, 0, Math.Min(IdentityBytes, stored.Offset)), stored.Head, StringComparison.Ordinal) ||
                    !string.Equals(Hash(stream, Math.Max(0, stored.Offset - IdentityBytes), stored.Offset), stored.Tail, StringComparison.Ordinal))
                {
                    throw new InputErrorException(label, null, null,
                        "replaced since the last cycle (its bytes before the stored offset changed): events would be re-read or lost; move the state away to start over");
                }
            }

            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private FileRead ReadFile(string path, string label, Stored stored, int maxBytes)
    {
        using var stream = Check(path, label, stored, out var size);
        var offset = stored.Offset;
        var bytes = new byte[Math.Min(size - offset, maxBytes)];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (end == 0 && bytes.Length == maxBytes)
        {
            throw new InputErrorException(label, null, null, $"a line longer than {maxBytes} bytes at byte {offset}");
        }

        var text = Encoding.UTF8.GetString(bytes, 0, end);
        var lines = text.Split('\n');
        var events = new List<MonitorEvent>();
        var header = end == 0 && offset == 0 ? default : Header(stream, label);
        var at = offset;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var lineStart = at;
            at += Encoding.UTF8.GetByteCount(lines[i]) + 1;
            if (line.Length == 0 || (lineStart == 0 && i == 0))
            {
                continue;
            }

            var cells = Cells(line);
            if (cells.Count <= header.Max)
            {
                throw new InputErrorException(label, null, null, $"the line at byte {lineStart} has {cells.Count} cells, fewer than the header's columns");
            }

            var timestamp = cells[header.At];
            if (!EventText.TryDay(timestamp, out var day))
            {
                throw new InputErrorException(label, null, "at", $"the line at byte {lineStart}: <value withheld> is not an ISO 8601 date-time");
            }

            var principal = cells[header.Principal];
            var file = cells[header.File];
            var found = Array.BinarySearch(_files, LookupKey(file));
            var inCaseload = Array.BinarySearch(_caseload, LookupKey(file, principal)) >= 0;
            events.Add(new MonitorEvent(principal, EventText.FileKey(file), day, timestamp, found >= 0, found >= 0 && _sensitive[found], inCaseload));
        }

        var next = offset + end;
        var after = next == 0
            ? new Stored(0, null, null, null)
            : new Stored(next, Hash(stream, 0, Math.Min(IdentityBytes, next)), Hash(stream, Math.Max(0, next - IdentityBytes), next), FileIdentity.Of(stream));
        return new FileRead(events, after, size - offset > maxBytes);
    }

    private static (int Principal, int File, int At, int Max) Header(FileStream stream, string label)
    {
        stream.Position = 0;
        var buffer = new byte[Math.Min(stream.Length, 4096)];
        stream.ReadExactly(buffer);
        var newline = Array.IndexOf(buffer, (byte)'\n');
        var names = Cells(Encoding.UTF8.GetString(buffer, 0, newline < 0 ? buffer.Length : newline).TrimEnd('\r').TrimStart('\uFEFF'));
        int Column(string name) => names.IndexOf(name) is >= 0 and var i
            ? i
            : throw new InputErrorException(label, 1, name, $"the header has no {name} column");
        int principal = Column("principal_id"), file = Column("file_id"), at = Column("at");
        return (principal, file, at, Math.Max(principal, Math.Max(file, at)));
    }

    private static string Hash(FileStream stream, long from, long to)
    {
        var buffer = new byte[to - from];
        stream.Position = from;
        stream.ReadExactly(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }

    /// <summary>The cells of one CSV line (RFC 4180 quoting; a quoted cell holds no line break in an id or timestamp).</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// The access_events table of an SQLite source, read past a stored rowid watermark. Rows are found by insertion
/// order, not by their timestamp: a late-arriving row (an old <c>at</c> inserted now) is still read once. A largest
/// rowid below the watermark means the table was emptied or recreated: said, never silently re-read.
/// </summary>
public sealed class SqliteEventFeed : IEventFeed
{
    /// <summary>Rows a cycle reads at most: a backlog is worked through over several cycles, each one bounded.</summary>
    public const int MaxRowsPerCycle = 500_000;

    private readonly SqliteConnection _connection;

    public SqliteEventFeed(string databasePath) => _connection = SqliteSource.OpenReadOnly(databasePath);

    public EventBatch ReadAfter(IReadOnlyDictionary<string, string> position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var watermark = position.TryGetValue("rowid", out var w) ? long.Parse(w, CultureInfo.InvariantCulture) : 0;
        using (var max = _connection.CreateCommand())
        {
            max.CommandText = "SELECT COALESCE(MAX(rowid), 0) FROM access_events";
            var largest = Convert.ToInt64(max.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (largest < watermark)
            {
                throw new InputErrorException("access_events", null, null,
                    $"emptied or recreated since the last cycle (largest rowid {largest}, {watermark} already read): move the state away to start over");
            }
        }

        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT a.rowid, a.principal_id, a.file_id, a.at, f.id IS NOT NULL,
                   COALESCE(LOWER(CAST(f.sensitive AS TEXT)) IN ('true', '1', 't'), 0),
                   EXISTS (SELECT 1 FROM caseload AS k WHERE k.file_id = a.file_id AND k.principal_id = a.principal_id)
            FROM access_events AS a LEFT JOIN files AS f ON f.id = a.file_id
            WHERE a.rowid > $w ORDER BY a.rowid LIMIT $n
            """;
        command.Parameters.AddWithValue("$w", watermark);
        command.Parameters.AddWithValue("$n", MaxRowsPerCycle);
        var events = new List<MonitorEvent>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                watermark = reader.GetInt64(0);
                var at = reader.IsDBNull(3) ? string.Empty : Convert.ToString(reader.GetValue(3), CultureInfo.InvariantCulture) ?? string.Empty;
                if (!EventText.TryDay(at, out var day))
                {
                    throw new InputErrorException("access_events", watermark, "at", "<value withheld> is not an ISO 8601 date-time");
                }

                events.Add(new MonitorEvent(reader.GetString(1), EventText.FileKey(reader.GetString(2)), day, at,
                    reader.GetInt64(4) != 0, reader.GetInt64(5) != 0, reader.GetInt64(6) != 0));
            }
        }

        return new EventBatch(events, new Dictionary<string, string>(StringComparer.Ordinal) { ["rowid"] = watermark.ToString(CultureInfo.InvariantCulture) },
            More: events.Count == MaxRowsPerCycle);
    }

    public void Dispose() => _connection.Dispose();
}
