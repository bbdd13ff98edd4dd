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

    /// <summary>True for tables whose cells may identify a beneficiary (files, caseload, shares): values are never echoed.</summary>
    bool Personal { get; }

    /// <summary>Human name of a column for messages: <c>unit_id (column 2)</c> for CSV, <c>unit_id</c> for databases.</summary>
    string Describe(int column);
}

internal static class TableCursorExtensions
{
    /// <summary>Tables whose rows describe beneficiaries' files.</summary>
    public static bool IsPersonalTable(string table) => table is "files" or "caseload" or "shares" or "access_events";

    /// <summary>How a cell value appears in a message: quoted, or withheld when it may identify a beneficiary.</summary>
    public static string Show(this ITableCursor cursor, string? value) => cursor.Personal ? "<value withheld>" : $"'{value}'";

    public static InputErrorException Error(this ITableCursor cursor, int column, string message) =>
        new(cursor.DisplayName, cursor.MessageLine, cursor.Describe(column), message);

    /// <summary>An id in a table keyed by id: non-empty, at most 64 characters, taken as written.</summary>
    public static string Id(this ITableCursor cursor, int column, bool personal = false)
    {
        var value = cursor.Get(column);
        if (!CanonicalValues.IsValidId(value))
        {
            var shown = personal || cursor.Personal ? CanonicalValues.RedactedFileId : $"'{value}'";
            throw cursor.Error(column, string.IsNullOrEmpty(value)
                ? "empty id"
                : $"id {shown} is longer than {CanonicalValues.MaxIdLength} characters");
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
        return CanonicalValues.TryParseBoolean(value, out var result)
            ? result
            : throw cursor.Error(column, $"{cursor.Show(value)} is not a boolean (expected true or false)");
    }

    public static DateOnly? OptionalDate(this ITableCursor cursor, int column)
    {
        if (column < 0)
        {
            return null;
        }

        var value = cursor.Get(column);
        return CanonicalValues.TryParseOptionalDate(value, out var result)
            ? result
            : throw cursor.Error(column, $"{cursor.Show(value)} is not an ISO 8601 date (expected YYYY-MM-DD)");
    }

    /// <summary>A date the row cannot do without (justifications.expires): empty is bad input, like a malformed one.</summary>
    public static DateOnly RequiredDate(this ITableCursor cursor, int column)
    {
        var value = cursor.Get(column);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw cursor.Error(column, "empty date (expected YYYY-MM-DD)");
        }

        return cursor.OptionalDate(column)!.Value;
    }

    public static T Enum<T>(this ITableCursor cursor, int column, TryParse<T> parse, string expected)
    {
        var value = cursor.Get(column);
        return parse(value, out var result) ? result : throw cursor.Error(column, $"{cursor.Show(value)} is not one of {expected}");
    }

    public delegate bool TryParse<T>(string? text, out T value);
}
