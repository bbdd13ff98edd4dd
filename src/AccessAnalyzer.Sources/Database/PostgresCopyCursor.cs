using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;
using Npgsql;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A PostgreSQL table streamed by binary COPY (<c>COPY (SELECT …) TO STDOUT (FORMAT BINARY)</c>): no text rendering
/// on the server, no per-row protocol messages. The COPY stream is parsed here, in its documented format (a header,
/// then per row a field count and each field's length and bytes), so a text cell is handed over as the UTF-8 bytes the
/// server sent, where the driver's exporter made a string of each cell and the pipeline encoded it back. Only for
/// columns of the types the canonical tables use; a view with any other type is read by a plain SELECT instead
/// (<see cref="Create"/> returns null), whose messages name the type. Cells become the same canonical text as
/// <see cref="DbTableCursor"/> gives.
/// </summary>
internal sealed class PostgresCopyCursor : ITableCursor
{
    private static readonly HashSet<string> Supported = new(StringComparer.OrdinalIgnoreCase)
    {
        "text", "character varying", "character", "name", "boolean", "smallint", "integer", "bigint", "date",
        "timestamp with time zone", "timestamp without time zone",
    };

    /// <summary>The binary COPY signature: <c>PGCOPY\n\377\r\n\0</c>.</summary>
    private static readonly byte[] Signature = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];

    private static readonly DateTime PostgresEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    private enum Kind
    {
        Text,
        Boolean,
        Int16,
        Int32,
        Int64,
        Date,
        Timestamp,
    }

    private readonly Stream _stream;
    private readonly IDisposable _owned;
    private readonly string[] _names;
    private readonly Kind[] _kinds;
    private readonly int[] _offset;
    private readonly int[] _length;
    private readonly byte[]?[] _scratch;
    private readonly Dictionary<string, int> _columns;
    private byte[] _buffer = new byte[1 << 18];
    private int _position;
    private int _end;
    private int _row;
    private bool _done;
    private bool _started;

    private PostgresCopyCursor(Stream stream, IDisposable owned, string[] names, string[] types, string displayName, bool personal)
    {
        _stream = stream;
        _owned = owned;
        _names = names;
        _kinds = [.. types.Select(t => t.ToLowerInvariant() switch
        {
            "boolean" => Kind.Boolean,
            "smallint" => Kind.Int16,
            "integer" => Kind.Int32,
            "bigint" => Kind.Int64,
            "date" => Kind.Date,
            "timestamp with time zone" or "timestamp without time zone" => Kind.Timestamp,
            _ => Kind.Text,
        })];
        _offset = new int[names.Length];
        _length = new int[names.Length];
        _scratch = new byte[]?[names.Length];
        DisplayName = displayName;
        Personal = personal;
        _columns = TableCursorExtensions.ColumnIndex(names);
    }

    /// <summary>A COPY cursor over the table, or null when one of its columns has a type COPY is not read with here.</summary>
    /// <param name="connection">Open; owned by the cursor once one is returned.</param>
    /// <param name="dialect">Names and quoting of the schema.</param>
    /// <param name="table">Canonical table name.</param>
    /// <param name="pages">Only the rows stored in these heap pages (a TID range scan), else the whole table.</param>
    public static PostgresCopyCursor? Create(NpgsqlConnection connection, ISqlDialect dialect, string table, (long First, long? End)? pages = null)
    {
        string[] names, types;
        using (var probe = connection.CreateCommand())
        {
            probe.CommandText = dialect.ColumnsSql(table);
            using var reader = probe.ExecuteReader();
            names = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
            types = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName)];
        }

        if (types.Any(t => !Supported.Contains(t)))
        {
            return null;
        }

        var columns = string.Join(", ", names.Select(dialect.Quote));
        var range = pages is { } p
            ? string.Create(CultureInfo.InvariantCulture, $" WHERE ctid >= '({p.First},0)'::tid") + (p.End is { } end ? string.Create(CultureInfo.InvariantCulture, $" AND ctid < '({end},0)'::tid") : string.Empty)
            : string.Empty;
        // A plain table copied as a table: the server scans it straight into COPY, without the executor's query
        // around it (a seventh less time for the France files). A view, a partitioned table or a range: a query.
        var sql = range.Length == 0 && IsPlainTable(connection, dialect, table)
            ? $"COPY {dialect.Table(table)} ({columns}) TO STDOUT (FORMAT BINARY)"
            : $"COPY (SELECT {columns} FROM {dialect.Table(table)}{range}) TO STDOUT (FORMAT BINARY)";
        var stream = connection.BeginRawBinaryCopy(sql);
        return new PostgresCopyCursor(stream, connection, names, types, dialect.DisplayName(table), TableCursorExtensions.IsPersonalTable(table));
    }

    private static bool IsPlainTable(NpgsqlConnection connection, ISqlDialect dialect, string table)
    {
        using var kind = connection.CreateCommand();
        kind.CommandText = "SELECT relkind = 'r' FROM pg_class WHERE oid = to_regclass(@name)";
        kind.Parameters.AddWithValue("name", dialect.Table(table));
        return kind.ExecuteScalar() is true;
    }

    public string DisplayName { get; }

    public bool Personal { get; }

    public InputProblems? Problems { get; set; }

    public long Line { get; private set; }

    public long? MessageLine => Line;

    public int Column(string name, bool required = true) => this.Column(_columns, name, required);

    public bool Read()
    {
        if (_done)
        {
            return false;
        }

        if (!_started)
        {
            ReadHeader();
            _started = true;
        }

        // A row: a 16-bit field count (-1 ends the data), then per field a 32-bit length (-1 for NULL) and its bytes.
        // Offsets are kept from the row's start, which Fill moves to the buffer's start when it needs room.
        _row = _position;
        var at = 0;
        Fill(ref at, 2);
        var fields = BinaryPrimitives.ReadInt16BigEndian(_buffer.AsSpan(_row + at));
        at += 2;
        if (fields == -1)
        {
            _done = true;
            _position = _row + at;
            return false;
        }

        if (fields != _names.Length)
        {
            throw Malformed();
        }

        for (var i = 0; i < fields; i++)
        {
            Fill(ref at, 4);
            var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_row + at));
            at += 4;
            if (length < -1)
            {
                throw Malformed();
            }

            _offset[i] = at;
            _length[i] = length;
            if (length > 0)
            {
                Fill(ref at, length);
                at += length;
            }
        }

        _position = _row + at;
        Line++;
        return true;
    }

    public string? Get(int column)
    {
        if (column < 0 || _length[column] < 0)
        {
            return null;
        }

        var cell = Cell(column);
        return _kinds[column] switch
        {
            Kind.Text => Encoding.UTF8.GetString(cell),
            Kind.Boolean => Boolean(cell) ? "true" : "false",
            Kind.Int16 => cell.Length == 2 ? DbTableCursor.Text(BinaryPrimitives.ReadInt16BigEndian(cell)) : throw Malformed(),
            Kind.Int32 => cell.Length == 4 ? DbTableCursor.Text(BinaryPrimitives.ReadInt32BigEndian(cell)) : throw Malformed(),
            Kind.Int64 => cell.Length == 8 ? DbTableCursor.Text(BinaryPrimitives.ReadInt64BigEndian(cell)) : throw Malformed(),
            Kind.Date => cell.Length == 4 ? DbTableCursor.Text(Date(BinaryPrimitives.ReadInt32BigEndian(cell))) : throw Malformed(),
            _ => cell.Length == 8 ? DbTableCursor.Text(Timestamp(BinaryPrimitives.ReadInt64BigEndian(cell))) : throw Malformed(),
        };
    }

    public ReadOnlySpan<byte> Bytes(int column)
    {
        if (column < 0 || _length[column] <= 0)
        {
            return default;
        }

        if (_kinds[column] == Kind.Text)
        {
            // The server sends text in the connection's encoding, UTF-8: the bytes the driver would have decoded.
            return Cell(column);
        }

        if (_kinds[column] == Kind.Boolean)
        {
            return Boolean(Cell(column)) ? "true"u8 : "false"u8; // two a row in files: no string made and encoded for each
        }

        if (_kinds[column] is Kind.Timestamp or Kind.Date && Cell(column).Length == (_kinds[column] == Kind.Date ? 4 : 8))
        {
            // The canonical text of a date or time written digit by digit: the access log has one per event.
            var digits = _scratch[column] ??= new byte[32];
            var cell = Cell(column);
            var written = _kinds[column] == Kind.Date
                ? Iso(Date(BinaryPrimitives.ReadInt32BigEndian(cell)).ToDateTime(TimeOnly.MinValue), digits, withTime: false)
                : Iso(Timestamp(BinaryPrimitives.ReadInt64BigEndian(cell)), digits, withTime: true);
            return digits.AsSpan(0, written);
        }

        var text = Get(column)!;
        ref var buffer = ref _scratch[column];
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (buffer is null || buffer.Length < needed)
        {
            buffer = new byte[Math.Max(needed, 128)];
        }

        return buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer));
    }

    /// <summary><c>yyyy-MM-dd</c>, and <c>THH:mm:ss</c> after it, as <see cref="DbTableCursor.Text"/> prints them.</summary>
    private static int Iso(DateTime value, byte[] into, bool withTime)
    {
        static void Two(byte[] into, int at, int n)
        {
            into[at] = (byte)('0' + (n / 10));
            into[at + 1] = (byte)('0' + (n % 10));
        }

        Two(into, 0, value.Year / 100);
        Two(into, 2, value.Year % 100);
        into[4] = (byte)'-';
        Two(into, 5, value.Month);
        into[7] = (byte)'-';
        Two(into, 8, value.Day);
        if (!withTime)
        {
            return 10;
        }

        into[10] = (byte)'T';
        Two(into, 11, value.Hour);
        into[13] = (byte)':';
        Two(into, 14, value.Minute);
        into[16] = (byte)':';
        Two(into, 17, value.Second);
        return 19;
    }

    private ReadOnlySpan<byte> Cell(int column) => _buffer.AsSpan(_row + _offset[column], _length[column]);

    private bool Boolean(ReadOnlySpan<byte> cell) => cell.Length == 1 ? cell[0] != 0 : throw Malformed();

    /// <summary>A date as the driver's SELECT reads it: days from 2000-01-01, infinities as the least and greatest dates.</summary>
    private DateOnly Date(int days) => days switch
    {
        int.MaxValue => DateOnly.MaxValue,
        int.MinValue => DateOnly.MinValue,
        _ => days >= -730119 && days <= 2921939 ? DateOnly.FromDateTime(PostgresEpoch.AddDays(days)) : throw OutOfRange(),
    };

    /// <summary>A timestamp as the driver reads it: microseconds from 2000-01-01, infinities as the least and greatest times.</summary>
    private DateTime Timestamp(long microseconds)
    {
        if (microseconds == long.MaxValue)
        {
            return DateTime.MaxValue;
        }

        if (microseconds == long.MinValue)
        {
            return DateTime.MinValue;
        }

        var ticks = PostgresEpoch.Ticks + (Int128)microseconds * 10;
        return ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks ? new DateTime((long)ticks) : throw OutOfRange();
    }

    /// <summary>Makes <paramref name="count"/> bytes from row offset <paramref name="at"/> available, reading more of the stream.</summary>
    private void Fill(ref int at, int count)
    {
        if (_row + at + count <= _end)
        {
            return;
        }

        // Move the row to the buffer's start, and grow the buffer when one row needs more than it holds.
        var kept = _end - _row;
        if ((long)at + count > _buffer.Length)
        {
            if ((long)at + count > Array.MaxLength)
            {
                throw Malformed();
            }

            var larger = new byte[Math.Max(at + count, (int)Math.Min(Array.MaxLength, (long)_buffer.Length * 2))];
            _buffer.AsSpan(_row, kept).CopyTo(larger);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(_row, kept).CopyTo(_buffer);
        }

        _end = kept;
        _row = 0;
        while (_end < at + count)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                throw Malformed();
            }

            _end += read;
        }
    }

    private void ReadHeader()
    {
        _row = 0;
        var at = 0;
        Fill(ref at, Signature.Length + 8);
        if (!_buffer.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw Malformed();
        }

        var extension = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(Signature.Length + 4));
        at = Signature.Length + 8;
        if (extension < 0)
        {
            throw Malformed();
        }

        Fill(ref at, extension);
        _position = at + extension;
    }

    private InputErrorException Malformed() =>
        new(DisplayName, null, null, "cannot read the database: the server's COPY data ended early or is not in the binary format");

    private InputErrorException OutOfRange() =>
        new(DisplayName, Line, null, "a date or time is outside the range this tool reads (years 1 to 9999)");

    public string Describe(int column) => _names[column];

    public string ColumnName(int column) => _names[column];

    public void Dispose()
    {
        try
        {
            _stream.Dispose();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            // Stopped part-way by an input error: the connection goes with it, and that error is the one to report.
        }

        _owned.Dispose();
    }
}
