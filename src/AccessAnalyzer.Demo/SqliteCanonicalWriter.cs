using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using AccessAnalyzer.Demo.SqliteFile;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Demo;

/// <summary>
/// Writes the canonical tables into a fresh SQLite database built from the embedded schema (<see cref="SqliteSchema"/>).
/// <para>
/// SQLite creates the schema (tables and indexes, on empty tables) in a file beside the target; the rows are then
/// written here as b-tree pages in SQLite's documented file format: each table's leaves appended as rows arrive, each
/// index sorted in memory once the last row is in and built bottom-up, the tops of the trees written on the roots
/// SQLite allocated. Inserting through SQLite cost its virtual machine and a b-tree descent per row, and its index
/// builds an external sort; at France scale (73 million rows) that was most of the demo's time. The planner
/// statistics are counted while the indexes are built (what <c>ANALYZE</c> would write, without reading every index
/// again), and the file is renamed onto the target: a run that fails or is disposed before <see cref="Complete"/>
/// leaves the target as it was and no partial file.
/// </para>
/// <para>
/// Memory: each distinct value of an indexed column once, four bytes a row per indexed column, and the index sort's
/// arrays (3.3–3.9 GiB at France scale); the rows themselves are not kept.
/// </para>
/// </summary>
public sealed class SqliteCanonicalWriter : CanonicalTextWriter, ICanonicalWriter
{
    private readonly string _partial;
    private readonly FileStream _claim;
    private readonly PageFile _file;
    private readonly TableState[] _tables;
    private readonly IndexKeys _keys;
    private readonly KeyIntake _intake;
    private byte[] _body = new byte[1024];
    private readonly byte[] _header;   // a serial type (at most 9 bytes) per column, after one byte left for the size
    private readonly int[] _offsets;
    private readonly int[] _lengths;
    private readonly List<(string Table, string? Index, string Stat)> _statistics = [];
    private bool _completed;
    private bool _failed;
    private bool _disposed;

    /// <summary>Creates the schema in a partial file beside <paramref name="path"/>; the file at the path is replaced by <see cref="Complete"/>.</summary>
    /// <param name="path">The database to write.</param>
    /// <param name="pageSize">SQLite's page size (default 4096); tests use small pages to grow deep trees.</param>
    /// <param name="expectedValues">Distinct values of indexed columns expected (sizes a table once).</param>
    public SqliteCanonicalWriter(string path, int? pageSize = null, int expectedValues = 1 << 16)
        : this(path, pageSize, expectedValues, lockBytePage: null)
    {
    }

