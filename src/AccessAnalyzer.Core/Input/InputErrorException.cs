namespace AccessAnalyzer.Core.Input;

/// <summary>
/// Bad input: a missing table or column, a value that does not parse, a duplicate id, an org-tree cycle.
/// Carries the location so the CLI prints one line (<c>table:line:column: message</c>) and exits 2.
/// Thrown by loaders; the one exception type that is an expected outcome rather than a bug.
/// </summary>
public sealed class InputErrorException : Exception
{
    public InputErrorException(string table, long? line, string? column, string message)
        : base(Format(table, line, column, message))
    {
        Table = table;
        Line = line;
        Column = column;
        Reason = message;
    }

    public InputErrorException() : this("input", null, null, "bad input") { }

    public InputErrorException(string message) : this("input", null, null, message) { }

    public InputErrorException(string message, Exception innerException) : base(message, innerException)
    {
        Table = "input";
        Reason = message;
    }

    /// <summary>File or table name as the user knows it (<c>files.csv</c>, <c>files</c>).</summary>
    public string Table { get; }

    /// <summary>1-based line (CSV) or row id (database); null when the error is about the whole table.</summary>
    public long? Line { get; }

    /// <summary>Column name, and for CSV its 1-based position, e.g. <c>unit_id (column 2)</c>.</summary>
    public string? Column { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Reason { get; }

    private static string Format(string table, long? line, string? column, string message)
    {
        var location = line is { } l ? $"{table}:{l}" : table;
        return column is null ? $"{location}: {message}" : $"{location}: {column}: {message}";
    }
}
