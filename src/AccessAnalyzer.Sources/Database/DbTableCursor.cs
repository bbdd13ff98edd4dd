using System.Data.Common;
using System.Globalization;
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
    private readonly Dictionary<string, int> _columns = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="reader">An open reader; the cursor owns and disposes it.</param>
    /// <param name="table">Canonical table name (decides whether values are personal data).</param>
    /// <param name="displayName">How a canonical table is named in messages (<c>aa.files</c>).</param>
    /// <param name="numbered">False for rows the database computed: messages then give no line.</param>
    /// <param name="fromFiles">Columns that come from the joined files table rather than <paramref name="table"/>.</param>
    /// <param name="owned">Disposed with the reader (the command that produced it).</param>
    public DbTableCursor(
        DbDataReader reader, string table, Func<string, string> displayName, bool numbered = true,
        IReadOnlyCollection<string>? fromFiles = null, IDisposable? owned = null)
    {
        _reader = reader;
        _owned = owned;
        _numbered = numbered;
        DisplayName = displayName(table);
        Personal = TableCursorExtensions.IsPersonalTable(table);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            _columns.TryAdd(reader.GetName(i).Trim(), i);
        }
    }

    public string DisplayName { get; }

    public bool Personal { get; }

    /// <summary>1-based position of the row in the table's natural order (a rowid may not exist: views).</summary>
    public long Line { get; private set; }

    public long? MessageLine => _numbered ? Line : null;

    public int Column(string name, bool required = true) =>
        _columns.TryGetValue(name, out var index) ? index
        : required ? throw new InputErrorException(DisplayName, null, name, $"required column '{name}' is missing") : -1;

    public bool Read()
    {
        if (!_reader.Read())
        {
            return false;
        }

        Line++;
        return true;
    }

    public string? Get(int column) => ToText(_reader.GetValue(column));

    /// <summary>A count or a 0/1 flag computed by the tool's own SQL; NULL (a SUM over no row) is 0.</summary>
    public long Count(int column)
    {
        var value = _reader.GetValue(column);
        return value is DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public string Describe(int column) => _reader.GetName(column);

    public void Dispose()
    {
        _reader.Dispose();
        _owned?.Dispose();
    }

    /// <summary>Database values as canonical text: integers as digits (booleans stored as 0/1 parse), NULL as null.</summary>
    public static string? ToText(object? value) => value switch
    {
        null or DBNull => null,
        string s => s,
        bool b => b ? "true" : "false",
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
