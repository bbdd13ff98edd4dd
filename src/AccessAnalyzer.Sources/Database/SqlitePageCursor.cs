using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;
using SQLitePCL;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A big SQLite table read from its table b-tree's pages in the database file format SQLite documents and keeps
/// stable: stepping a statement costs SQLite's virtual machine, cursor and column calls for every cell, which was most
/// of a France-scale read (the <c>sqlite3</c> shell alone spends 10 s scanning <c>files</c>); decoding the same
/// records here is a few varints per row.
/// <para>
/// The pages are read through SQLite itself, on a connection that holds a read transaction from the first page to
/// the last: its shared lock keeps every writer out, so the pages form one committed state, a hot journal is rolled
/// back before the first read, and reading goes through SQLite's own file handle (<c>SQLITE_FCNTL_FILE_POINTER</c>
/// and the handle's <c>xRead</c>), never a descriptor of ours, whose closing would drop SQLite's POSIX locks.
/// </para>
/// <para>
/// Only what this reader can decode exactly as a statement would is read here; <see cref="TryOpen"/> returns null
/// (the caller steps a statement) for a database in WAL mode (committed pages may still be in the log), a text
/// encoding other than UTF-8, a view, a virtual or WITHOUT ROWID table, an INTEGER PRIMARY KEY (its values live in
/// the rowid) and generated columns (not stored). A row written before an <c>ALTER TABLE … ADD COLUMN</c> lacks the
/// new columns' values: that row alone is read by rowid through a statement, which supplies the defaults. Rows come in
/// rowid order, as <c>SELECT *</c> returns them, numbered from 1. A page that breaks the format is one line
/// (<c>database disk image is malformed</c>), each page is visited at most once, so a corrupt file cannot loop.
/// </para>
/// </summary>
internal sealed unsafe class SqlitePageCursor : ITableCursor
{
    /// <summary>Leaf pages are read in runs of up to this many bytes, one call per run.</summary>
    private const int RunBytes = 1 << 20;

    /// <summary>Pages of other b-trees between two leaves that a run reads through rather than cut the run.</summary>
    private const int GapPages = 8;

    private const int SqliteFcntlFilePointer = 7;
    private const int SqliteIoErrShortRead = 522;

    private readonly sqlite3 _connection;
    private readonly nint _file;
    private readonly delegate* unmanaged<nint, byte*, int, long, int> _read;
    private readonly int _pageSize;
    private readonly int _usable;
    private readonly long _pageCount;
    private uint[] _leaves = [];
    private readonly string[] _names;
    private readonly string?[] _declared;
    private readonly bool[] _realAffinity;
    private readonly Dictionary<string, int> _columns;
    private readonly string _path;
    private readonly string _tableSql;
    private readonly string _table;
    private readonly Func<string, string> _displayName;

    private readonly long[] _serial;
    private readonly int[] _offset;
    private readonly int[] _length;

    private byte[] _run = [];
    private long _runFirst;
    private int _runPages;
    private int _leaf = -1;
    private int _leafStart;
    private int _cells;
    private int _cell;

    private byte[] _payload = [];
    private byte[] _cellBuffer = [];
    private long _rowid;
    private bool _delegated;
    private SqliteRowCursor? _rowByRowid;
    private byte[]?[]? _scratch;

    private SqlitePageCursor(
        sqlite3 connection, nint file, nint read, int pageSize, int usable, long pageCount,
        (string Name, string? Declared)[] columns, string path, string tableSql, string table, Func<string, string> displayName)
    {
        _connection = connection;
        _file = file;
        _read = (delegate* unmanaged<nint, byte*, int, long, int>)read;
        _pageSize = pageSize;
        _usable = usable;
        _pageCount = pageCount;
        _names = [.. columns.Select(c => c.Name)];
        _declared = [.. columns.Select(c => c.Declared)];
        _realAffinity = [.. columns.Select(c => HasRealAffinity(c.Declared))];
        _columns = TableCursorExtensions.ColumnIndex(_names);

        _serial = new long[_names.Length];
        _offset = new int[_names.Length];
        _length = new int[_names.Length];
        _path = path;
        _tableSql = tableSql;
        _table = table;
        _displayName = displayName;
        DisplayName = displayName(table);
        Personal = TableCursorExtensions.IsPersonalTable(table);
    }

