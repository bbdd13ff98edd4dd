using System.Text.RegularExpressions;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources;

/// <summary>
/// One kind of problem in one column (or table) of a source, as <c>check</c> reports it: how many rows have it, the
/// first of them, and the first distinct values unless the table holds beneficiary data.
/// </summary>
/// <param name="Table">Table as the user knows it (<c>principals.csv</c>, <c>aa.principals</c>).</param>
/// <param name="Column">Column (<c>active (column 6)</c> for CSV), or null for a problem of the whole table.</param>
/// <param name="Problem">What is wrong, the same words as the error <c>analyze</c> stops at (without the value).</param>
/// <param name="Count">Rows with this problem (0 for a missing table or column).</param>
/// <param name="Lines">The first rows with it (CSV lines, or database rows numbered from 1); empty when rows have no place.</param>
/// <param name="Values">The first distinct values, empty when withheld (<paramref name="Withheld"/>) or when the problem has no value.</param>
/// <param name="Withheld">True when the table may identify a beneficiary, so its values are never shown.</param>
/// <param name="Hint">How to fix the common cases (French dates, O/N flags, a missing mapping), or null.</param>
public sealed record InputProblem(
    string Table, string? Column, string Problem, long Count, IReadOnlyList<long> Lines,
    IReadOnlyList<string> Values, bool Withheld, string? Hint);

/// <summary>What <c>check</c> found: every problem, the warnings (dangling references), and the rows of each table.</summary>
public sealed record CheckResult(
    string SourceName, IReadOnlyList<InputProblem> Problems, IReadOnlyList<string> Warnings, IReadOnlyList<(string Table, long Rows)> Rows)
{
    public bool Clean => Problems.Count == 0;
}

/// <summary>
/// The collecting mode of the readers' validators (<see cref="TableCursorExtensions"/>): set on a cursor, a bad value is
/// counted here and reading goes on, where without it the same validator throws the error <c>analyze</c> stops at.
/// </summary>
public sealed partial class InputProblems
{
    /// <summary>Rows listed per problem; the count says how many there are in all.</summary>
    public const int MaxLines = 5;

    /// <summary>Distinct values listed per problem (tables without beneficiary data only).</summary>
    public const int MaxValues = 5;

    private readonly List<Entry> _entries = [];
    private readonly Dictionary<(string, string?, string), Entry> _byKey = [];

    /// <summary>The source kind decides how a hint says to fix a value: in the export (CSV) or in the view's SQL.</summary>
    internal InputProblems(SourceKind kind) => Kind = kind;

    internal SourceKind Kind { get; }

    public int Count => _entries.Count;

    /// <summary>A bad value of one row.</summary>
    internal void Add(string table, string? column, string canonicalColumn, string problem, long? line, string? value, bool personal)
    {
        var entry = EntryFor(table, column, problem, personal, canonicalColumn);
        entry.Count++;
        if (line is { } l && entry.Lines.Count < MaxLines)
        {
            entry.Lines.Add(l);
        }

        if (value is not null)
        {
            if (entry.Samples.Count < 64)
            {
                // Kept for the hint even when withheld: the hint names a spelling, never the value.
                entry.Samples.Add(value);
            }

            if (!personal && entry.Values.Count < MaxValues && !entry.Values.Contains(value))
            {
                entry.Values.Add(value);
            }
        }
    }

    /// <summary>
    /// A problem of a table or column as a whole (missing, unreadable), from the error the reader raised: count 0, and
    /// the line where reading stopped, if any. With <paramref name="perRow"/>, one more row with that problem.
    /// </summary>
    internal void Add(InputErrorException error, string? hint = null, bool perRow = false)
    {
        var entry = EntryFor(error.Table, error.Column, error.Reason, personal: false, canonicalColumn: null);
        entry.Hint ??= hint;
        if (perRow)
        {
            entry.Count++;
        }

        if (error.Line is { } line && entry.Lines.Count < MaxLines)
        {
            entry.Lines.Add(line);
        }
    }

    /// <summary>Whether a problem was recorded for a table (by its display name).</summary>
    internal bool Any(string table) => _entries.Any(e => e.Table == table);

    public IReadOnlyList<InputProblem> ToList() =>
        [.. _entries.Select(e => new InputProblem(e.Table, e.Column, e.Problem, e.Count, [.. e.Lines], e.Personal ? [] : [.. e.Values],
            e.Personal && e.Samples.Count > 0, e.Hint ?? Hint(e.Problem, e.CanonicalColumn, e.Samples)))];

