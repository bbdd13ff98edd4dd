using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A big SQLite table streamed by the engine's own prepared statement (<c>--transfer stream</c>): a text cell is
/// handed over as the bytes SQLite holds, where the ADO.NET reader would box it, make a string of it, and the
/// pipeline would encode that string back to UTF-8. Numbers read as the ADO.NET reader's values print, a BLOB is
/// the same one-line error as in <see cref="DbTableCursor"/>.
/// </summary>
internal sealed class SqliteRowCursor : ITableCursor
{
    private readonly sqlite3 _connection;
    private readonly sqlite3_stmt _statement;
    private readonly SqliteNative.Statement _native;
    private readonly nint _row;
    private readonly Dictionary<string, int> _columns;
    private readonly string[] _names;
    private readonly string _table;
    private readonly Func<string, string> _displayName;
    private byte[]?[]? _scratch;

    private SqliteRowCursor(sqlite3 connection, sqlite3_stmt statement, string table, Func<string, string> displayName)
    {
        _connection = connection;
        _statement = statement;
        _native = new SqliteNative.Statement(statement);
        _row = _native.Pointer;
        _table = table;
        _displayName = displayName;
        DisplayName = displayName(table);
        Personal = TableCursorExtensions.IsPersonalTable(table);
        _names = new string[raw.sqlite3_column_count(statement)];
        for (var i = 0; i < _names.Length; i++)
        {
            _names[i] = raw.sqlite3_column_name(statement, i).utf8_to_string() ?? string.Empty;
        }

        _columns = TableCursorExtensions.ColumnIndex(_names);
    }

    /// <summary>
    /// Opens the database file of <paramref name="connection"/> (disposed: it only names the file) on a connection of
    /// the cursor's own and prepares <paramref name="sql"/> there. That connection has no mutex: one thread steps it,
    /// and SQLite's serialized mode locked it around every column read (a tenth of the read). The file is not mapped
    /// in memory: mapped pages count in the process's resident memory, which then grows with the database (2.3 GiB at
    /// France scale) for a few percent of speed.
    /// </summary>
    public static SqliteRowCursor Open(SqliteConnection connection, string sql, string table, Func<string, string> displayName)
    {
        var path = connection.DataSource;
        connection.Dispose();
        return Open(path, sql, table, displayName);
    }

    /// <summary>The same on the database file at <paramref name="path"/>, opened read-only.</summary>
    public static SqliteRowCursor Open(string path, string sql, string table, Func<string, string> displayName)
    {
        var rc = raw.sqlite3_open_v2(path, out var database, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
        sqlite3_stmt? statement = null;
        try
        {
            if (rc == raw.SQLITE_OK)
            {
                rc = raw.sqlite3_prepare_v2(database, sql, out statement);
            }

            if (rc != raw.SQLITE_OK)
            {
                throw new SqliteException(raw.sqlite3_errmsg(database).utf8_to_string(), rc);
            }

            return new SqliteRowCursor(database, statement!, table, displayName);
        }
        catch
        {
            statement?.Dispose();
            database.Dispose();
            throw;
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
        var rc = SqliteNative.Step(_row);
        if (rc == raw.SQLITE_ROW)
        {
            Line++;
            return true;
        }

        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }

        throw new InputErrorException(DisplayName, null, null, $"cannot read the database: {raw.sqlite3_errmsg(_connection).utf8_to_string()}");
    }

    public ReadOnlySpan<byte> Bytes(int column)
    {
        if (column < 0)
        {
            return default;
        }

        // Text as stored, even when it is not valid UTF-8: the pushdown path compares and groups these same bytes in
        // SQL, so two ids that differ only in broken bytes stay two ids here too.
        if (SqliteNative.ColumnType(_row, column) == raw.SQLITE_TEXT)
        {
            return SqliteNative.ColumnBytesOf(_row, column);
        }

        var text = Get(column);
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        _scratch ??= new byte[_names.Length][];
        ref var buffer = ref _scratch[column];
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (buffer is null || buffer.Length < needed)
        {
            buffer = new byte[Math.Max(needed, 128)];
        }

        return buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer));
    }

    /// <summary>The cell as the ADO.NET reader gives it (invalid UTF-8 replaced), with the same canonical text for numbers.</summary>
    public string? Get(int column)
    {
        if (column < 0)
        {
            return null;
        }

        return raw.sqlite3_column_type(_statement, column) switch
        {
            raw.SQLITE_NULL => null,
            raw.SQLITE_TEXT => Encoding.UTF8.GetString(SqliteNative.ColumnBytesOf(_row, column)),
            raw.SQLITE_INTEGER => raw.sqlite3_column_int64(_statement, column).ToString(CultureInfo.InvariantCulture),
            raw.SQLITE_FLOAT => raw.sqlite3_column_double(_statement, column).ToString(CultureInfo.InvariantCulture),
            _ => throw WrongType(column),
        };
    }

    /// <summary>A BLOB has no text form: one line naming table, column and type, as <see cref="DbTableCursor"/> says it.</summary>
    private InputErrorException WrongType(int column) => WrongType(column, MessageLine);

    /// <summary>The same, for a cell read on this statement and handed over at <paramref name="line"/>.</summary>
    internal InputErrorException WrongType(int column, long? line) =>
        WrongType(_displayName(_table), _table, line, _names[column], raw.sqlite3_column_decltype(_statement, column).utf8_to_string());

    /// <summary>
    /// The line for a BLOB in <paramref name="column"/>, naming the column's declared type (up to its parenthesis),
    /// or BLOB when it declares none: one wording for every SQLite reader.
    /// </summary>
    internal static InputErrorException WrongType(string displayName, string table, long? line, string column, string? declared)
    {
        var type = declared is null ? "BLOB" : declared.IndexOf('(', StringComparison.Ordinal) is var open and >= 0 ? declared[..open] : declared;
        return new InputErrorException(displayName, line, column, $"a value of type {type} cannot be read as {DbTableCursor.Expected(table, column)}");
    }

    /// <summary>The statement's cell type (SQLITE_TEXT, SQLITE_NULL…) in the current row.</summary>
    internal int CellType(int column) => SqliteNative.ColumnType(_row, column);

    /// <summary>Column positions by name, for a cursor that hands over this statement's rows.</summary>
    internal IReadOnlyDictionary<string, int> Columns => _columns;

    /// <summary>Column count of the statement.</summary>
    internal int ColumnCount => _names.Length;

    /// <summary>
    /// Runs the statement again with its two parameters bound to <paramref name="first"/> and <paramref name="last"/>
    /// (a rowid range); rows are numbered on from where they were.
    /// </summary>
    internal void Rebind(long first, long last)
    {
        if (SqliteNative.Reset(_row) != raw.SQLITE_OK || SqliteNative.BindInt64(_row, 1, first) != raw.SQLITE_OK || SqliteNative.BindInt64(_row, 2, last) != raw.SQLITE_OK)
        {
            throw new InputErrorException(DisplayName, null, null, $"cannot read the database: {raw.sqlite3_errmsg(_connection).utf8_to_string()}");
        }
    }

    public string Describe(int column) => _names[column];

    public string ColumnName(int column) => _names[column];

    public void Dispose()
    {
        _native.Dispose();
        _connection.Dispose();
    }
}