    /// <summary>
    /// The table <paramref name="table"/> of the database at <paramref name="path"/> read from its pages, or null when
    /// this reader cannot promise a statement's result (see the class): the caller then steps a statement.
    /// </summary>
    public static SqlitePageCursor? TryOpen(string path, string tableSql, string table, Func<string, string> displayName)
    {
        var rc = raw.sqlite3_open_v2(path, out var database, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
        var handed = false;
        try
        {
            if (rc != raw.SQLITE_OK)
            {
                return null;
            }

            // The read transaction starts with the first read of the schema and lasts until the connection closes.
            if (raw.sqlite3_exec(database, "BEGIN") != raw.SQLITE_OK)
            {
                return null;
            }

            var root = Scalar(database, "SELECT CASE WHEN type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' THEN rootpage END FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE", table);
            if (root is not long rootPage || rootPage < 2
                || Text(database, "PRAGMA main.journal_mode", null) is not { } mode || string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase)
                || !string.Equals(Text(database, "PRAGMA main.encoding", null), "UTF-8", StringComparison.OrdinalIgnoreCase)
                || Columns(database, table) is not { } columns
                || Scalar(database, "PRAGMA main.page_count", null) is not long pageCount)
            {
                return null;
            }

            var file = FileOf(database);
            if (file == 0)
            {
                return null;
            }

            var read = *(nint*)(*(nint*)file + 16);
            var header = new byte[100];
            fixed (byte* h = header)
            {
                if (((delegate* unmanaged<nint, byte*, int, long, int>)read)(file, h, header.Length, 0) != raw.SQLITE_OK)
                {
                    return null;
                }
            }

            if (!header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8) || BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(56)) != 1)
            {
                return null;
            }