    /// <param name="path">The database to write.</param>
    /// <param name="pageSize">SQLite's page size.</param>
    /// <param name="expectedValues">Distinct values of indexed columns expected.</param>
    /// <param name="lockBytePage">The page left out of every b-tree (SQLite's lock byte at 1 GiB; tests move it).</param>
    internal SqliteCanonicalWriter(string path, int? pageSize, int expectedValues, uint? lockBytePage)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // A name of its own: two writers of one target never share a partial file. The file is created here and held
        // open (the claim) until it is renamed or deleted, so that a later writer can tell it from one a killed
        // process left (see RemoveAbandonedPartials); SQLite then writes the schema into the empty file.
        RemoveAbandonedPartials(Path);
        _partial = $"{Path}{PartialMarker}{Environment.ProcessId}-{Guid.NewGuid():N}"; // read back by WriterOf
        _claim = new FileStream(_partial, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        _keys = new IndexKeys(expectedValues);
        try
        {
            _tables = CreateSchema(_partial, pageSize, out var size, out var usable, out var pages);
            var widest = _tables.Max(t => t.FieldOf.Length);
            (_header, _offsets, _lengths) = (new byte[1 + (9 * widest)], new int[widest], new int[widest]);
            _file = new PageFile(_partial, size, usable, pages, lockBytePage);
            foreach (var table in _tables)
            {
                table.Tree = new TableTree(_file, table.Root);
            }

            _intake = new KeyIntake(_keys);
        }
        catch
        {
            _file?.Dispose();
            _claim.Dispose();
            DeletePartial();
            throw;
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The lockout threshold is stored as an integer, the one column stored as a number.</summary>
    public override void WriteAccountPolicy(string organization, int lockoutThreshold, bool mfaRequired) =>
        Write(CanonicalTable.AccountPolicy, [organization, null, CanonicalLayout.Boolean(mfaRequired)], integerField: 1, integer: lockoutThreshold);

    private protected override void WriteRow(CanonicalTable table, params ReadOnlySpan<string?> fields) =>
        Write(table, fields, integerField: -1, integer: 0);

    /// <summary>Finishes the tables, builds the indexes, gathers statistics, then renames the file onto the target.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        CheckUsable();
        try
        {
            Build();
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    private void CheckUsable()
    {
        if (_failed)
        {
            throw new InvalidOperationException("The writer failed; the database was not written.");
        }
    }

    private void Build()
    {
        foreach (var table in _tables)
        {
            table.Tree!.Complete();
        }

        _intake.Finish();
        var ranks = _keys.Ranks();
        var workspace = new IndexWorkspace();
        foreach (var table in _tables)
        {
            foreach (var index in table.Indexes)
            {
                BuildIndex(table, index, ranks, workspace);
            }

            foreach (var (_, values) in table.Keys)
            {
                values.Release();
            }
        }

        foreach (var table in _tables.Where(t => t.Indexes.Length == 0 && t.Tree!.Rows > 0))
        {
            _statistics.Add((table.Name, null, table.Tree!.Rows.ToString(CultureInfo.InvariantCulture)));
        }

        _file.Close();
        _file.Dispose();
        WriteStatistics();

        DeleteJournals(Path); // a stale journal beside the new file would be played back into it
        File.Move(_partial, Path, overwrite: true);
        _completed = true;
        _claim.Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _intake.Dispose();
        _file?.Dispose();
        _claim.Dispose();
        if (!_completed)
        {
            DeletePartial();
        }
    }

    private void DeletePartial() => DeleteWithJournals(_partial);

    private static void DeleteWithJournals(string file)
    {
        File.Delete(file);
        DeleteJournals(file);
    }

    /// <summary>The files SQLite keeps beside a database while it changes it.</summary>
    private static void DeleteJournals(string file)
    {
        foreach (var suffix in new[] { "-journal", "-wal", "-shm" })
        {
            File.Delete(file + suffix);
        }
    }

    /// <summary>Between the target's name and the writing process's id in a partial file's name.</summary>
    internal const string PartialMarker = ".partial-";

    /// <summary>
    /// A writer removes its partial file when it fails or is disposed, but a process killed outright (out of memory,
    /// <c>kill -9</c>) cannot, and its partial file (gigabytes at France scale) would stay beside the target. The
    /// next writer of the target removes a partial file only when nobody holds it open (every writer holds its own
    /// from creation to rename: the operating system lets go of it when the process dies, on this machine or another
    /// sharing the directory) and the process named in it does not run here (should file locks be unavailable). A
    /// file of a running writer, or a name this writer did not make, is left alone. The clean-up is best effort:
    /// what cannot be listed, opened or deleted stays, and the demo goes on.
    /// </summary>
    internal static void RemoveAbandonedPartials(string target)
    {
        var directory = System.IO.Path.GetDirectoryName(target);
        var prefix = System.IO.Path.GetFileName(target) + PartialMarker;
        try
        {
            if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
            {
                return;
            }

            // Every name, compared as text: the target's own name may hold a pattern's wildcards (* and ?).
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                var name = System.IO.Path.GetFileName(file);
                if (!name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (WriterOf(name[prefix.Length..]) is not { } processId || IsRunning(processId) || IsHeld(file))
                {
                    continue; // a journal of a partial file (its name ends otherwise), a running writer's, or not ours
                }

                try
                {
                    DeleteWithJournals(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's file, or one removed meanwhile: left to whoever can remove it.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // A directory that cannot be listed: nothing is removed.
        }
    }

    /// <summary>
    /// The process id in what follows the marker in a partial file's name, as the constructor writes it
    /// (<c>&lt;process id&gt;-&lt;32 hex digits&gt;</c>); null for any other name.
    /// </summary>
    private static int? WriterOf(string rest)
    {
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && rest.Length == dash + 33 && Guid.TryParseExact(rest.AsSpan(dash + 1), "N", out _)
            && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var processId)
            ? processId
            : null;
    }

    /// <summary>Whether a process with this id runs here; in doubt (no right to ask), it does.</summary>
    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no process has that id
        }
        catch (Exception)
        {
            return true;
        }
    }

    /// <summary>Whether some process holds the file open as a writer holds its claim; in doubt (no right to open it), it does.</summary>
    private static bool IsHeld(string file)
    {
        try
        {
            using var probe = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (Exception)
        {
            return true;
        }
    }

    private void Write(CanonicalTable which, ReadOnlySpan<string?> fields, int integerField, long integer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("Rows cannot be written after Complete().");
        }

        CheckUsable();
        var table = _tables[(int)which];
        var columns = table.FieldOf.Length;
        var headerLength = 0;
        var bodyLength = 0;
        for (var c = 0; c < columns; c++)
        {
            var f = table.FieldOf[c];
            var text = fields[f];
            long serial;
            if (f == integerField)
            {
                var (type, size) = SqliteFormat.IntegerSerial(integer);
                Reserve(bodyLength + size);
                SqliteFormat.WriteInteger(_body.AsSpan(bodyLength), integer, size);
                _offsets[c] = bodyLength;
                _lengths[c] = size;
                bodyLength += size;
                serial = type;
            }
            else if (text is null)
            {
                if (table.NotNull[c])
                {
                    throw new InvalidOperationException($"NOT NULL constraint failed: {table.Name}.{CanonicalLayout.Columns[(int)which][f]}");
                }

                _lengths[c] = -1;
                serial = 0;
            }
            else
            {
                Reserve(bodyLength + Encoding.UTF8.GetMaxByteCount(text.Length));
                var length = Encoding.UTF8.GetBytes(text, _body.AsSpan(bodyLength));
                _offsets[c] = bodyLength;
                _lengths[c] = length;
                bodyLength += length;
                serial = (2L * length) + 13;
            }

            headerLength += SqliteFormat.WriteVarint(_header.AsSpan(1 + headerLength), (ulong)serial);
        }

        // The header's own size comes first: one byte while the header stays under 128 bytes, else two.
        var sizeLength = headerLength + 1 <= 127 ? 1 : 2;
        var bodyStart = headerLength + sizeLength;
        var recordLength = bodyStart + bodyLength;
        Reserve(bodyLength + recordLength);
        _body.AsSpan(0, bodyLength).CopyTo(_body.AsSpan(bodyStart));
        SqliteFormat.WriteVarint(_body, (ulong)bodyStart);
        _header.AsSpan(1, headerLength).CopyTo(_body.AsSpan(sizeLength));
        table.Tree!.Add(_body.AsSpan(0, recordLength));

        foreach (var (cid, values) in table.Keys)
        {
            var isNull = _lengths[cid] < 0;
            _intake.Add(values, isNull ? default : _body.AsSpan(bodyStart + _offsets[cid], _lengths[cid]), isNull);
        }
    }

    /// <summary>
    /// The planner's statistics, as <c>ANALYZE</c> would gather them (which reads every index again: 15 s at France
    /// scale): SQLite creates <c>sqlite_stat1</c> (analyzing only its catalogue, which adds no row), then the rows
    /// counted while the indexes were built go in.
    /// </summary>
    private void WriteStatistics()
    {
        using var connection = Open(_partial, create: false);
        Execute(connection, "ANALYZE sqlite_schema");
        using var transaction = connection.BeginTransaction();
        foreach (var (table, index, stat) in _statistics)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ($t, $i, $s)";
            command.Parameters.AddWithValue("$t", table);
            command.Parameters.AddWithValue("$i", (object?)index ?? DBNull.Value);
            command.Parameters.AddWithValue("$s", stat);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private void Reserve(int length)
    {
        if (_body.Length < length)
        {
            Array.Resize(ref _body, Math.Max(length, _body.Length * 2));
        }
    }

    /// <summary>
    /// The index's entries in its order: rowid order, then one stable counting sort per key column from the last to
    /// the first (NULL first, then text by rank); a column already in order is not sorted again.
    /// </summary>
    private void BuildIndex(TableState table, IndexState index, int[] ranks, IndexWorkspace workspace)
    {
        var rows = (int)table.Tree!.Rows;
        var columns = index.Columns.Select(cid => table.Keys.First(k => k.Cid == cid).Values).ToArray();
        var sorted = IndexOrder.Sort(columns, rows, ranks, workspace);

        // Distinct prefixes of the key, for the planner's statistics (as ANALYZE counts them: NULLs equal).
        var distinct = new long[columns.Length];
        for (var i = 0; i < rows; i++)
        {
            var first = 0;
            if (i > 0)
            {
                while (first < columns.Length && sorted.Dense(first, i) == sorted.Dense(first, i - 1))
                {
                    first++;
                }
            }

            for (var c = first; c < columns.Length; c++)
            {
                distinct[c]++;
            }

            if (i > 0 && first == columns.Length && index.Unique && Enumerable.Range(0, columns.Length).All(c => sorted.Value(c, i) >= 0))
            {
                throw new InvalidOperationException($"UNIQUE constraint failed: {table.Name} ({index.Name}), rows {sorted.Row(i - 1) + 1} and {sorted.Row(i) + 1}.");
            }
        }

        if (rows > 0)
        {
            _statistics.Add((table.Name, index.Name, string.Join(' ', distinct.Select(d => AverageRows(rows, d)).Prepend(rows))));
        }

        var tree = new IndexTree(_file, index.Root);
        var record = new byte[64];
        var values = new int[columns.Length];
        for (var position = 0; position < rows; position++)
        {
            // Header: its size, a serial type per key column, the rowid's; then the values and the rowid.
            var rowid = (long)sorted.Row(position) + 1;
            for (var c = 0; c < values.Length; c++)
            {
                values[c] = sorted.Value(c, position);
            }

            var (rowidType, rowidSize) = SqliteFormat.IntegerSerial(rowid);
            var headerLength = 1 + SqliteFormat.VarintLength((ulong)rowidType);
            var bodyLength = rowidSize;
            foreach (var v in values)
            {
                var length = v < 0 ? 0 : _keys.Value(v).Length;
                headerLength += SqliteFormat.VarintLength(v < 0 ? 0UL : (2UL * (ulong)length) + 13);
                bodyLength += length;
            }

            if (headerLength > 127)
            {
                headerLength++; // two bytes of header size (an index holds a few columns: never more)
            }

            if (record.Length < headerLength + bodyLength)
            {
                record = new byte[Math.Max(headerLength + bodyLength, record.Length * 2)];
            }

            var h = SqliteFormat.WriteVarint(record, (ulong)headerLength);
            var b = headerLength;
            foreach (var v in values)
            {
                if (v < 0)
                {
                    record[h++] = 0;
                    continue;
                }

                var value = _keys.Value(v);
                h += SqliteFormat.WriteVarint(record.AsSpan(h), (2UL * (ulong)value.Length) + 13);
                value.CopyTo(record.AsSpan(b));
                b += value.Length;
            }

            h += SqliteFormat.WriteVarint(record.AsSpan(h), (ulong)rowidType);
            SqliteFormat.WriteInteger(record.AsSpan(b), rowid, rowidSize);
            b += rowidSize;
            if (h != headerLength)
            {
                throw new InvalidOperationException("Index record header miscounted.");
            }

            tree.Add(record.AsSpan(0, b));
        }

        tree.Complete();
    }

    /// <summary>Rows per distinct prefix, rounded up, as ANALYZE writes it (2 read as 1 when nearly every prefix is distinct).</summary>
    private static long AverageRows(long rows, long distinct)
    {
        var average = (rows + distinct - 1) / distinct;
        return average == 2 && rows * 10 <= distinct * 11 ? 1 : average;
    }

    /// <summary>
    /// SQLite creates the schema in the partial file; its catalogue then gives each table's root page, column order and
    /// indexes, and the file's header the page size.
    /// </summary>
    private static TableState[] CreateSchema(string file, int? pageSize, out int size, out int usable, out uint pages)
    {
        var tables = new TableState[CanonicalLayout.TableNames.Length];
        using (var connection = Open(file))
        {
            if (pageSize is { } p)
            {
                Execute(connection, $"PRAGMA page_size = {p}");
            }

            Execute(connection, "PRAGMA journal_mode = OFF");
            foreach (var statement in SqliteSchema.TableStatements.Concat(SqliteSchema.IndexStatements))
            {
                Execute(connection, statement);
            }

            for (var t = 0; t < tables.Length; t++)
            {
                var name = CanonicalLayout.TableNames[t];
                var info = Query(connection, $"SELECT name, \"notnull\" FROM pragma_table_info('{name}') ORDER BY cid", r => (Name: r.GetString(0), NotNull: r.GetInt64(1) != 0));
                var fieldOf = info.Select(c => Array.IndexOf(CanonicalLayout.Columns[t], c.Name)).ToArray();
                if (fieldOf.Length != CanonicalLayout.Columns[t].Length || fieldOf.Contains(-1))
                {
                    throw new InvalidOperationException($"The schema's {name} columns differ from the canonical ones.");
                }

                var root = Query(connection, $"SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = '{name}'", r => (uint)r.GetInt64(0)).Single();
                var indexes = new List<IndexState>();
                foreach (var (index, unique, partial) in Query(connection, $"SELECT name, \"unique\", partial FROM pragma_index_list('{name}')",
                    r => (r.GetString(0), r.GetInt64(1) != 0, r.GetInt64(2) != 0)))
                {
                    var keys = Query(connection, $"SELECT cid, \"desc\", coll FROM pragma_index_xinfo('{index}') WHERE key = 1 ORDER BY seqno",
                        r => (Cid: (int)r.GetInt64(0), Desc: r.GetInt64(1) != 0, Collation: r.GetString(2)));
                    if (partial || keys.Any(k => k.Cid < 0 || k.Desc || k.Collation != "BINARY"))
                    {
                        throw new InvalidOperationException($"Index {index}: only ascending BINARY indexes on columns are written here.");
                    }

                    var indexRoot = Query(connection, $"SELECT rootpage FROM sqlite_schema WHERE type = 'index' AND name = '{index}'", r => (uint)r.GetInt64(0)).Single();
                    indexes.Add(new IndexState(index, indexRoot, unique, [.. keys.Select(k => k.Cid)]));
                }

                // Indexes in catalogue order (newest first in index_list): built oldest first.
                indexes.Reverse();
                var keyColumns = indexes.SelectMany(i => i.Columns).Distinct().Order().Select(cid => (cid, new ChunkedInts())).ToArray();
                tables[t] = new TableState(name, root, fieldOf, [.. info.Select(c => c.NotNull)], [.. indexes], keyColumns);
            }
        }

        var header = new byte[100];
        using (var stream = File.OpenRead(file))
        {
            stream.ReadExactly(header);
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(52)) != 0)
        {
            throw new InvalidOperationException("Auto-vacuum databases need pointer-map pages, which are not written here.");
        }

        var raw = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
        size = raw == 1 ? 65536 : raw;
        usable = size - header[20];
        pages = (uint)(new FileInfo(file).Length / size);
        return tables;
    }

    private static SqliteConnection Open(string file, bool create = true)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private sealed record IndexState(string Name, uint Root, bool Unique, int[] Columns);

    /// <summary>
    /// A table being written: its root page, the canonical field of each column in the table's column order
    /// (<c>FieldOf</c>), which columns are NOT NULL, its indexes, and its indexed columns with their values' numbers row by row (<c>Keys</c>).
    /// </summary>
    private sealed record TableState(string Name, uint Root, int[] FieldOf, bool[] NotNull, IndexState[] Indexes, (int Cid, ChunkedInts Values)[] Keys)
    {
        public TableTree? Tree { get; set; }
    }
}
