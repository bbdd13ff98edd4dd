using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources;

/// <summary>
/// A forward-only view of one canonical table, whatever holds it (CSV file, database table or view), so that
/// every source types and validates rows with the same code (<see cref="CanonicalTableReader"/>).
/// </summary>
internal interface ITableCursor : IDisposable
{
    /// <summary>Name as the user knows it: <c>files.csv</c> or <c>files</c>.</summary>
    string DisplayName { get; }

    /// <summary>Where the current row stands: CSV line of the record's start, or 1-based row number.</summary>
    long Line { get; }

    /// <summary>The line messages give: <see cref="Line"/>, or null for rows the database computed (counts, groups).</summary>
    long? MessageLine { get; }

    /// <summary>Index of a column, -1 when absent and optional; a required absent column is bad input.</summary>
    int Column(string name, bool required = true);

    bool Read();

    /// <summary>Cell text; null for SQL NULL. CSV empty cells read as empty strings.</summary>
    string? Get(int column);

    /// <summary>
    /// The cell as UTF-8 (SQL NULL reads as empty, like an empty CSV cell), valid until the next <see cref="Read"/>:
    /// the big-table readers key their tables on these bytes, whatever holds the table.
    /// </summary>
    ReadOnlySpan<byte> Bytes(int column);

    /// <summary>True for tables whose cells may identify a beneficiary (files, caseload, shares): values are never echoed.</summary>
    bool Personal { get; }

    /// <summary>Human name of a column for messages: <c>unit_id (column 2)</c> for CSV, <c>unit_id</c> for databases.</summary>
    string Describe(int column);

    /// <summary>The column's name as the table spells it.</summary>
    string ColumnName(int column);

    /// <summary>
    /// Null when reading: the first bad value is an error. Set when checking (<c>check</c>): bad values, missing
    /// columns and malformed rows are collected here, the validators return a default, and reading goes on.
    /// </summary>
    InputProblems? Problems { get; set; }
}