    private Entry EntryFor(string table, string? column, string problem, bool personal, string? canonicalColumn)
    {
        if (!_byKey.TryGetValue((table, column, problem), out var entry))
        {
            entry = new Entry(table, column, problem, personal, canonicalColumn);
            _byKey.Add((table, column, problem), entry);
            _entries.Add(entry);
        }

        return entry;
    }

    /// <summary>The fix for the spellings agencies commonly use, in the words of the source kind; null when none applies.</summary>
    private string? Hint(string problem, string? column, IReadOnlyList<string> samples)
    {
        var name = column ?? "value";
        if (problem.Contains("not a boolean", StringComparison.Ordinal) && samples.Any(IsFlagWord))
        {
            var spellings = string.Join(", ", samples.Select(s => s.Trim().ToUpperInvariant()).Where(IsFlagWord).Distinct(StringComparer.Ordinal).Take(4));
            return Kind switch
            {
                SourceKind.Csv => $"flags written {spellings}: the canonical booleans are true/false (or 1/0); rewrite them in the export",
                SourceKind.SqlServer => $"flags written {spellings}: map them in the view, CASE UPPER(TRIM({name})) WHEN 'O' THEN 1 WHEN 'OUI' THEN 1 WHEN 'ACTIF' THEN 1 ELSE 0 END AS {name}",
                _ => $"flags written {spellings}: map them in the view, CASE WHEN upper(trim({name})) IN ('O', 'OUI', 'Y', 'YES', 'ACTIF') THEN 'true' ELSE 'false' END AS {name}",
            };
        }

        if (problem.Contains("ISO 8601 date", StringComparison.Ordinal) && samples.Any(s => FrenchDate().IsMatch(s.Trim())))
        {
            return Kind switch
            {
                SourceKind.Csv => "dates written DD/MM/YYYY: the canonical form is ISO 8601, YYYY-MM-DD (27/11/2026 is 2026-11-27); rewrite them in the export",
                SourceKind.Sqlite => $"dates written DD/MM/YYYY: rewrite them in the view, substr({name}, 7, 4) || '-' || substr({name}, 4, 2) || '-' || substr({name}, 1, 2) AS {name}",
                SourceKind.Postgres => $"dates written DD/MM/YYYY: convert them in the view, to_date({name}, 'DD/MM/YYYY') AS {name}",
                _ => $"dates written DD/MM/YYYY: convert them in the view, CONVERT(date, {name}, 103) AS {name}",
            };
        }

        if (problem.Contains("not a whole number", StringComparison.Ordinal) && samples.Any(s => DecimalInteger().IsMatch(s.Trim())))
        {
            return "whole numbers written with a decimal part (10.0): cast them to an integer type";
        }

        return null;
    }

    private static readonly HashSet<string> FlagWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "O", "N", "OUI", "NON", "Y", "YES", "NO", "ACTIF", "INACTIF", "ACTIVE", "INACTIVE", "VRAI", "FAUX", "T", "F",
    };

    private static bool IsFlagWord(string value) => FlagWords.Contains(value.Trim());

    [GeneratedRegex(@"^\d{1,2}/\d{1,2}/\d{4}( .*)?$")]
    private static partial Regex FrenchDate();

    [GeneratedRegex(@"^-?\d+\.0+$")]
    private static partial Regex DecimalInteger();

    /// <summary>Ids are compared as text: an integer key spelled two ways (<c>12.0</c>, <c>0012</c>) never meets its row.</summary>
    internal static bool LooksLikeReformattedInteger(string value) => IntegerSpelling().IsMatch(value);

    [GeneratedRegex(@"^(\d+\.0+|0\d+)$")]
    private static partial Regex IntegerSpelling();

    private sealed class Entry(string table, string? column, string problem, bool personal, string? canonicalColumn)
    {
        public string Table { get; } = table;
        public string? Column { get; } = column;
        public string Problem { get; } = problem;
        public bool Personal { get; } = personal;
        public string? CanonicalColumn { get; } = canonicalColumn;
        public long Count { get; set; }
        public List<long> Lines { get; } = [];
        public List<string> Values { get; } = [];
        public List<string> Samples { get; } = [];
        public string? Hint { get; set; }
    }
}

/// <summary>Where a user finds how to map an agency's own tables to the canonical names.</summary>
public static class MappingTemplate
{
    /// <summary>The command that prints the template for a database kind, and the file it comes from.</summary>
    public static string Pointer(SourceKind kind)
    {
        var dialect = kind switch
        {
            SourceKind.Postgres => "postgres",
            SourceKind.SqlServer => "sqlserver",
            _ => "sqlite",
        };
        return $"mapping template: accessanalyzer db template --dialect {dialect}, or sql/{dialect}/mapping-template.sql";
    }
}
