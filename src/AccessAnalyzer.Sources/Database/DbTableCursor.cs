using System.Data.Common;
using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A canonical table (or view, or a query computed on one) read through a database reader, by column name. Rows of
/// a table are numbered from 1 for messages; rows computed by the database (counts, groups) are not.
/// </summary>
internal sealed class DbTableCursor : ITableCursor
{
    private readonly DbDataReader _reader;
    private readonly IDisposable? _owned;
    private readonly bool _numbered;
    private readonly Dictionary<string, int> _columns;
    private readonly string _table;
    private readonly Func<string, string> _displayName;
    private readonly IReadOnlyCollection<string> _fromFiles;
    private static readonly object Unreadable = new(); // whole rows: a cell the driver could not produce

    private readonly object?[]? _row;          // whole rows: each asked-for cell's value, or Unreadable
    private readonly bool[]? _wanted;           // whole rows: the columns asked for by name (the others are never read)
    private bool _onRow;

    /// <param name="reader">An open reader; the cursor owns and disposes it.</param>
    /// <param name="table">Canonical table name (decides whether values are personal data).</param>
    /// <param name="displayName">How a canonical table is named in messages (<c>aa.files</c>).</param>
    /// <param name="numbered">False for rows the database computed: messages then give no line.</param>
    /// <param name="fromFiles">Columns that come from the joined files table rather than <paramref name="table"/>.</param>
    /// <param name="owned">Disposed with the reader (the command that produced it).</param>
    /// <param name="wholeRows">
    /// The cells of the columns asked for by name (<see cref="Column"/>, before the first row) read once, in column
    /// order, as each row is read (a reader opened with <see cref="System.Data.CommandBehavior.SequentialAccess"/>
    /// allows nothing else), so that the pipeline may ask for them in any order and more than once; the other columns
    /// (a table's extra columns) are skipped, never decoded. A cell the driver cannot produce is still reported only
    /// when asked for, as a reader with random access reports it.
    /// </param>
    public DbTableCursor(
        DbDataReader reader, string table, Func<string, string> displayName, bool numbered = true,
        IReadOnlyCollection<string>? fromFiles = null, IDisposable? owned = null, bool wholeRows = false)
    {
        _reader = reader;
        _owned = owned;
        _numbered = numbered;
        _table = table;
        _displayName = displayName;
        _fromFiles = fromFiles ?? [];
        DisplayName = displayName(table);
        Personal = TableCursorExtensions.IsPersonalTable(table);
        _columns = TableCursorExtensions.ColumnIndex(Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        if (wholeRows)
        {
            _row = new object?[reader.FieldCount];
            _wanted = new bool[reader.FieldCount];
        }
    }

    public string DisplayName { get; }

    public bool Personal { get; }

    public InputProblems? Problems { get; set; }

    /// <summary>1-based position of the row in the table's natural order (a rowid may not exist: views).</summary>
    public long Line { get; private set; }

    public long? MessageLine => _numbered ? Line : null;

    public int Column(string name, bool required = true)
    {
        var column = this.Column(_columns, name, required);
        if (_wanted is not null && column >= 0)
        {
            _wanted[column] = Line == 0
                ? true
                : throw new InvalidOperationException("A sequential cursor's columns are asked for before its first row.");
        }

        return column;
    }

    public bool Read()
    {
        _onRow = false;
        if (!_reader.Read())
        {
            return false;
        }

        Line++;
        _onRow = true;
        if (_row is not null)
        {
            for (var c = 0; c < _row.Length; c++)
            {
                if (!_wanted![c])
                {
                    continue;
                }

                try
                {
                    _row[c] = _reader.GetValue(c);
                }
                catch (Exception ex) when (IsUnreadable(ex))
                {
                    _row[c] = Unreadable;
                }
            }
        }

        return true;
    }

    public string? Get(int column)
    {
        if (column < 0)
        {
            return null;
        }

        var value = Value(column);
        return value is DBNull ? null : Text(value) ?? throw WrongType(column, Expected(column));
    }

    /// <summary>The cell's canonical text encoded once into a buffer of its column (several cells of a row are held at once).</summary>
    public ReadOnlySpan<byte> Bytes(int column)
    {
        var text = Get(column);
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        _scratch ??= new byte[_reader.FieldCount][];
        ref var buffer = ref _scratch[column];
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (buffer is null || buffer.Length < needed)
        {
            buffer = new byte[Math.Max(needed, 128)];
        }

        return buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer));
    }

    private byte[]?[]? _scratch;

    /// <summary>A count or a 0/1 flag computed by the tool's own SQL; NULL (a SUM over no row) is 0.</summary>
    public long Count(int column)
    {
        var value = Value(column);
        try
        {
            return value is DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            throw WrongType(column, "a count");
        }
    }

    /// <summary>
    /// The driver's value. A value the driver cannot turn into a .NET one (an interval with months, a numeric beyond
    /// decimal) is a mapping error in the view, named with its column and type, not a crash.
    /// </summary>
    private object Value(int column)
    {
        if (_row is not null)
        {
            if (!_onRow || !_wanted![column])
            {
                throw new InvalidOperationException(_onRow ? $"Column {column} was not asked for by name before the first row." : "No current row.");
            }

            var value = _row[column]!;
            return ReferenceEquals(value, Unreadable) ? throw WrongType(column, Expected(column)) : value;
        }

        try
        {
            return _reader.GetValue(column);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw WrongType(column, Expected(column));
        }
    }

    private static bool IsUnreadable(Exception ex) =>
        ex is InvalidCastException or FormatException or OverflowException or NotSupportedException or ArgumentOutOfRangeException;

    /// <summary>
    /// One line naming table, column, database type and expected type. No value: the driver could not produce it, or
    /// it has no text form (bytes, arrays).
    /// </summary>
    private InputErrorException WrongType(int column, string expected)
    {
        string type;
        try
        {
            type = _reader.GetDataTypeName(column);
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or InvalidOperationException)
        {
            type = _reader.GetFieldType(column).Name;
        }

        return new InputErrorException(_displayName(Origin(column)), MessageLine, Describe(column), $"a value of type {type} cannot be read as {expected}");
    }

    /// <summary>The canonical table a column comes from: the cursor's, or files for the file columns of a join.</summary>
    private string Origin(int column) => _fromFiles.Contains(_reader.GetName(column), StringComparer.OrdinalIgnoreCase) ? "files" : _table;

    private string Expected(int column) => Expected(Origin(column), _reader.GetName(column));

    /// <summary>What a canonical column should hold, for the message naming a value that cannot be read as it.</summary>
    internal static string Expected(string table, string name)
    {
        var kind = CanonicalSchema.Tables.FirstOrDefault(t => t.Name == table)?.Columns
            .FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.Kind ?? ColumnKind.Text;
        return kind switch
        {
            ColumnKind.Boolean => "a boolean (true or false)",
            ColumnKind.Date => "an ISO 8601 date (YYYY-MM-DD)",
            ColumnKind.Timestamp => "an ISO 8601 date-time",
            ColumnKind.Integer => "a whole number",
            _ => "text",
        };
    }

    public string Describe(int column) => _reader.GetName(column);

    public string ColumnName(int column) => _reader.GetName(column);

    public void Dispose()
    {
        _reader.Dispose();
        _owned?.Dispose();
    }

    /// <summary>
    /// A database value as canonical text: integers as digits (booleans stored as 0/1 parse). Null when it has no text
    /// form: bytes, an array, a type that prints only its name.
    /// </summary>
    internal static string? Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Array => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() is { } text && text != value.GetType().ToString() ? text : null,
    };
}