internal static class TableCursorExtensions
{
    /// <summary>
    /// Column positions by name (trimmed, case-insensitive; the first of two equal names wins), as every database
    /// cursor looks a column up.
    /// </summary>
    public static Dictionary<string, int> ColumnIndex(IEnumerable<string> names)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            index.TryAdd(name.Trim(), i);
        }

        return index;
    }

    /// <summary>A database cursor's <see cref="ITableCursor.Column"/>: the position in <paramref name="index"/>, else absent.</summary>
    public static int Column(this ITableCursor cursor, IReadOnlyDictionary<string, int> index, string name, bool required) =>
        index.TryGetValue(name, out var position) ? position
        : required ? cursor.MissingColumn(new InputErrorException(cursor.DisplayName, null, name, $"required column '{name}' is missing")) : -1;

    /// <summary>Tables whose rows describe beneficiaries' files.</summary>
    public static bool IsPersonalTable(string table) => table is "files" or "caseload" or "shares" or "access_events";

    /// <summary>How a cell value appears in a message: quoted, or withheld when it may identify a beneficiary.</summary>
    public static string Show(this ITableCursor cursor, string? value) => cursor.Personal ? "<value withheld>" : $"'{value}'";

    public static InputErrorException Error(this ITableCursor cursor, int column, string message) =>
        new(cursor.DisplayName, cursor.MessageLine, cursor.Describe(column), message);

    /// <summary>
    /// A bad value: the error <paramref name="message"/> when reading; when checking, counted under
    /// <paramref name="problem"/> (the message without the value) and the caller goes on with a default. A column
    /// absent in a checked table was reported once as missing, so its cells are not reported again.
    /// </summary>
    public static void Bad(this ITableCursor cursor, int column, string? value, string problem, string message)
    {
        if (cursor.Problems is not { } problems)
        {
            throw cursor.Error(column, message);
        }

        if (column >= 0)
        {
            problems.Add(cursor.DisplayName, cursor.Describe(column), cursor.ColumnName(column), problem, cursor.MessageLine, value, cursor.Personal);
        }
    }

    /// <summary>
    /// A required column that is absent: an error when reading; when checking, reported once and -1 returned, which
    /// every validator reads as "nothing to check".
    /// </summary>
    public static int MissingColumn(this ITableCursor cursor, InputErrorException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (cursor.Problems is not { } problems)
        {
            throw error;
        }

        problems.Add(error, cursor.MissingColumnHint(error.Column));
        return -1;
    }

    /// <summary>Where the canonical columns are described: the mapping template for a database, docs/semantics.md for CSV.</summary>
    private static string MissingColumnHint(this ITableCursor cursor, string? column) => cursor.Problems!.Kind == SourceKind.Csv
        ? $"the export must have a header cell '{column}' (docs/semantics.md, \"The canonical tables\")"
        : $"name the agency's column '{column}' in the view ({MappingTemplate.Pointer(cursor.Problems.Kind)})";

    /// <summary>An id in a table keyed by id: non-empty, at most 64 characters, taken as written.</summary>
    public static string Id(this ITableCursor cursor, int column, bool personal = false)
    {
        var value = cursor.Get(column);
        if (!CanonicalValues.IsValidId(value))
        {
            var shown = personal || cursor.Personal ? CanonicalValues.RedactedFileId : $"'{value}'";
            var problem = string.IsNullOrEmpty(value) ? "empty id" : $"id longer than {CanonicalValues.MaxIdLength} characters";
            cursor.Bad(column, string.IsNullOrEmpty(value) ? null : value, problem, string.IsNullOrEmpty(value)
                ? "empty id"
                : $"id {shown} is longer than {CanonicalValues.MaxIdLength} characters");
            return value ?? string.Empty;
        }

        return value!;
    }

    /// <summary>A reference to another table; empty stays empty (it will be a dangling reference if it matters).</summary>
    public static string Reference(this ITableCursor cursor, int column) => cursor.Get(column) ?? string.Empty;

    /// <summary>A reference that may be absent (root unit, principal without unit).</summary>
    public static string? OptionalReference(this ITableCursor cursor, int column) =>
        column < 0 ? null : CanonicalValues.OptionalReference(cursor.Get(column));

    public static string Text(this ITableCursor cursor, int column) => column < 0 ? string.Empty : cursor.Get(column) ?? string.Empty;

    public static bool Boolean(this ITableCursor cursor, int column)
    {
        var value = cursor.Get(column);
        if (CanonicalValues.TryParseBoolean(value, out var result))
        {
            return result;
        }

        const string Problem = "not a boolean (expected true or false)";
        cursor.Bad(column, value, Problem, $"{cursor.Show(value)} is {Problem}");
        return false;
    }

    public static DateOnly? OptionalDate(this ITableCursor cursor, int column)
    {
        if (column < 0)
        {
            return null;
        }

        var value = cursor.Get(column);
        if (CanonicalValues.TryParseOptionalDate(value, out var result))
        {
            return result;
        }

        const string Problem = "not an ISO 8601 date (expected YYYY-MM-DD)";
        cursor.Bad(column, value, Problem, $"{cursor.Show(value)} is {Problem}");
        return null;
    }

    /// <summary>A date the row cannot do without (justifications.expires): empty is bad input, like a malformed one.</summary>
    public static DateOnly RequiredDate(this ITableCursor cursor, int column)
    {
        var value = cursor.Get(column);
        if (string.IsNullOrWhiteSpace(value))
        {
            cursor.Bad(column, null, "empty date (expected YYYY-MM-DD)", "empty date (expected YYYY-MM-DD)");
            return default;
        }

        return cursor.OptionalDate(column) ?? default;
    }

    public static T Enum<T>(this ITableCursor cursor, int column, TryParse<T> parse, string expected)
    {
        var value = cursor.Get(column);
        if (parse(value, out var result))
        {
            return result;
        }

        cursor.Bad(column, value, $"not one of {expected}", $"{cursor.Show(value)} is not one of {expected}");
        return default!;
    }

    public delegate bool TryParse<T>(string? text, out T value);
}