            var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16)) is var size && size == 1 ? 65536 : size;
            var usable = pageSize - header[20];
            if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0 || usable < 480)
            {
                return null;
            }

            var cursor = new SqlitePageCursor(database, file, read, pageSize, usable, pageCount, columns, path, tableSql, table, displayName);
            if (cursor.Leaves(rootPage) is not { } leaves)
            {
                return null;
            }

            cursor._leaves = leaves;
            handed = true;
            return cursor;
        }
        finally
        {
            if (!handed)
            {
                database.Dispose();
            }
        }
    }

    public string DisplayName { get; }

    public bool Personal { get; }

    public InputProblems? Problems { get; set; }

    public long Line { get; private set; }

    public long? MessageLine => Line;

    public int Column(string name, bool required = true) => this.Column(_columns, name, required);

    public bool Read()
    {
        while (_cell >= _cells)
        {
            if (++_leaf >= _leaves.Length)
            {
                _leaf = _leaves.Length;
                return false;
            }

            OpenLeaf(_leaves[_leaf]);
        }

        DecodeCell(_cell++);
        Line++;
        return true;
    }

    public ReadOnlySpan<byte> Bytes(int column)
    {
        if (column < 0)
        {
            return default;
        }

        if (_delegated)
        {
            return _rowByRowid!.Bytes(column);
        }

        var serial = _serial[column];
        if (serial >= 13 && (serial & 1) == 1)
        {
            return _payload.AsSpan(_offset[column], _length[column]);
        }

        if (serial == 0)
        {
            return default;
        }

        _scratch ??= new byte[_names.Length][];
        ref var buffer = ref _scratch[column];
        buffer ??= new byte[32];
        int written;
        if (serial == 7 || _realAffinity[column] && serial is >= 1 and <= 9)
        {
            if (!Real(column).TryFormat(buffer, out written, provider: CultureInfo.InvariantCulture))
            {
                throw Malformed(0);
            }
        }
        else if (serial is >= 1 and <= 9)
        {
            if (!Integer(column).TryFormat(buffer, out written, provider: CultureInfo.InvariantCulture))
            {
                throw Malformed(0);
            }
        }
        else
        {
            throw WrongType(column);
        }

        return buffer.AsSpan(0, written);
    }

    /// <summary>The cell as the statement reader gives it (invalid UTF-8 replaced), numbers in the same canonical text.</summary>
    public string? Get(int column)
    {
        if (column < 0)
        {
            return null;
        }

        if (_delegated)
        {
            return _rowByRowid!.Get(column);
        }

        var serial = _serial[column];
        return serial switch
        {
            0 => null,
            >= 13 when (serial & 1) == 1 => Encoding.UTF8.GetString(_payload, _offset[column], _length[column]),
            7 => Real(column).ToString(CultureInfo.InvariantCulture),
            >= 1 and <= 9 when _realAffinity[column] => Real(column).ToString(CultureInfo.InvariantCulture),
            >= 1 and <= 9 => Integer(column).ToString(CultureInfo.InvariantCulture),
            _ => throw WrongType(column),
        };
    }

    public string Describe(int column) => _names[column];

    public string ColumnName(int column) => _names[column];

    public void Dispose()
    {
        _rowByRowid?.Dispose();
        _rowByRowid = null;

        // Closing the connection ends the read transaction and releases its lock.
        _connection.Dispose();
    }

    private long Integer(int column)
    {
        var cell = _payload.AsSpan(_offset[column], _length[column]);
        return _serial[column] switch
        {
            1 => (sbyte)cell[0],
            2 => BinaryPrimitives.ReadInt16BigEndian(cell),
            3 => ((cell[0] << 16) | (cell[1] << 8) | cell[2]) << 8 >> 8,
            4 => BinaryPrimitives.ReadInt32BigEndian(cell),
            5 => ((long)BinaryPrimitives.ReadInt16BigEndian(cell) << 32) | BinaryPrimitives.ReadUInt32BigEndian(cell[2..]),
            6 => BinaryPrimitives.ReadInt64BigEndian(cell),
            8 => 0,
            _ => 1,
        };
    }

    /// <summary>A REAL cell; an integer stored in a column of REAL affinity, which SQLite reads back as a REAL.</summary>
    private double Real(int column) => _serial[column] == 7
        ? BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(_payload.AsSpan(_offset[column], 8)))
        : Integer(column);

    /// <summary>Brings the leaf page into the current run (reading the next run when it lies outside) and reads its header.</summary>
    private void OpenLeaf(uint page)
    {
        if (page < _runFirst || page >= _runFirst + _runPages)
        {
            ReadRun(_leaf);
        }

        _leafStart = (int)(page - _runFirst) * _pageSize;
        if (_run[_leafStart] != 0x0D)
        {
            throw Malformed(page);
        }

        _cells = BinaryPrimitives.ReadUInt16BigEndian(_run.AsSpan(_leafStart + 3));
        if (8 + (2 * _cells) > _usable)
        {
            throw Malformed(page);
        }

        _cell = 0;
    }

    /// <summary>Reads, in one call, the leaf at <paramref name="index"/> and the leaves after it that lie close by in the file.</summary>
    private void ReadRun(int index)
    {
        long first = _leaves[index];
        var last = first;
        var most = RunBytes / _pageSize;
        for (var i = index + 1; i < _leaves.Length; i++)
        {
            long next = _leaves[i];
            if (next <= last || next - last > GapPages || next - first >= most)
            {
                break;
            }

            last = next;
        }

        var pages = (int)(last - first + 1);
        if (_run.Length < pages * _pageSize)
        {
            _run = new byte[Math.Max(pages, most) * _pageSize];
        }

        ReadPages(first, pages, _run);
        _runFirst = first;
        _runPages = pages;
    }

    private void ReadPages(long first, int pages, byte[] into)
    {
        fixed (byte* buffer = into)
        {
            var rc = _read(_file, buffer, pages * _pageSize, (first - 1) * _pageSize);
            if (rc == SqliteIoErrShortRead)
            {
                throw Malformed(first);
            }

            if (rc != raw.SQLITE_OK)
            {
                throw new InputErrorException(DisplayName, null, null, $"cannot read the database: disk I/O error ({rc})");
            }
        }
    }

    /// <summary>Decodes cell <paramref name="index"/> of the current leaf: its payload (overflow pages followed) and the record's header.</summary>
    private void DecodeCell(int index)
    {
        var page = _run.AsSpan(_leafStart, _usable);
        var pointer = BinaryPrimitives.ReadUInt16BigEndian(page[(8 + (2 * index))..]);
        if (pointer >= _usable)
        {
            throw Malformed(_leaves[_leaf]);
        }

        var at = (int)pointer;
        var payloadSize = Varint(page, ref at);
        _rowid = Varint(page, ref at);
        var maxLocal = _usable - 35;
        int start;
        if (payloadSize <= maxLocal)
        {
            if (at + payloadSize > _usable)
            {
                throw Malformed(_leaves[_leaf]);
            }

            _payload = _run;
            start = _leafStart + at;
        }
        else
        {
            start = 0;
            Spilled(page, at, payloadSize);
        }

        _delegated = !Record(start, (int)payloadSize);
        if (_delegated)
        {
            RowByRowid();
        }
    }

    /// <summary>A payload larger than a leaf holds: the local part, then the chain of overflow pages, copied into one buffer.</summary>
    private void Spilled(ReadOnlySpan<byte> page, int at, long payloadSize)
    {
        if (payloadSize > (_pageCount * _usable) || payloadSize > Array.MaxLength)
        {
            throw Malformed(_leaves[_leaf]);
        }

        var minLocal = ((_usable - 12) * 32 / 255) - 23;
        var local = (int)(minLocal + ((payloadSize - minLocal) % (_usable - 4)));
        if (local > _usable - 35)
        {
            local = minLocal;
        }

        if (at + local + 4 > _usable)
        {
            throw Malformed(_leaves[_leaf]);
        }

        if (_cellBuffer.Length < payloadSize)
        {
            _cellBuffer = new byte[Math.Max(payloadSize, _pageSize * 4)];
        }

        page.Slice(at, local).CopyTo(_cellBuffer);
        long next = BinaryPrimitives.ReadUInt32BigEndian(page[(at + local)..]);
        var copied = local;
        var overflow = new byte[_pageSize];
        var chain = 0L;
        while (copied < payloadSize)
        {
            // Each overflow page carries usable - 4 bytes: a chain longer than the payload needs, or out of the file, is corrupt.
            if (next < 2 || next > _pageCount || ++chain > _pageCount)
            {
                throw Malformed(_leaves[_leaf]);
            }

            ReadPages(next, 1, overflow);
            var take = (int)Math.Min(_usable - 4, payloadSize - copied);
            overflow.AsSpan(4, take).CopyTo(_cellBuffer.AsSpan(copied));
            copied += take;
            next = BinaryPrimitives.ReadUInt32BigEndian(overflow);
        }

        _payload = _cellBuffer;
    }

    /// <summary>
    /// Reads the record header of the payload at <paramref name="start"/>: each column's serial type, offset and
    /// length. False when the record holds fewer values than the table has columns (written before a column was added).
    /// </summary>
    private bool Record(int start, int size)
    {
        var record = _payload.AsSpan(start, size);
        var at = 0;
        var headerSize = Varint(record, ref at);
        if (headerSize < at || headerSize > size)
        {
            throw Malformed(_leaves[_leaf]);
        }

        var header = record[..(int)headerSize];
        var body = (int)headerSize;
        for (var c = 0; c < _serial.Length; c++)
        {
            if (at >= header.Length)
            {
                return false;
            }

            var serial = Varint(header, ref at);
            var length = serial switch
            {
                0 or 8 or 9 => 0,
                >= 1 and <= 4 => (int)serial,
                5 => 6,
                6 or 7 => 8,
                >= 12 when (serial - 12) / 2 <= size => (int)((serial - 12) / 2),
                _ => -1,
            };
            if (length < 0 || body + length > size)
            {
                throw Malformed(_leaves[_leaf]);
            }

            _serial[c] = serial;
            _offset[c] = start + body;
            _length[c] = length;
            body += length;
        }

        return true;
    }

    /// <summary>The current row read by its rowid through a statement, which fills the columns the record lacks.</summary>
    private void RowByRowid()
    {
        _rowByRowid ??= SqliteRowCursor.Open(_path, $"SELECT * FROM {_tableSql} WHERE rowid >= ?1 AND rowid <= ?2", _table, _displayName);
        _rowByRowid.Rebind(_rowid, _rowid);
        if (!_rowByRowid.Read())
        {
            throw Malformed(_leaves[_leaf]);
        }
    }

    /// <summary>
    /// The leaf pages of the table b-tree at <paramref name="root"/> in key order; null when the root is not a table
    /// b-tree (a WITHOUT ROWID table is an index b-tree).
    /// </summary>
    private uint[]? Leaves(long root)
    {
        var visited = new System.Collections.BitArray((int)Math.Min(_pageCount + 1, int.MaxValue));
        var leaves = new List<uint>();
        var pending = new Stack<long>();
        var page = new byte[_pageSize];
        var children = new List<long>();
        pending.Push(root);
        var first = true;
        while (pending.Count > 0)
        {
            var number = pending.Pop();
            if (number < 2 || number > _pageCount || number > uint.MaxValue || visited[(int)number])
            {
                throw Malformed(number);
            }

            visited[(int)number] = true;
            ReadPages(number, 1, page);
            var kind = page[0];
            if (first && kind is not (0x05 or 0x0D))
            {
                return null;
            }

            first = false;
            if (kind == 0x0D)
            {
                leaves.Add((uint)number);
                continue;
            }

            if (kind != 0x05)
            {
                throw Malformed(number);
            }

            var cells = BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(3));
            if (12 + (2 * cells) > _usable)
            {
                throw Malformed(number);
            }

            children.Clear();
            for (var i = 0; i < cells; i++)
            {
                var pointer = BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(12 + (2 * i)));
                if (pointer + 4 > _usable)
                {
                    throw Malformed(number);
                }

                children.Add(BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(pointer)));
            }

            children.Add(BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(8)));
            for (var i = children.Count - 1; i >= 0; i--)
            {
                pending.Push(children[i]);
            }
        }

        return [.. leaves];
    }

    /// <summary>A SQLite varint (one to nine bytes, big-endian, seven bits a byte and eight in the ninth).</summary>
    private long Varint(ReadOnlySpan<byte> bytes, ref int at)
    {
        long value = 0;
        for (var i = 0; i < 8; i++)
        {
            if (at >= bytes.Length)
            {
                throw Malformed(_leaf >= 0 && _leaf < _leaves.Length ? _leaves[_leaf] : 0);
            }

            var b = bytes[at++];
            value = (value << 7) | (uint)(b & 0x7F);
            if (b < 0x80)
            {
                return value;
            }
        }

        if (at >= bytes.Length)
        {
            throw Malformed(_leaf >= 0 && _leaf < _leaves.Length ? _leaves[_leaf] : 0);
        }

        return (value << 8) | bytes[at++];
    }

    private InputErrorException Malformed(long page) =>
        new(DisplayName, null, null, page > 0 ? $"cannot read the database: database disk image is malformed (page {page})" : "cannot read the database: database disk image is malformed");

    /// <summary>A BLOB has no text form: the line <see cref="SqliteRowCursor"/> gives, naming table, column and declared type.</summary>
    private InputErrorException WrongType(int column) =>
        SqliteRowCursor.WrongType(_displayName(_table), _table, MessageLine, _names[column], _declared[column]);

    /// <summary>SQLite's affinity rule for a declared type: REAL when it names no INT, CHAR, CLOB, TEXT or BLOB but REAL, FLOA or DOUB.</summary>
    private static bool HasRealAffinity(string? declared)
    {
        if (string.IsNullOrEmpty(declared))
        {
            return false;
        }

        var type = declared.ToUpperInvariant();
        return !type.Contains("INT", StringComparison.Ordinal) && !type.Contains("CHAR", StringComparison.Ordinal)
            && !type.Contains("CLOB", StringComparison.Ordinal) && !type.Contains("TEXT", StringComparison.Ordinal)
            && !type.Contains("BLOB", StringComparison.Ordinal)
            && (type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal));
    }

    /// <summary>
    /// The table's columns in record order with their declared types; null when a record would not hold them all in
    /// that order: a generated column (hidden in <c>table_xinfo</c>) or an INTEGER PRIMARY KEY (the rowid).
    /// </summary>
    private static (string Name, string? Declared)[]? Columns(sqlite3 database, string table)
    {
        var columns = new List<(string, string?)>();
        var keys = new List<string?>();
        var rc = raw.sqlite3_prepare_v2(database, "SELECT name, type, pk, hidden FROM pragma_table_xinfo(?1, 'main') ORDER BY cid", out var statement);
        using (statement)
        {
            if (rc != raw.SQLITE_OK || raw.sqlite3_bind_text(statement, 1, table) != raw.SQLITE_OK)
            {
                return null;
            }

            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if (raw.sqlite3_column_int(statement, 3) != 0)
                {
                    return null;
                }

                var declared = raw.sqlite3_column_text(statement, 1).utf8_to_string();
                columns.Add((raw.sqlite3_column_text(statement, 0).utf8_to_string() ?? string.Empty, string.IsNullOrEmpty(declared) ? null : declared));
                if (raw.sqlite3_column_int(statement, 2) != 0)
                {
                    keys.Add(declared);
                }
            }

            if (rc != raw.SQLITE_DONE || columns.Count == 0)
            {
                return null;
            }
        }

        // An INTEGER PRIMARY KEY (one column, declared exactly INTEGER) is the rowid itself, its record cell NULL.
        return keys.Count == 1 && string.Equals(keys[0], "INTEGER", StringComparison.OrdinalIgnoreCase) ? null : [.. columns];
    }

    private static object? Scalar(sqlite3 database, string sql, string? parameter)
    {
        var rc = raw.sqlite3_prepare_v2(database, sql, out var statement);
        using (statement)
        {
            if (rc != raw.SQLITE_OK || parameter is not null && raw.sqlite3_bind_text(statement, 1, parameter) != raw.SQLITE_OK)
            {
                return null;
            }

            if (raw.sqlite3_step(statement) != raw.SQLITE_ROW)
            {
                return null;
            }

            return raw.sqlite3_column_type(statement, 0) switch
            {
                raw.SQLITE_INTEGER => raw.sqlite3_column_int64(statement, 0),
                raw.SQLITE_TEXT => raw.sqlite3_column_text(statement, 0).utf8_to_string(),
                _ => null,
            };
        }
    }

    private static string? Text(sqlite3 database, string sql, string? parameter) => Scalar(database, sql, parameter) as string;

    /// <summary>SQLite's <c>sqlite3_file</c> of the main database, through which its pages are read.</summary>
    private static nint FileOf(sqlite3 database)
    {
        nint file = 0;
        var rc = SqliteNative.FileControl(database.DangerousGetHandle(), "main\0"u8, SqliteFcntlFilePointer, &file);
        return rc == raw.SQLITE_OK ? file : 0;
    }
}
