using System.Data.Common;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Csv;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources;

/// <summary>Opens one canonical table as a cursor, whatever holds it; null when an optional table is absent.</summary>
internal interface ITableOpener
{
    /// <summary>A required table that is absent or unreadable is the error <c>analyze</c> gives.</summary>
    ITableCursor? OpenTable(string table, bool required);
}

/// <summary>
/// <c>check</c>: every canonical table read once, row by row, through the readers' own validators in their collecting
/// mode (<see cref="InputProblems"/>), so that one run reports every missing table and column and every bad value.
/// When nothing is wrong, the source is read as <c>analyze</c> reads it, which finds what only the whole input shows
/// (a repeated id, a cycle in the org tree) and the dangling references, reported as warnings as the analysis does.
/// </summary>
internal static class SourceChecker
{
    public static CheckResult Check(string sourceName, SourceKind kind, ITableOpener opener, Func<SourceReadResult> read, IProgress<string>? progress)
    {
        var problems = new InputProblems(kind);
        var rows = new List<(string Table, long Rows)>();
        var fileIds = kind == SourceKind.Csv ? new Utf8IdTable(1024) : null;
        foreach (var table in CanonicalSchema.Tables)
        {
            progress?.Report($"checking {table.Name}");
            ITableCursor? cursor;
            try
            {
                cursor = opener.OpenTable(table.Name, table.Required);
            }
            catch (InputErrorException ex)
            {
                problems.Add(ex, MissingTableHint(kind, table));
                continue;
            }
            catch (DbException ex)
            {
                problems.Add(new InputErrorException(sourceName, null, null, $"{table.Name}: cannot read: {ex.Message}"));
                continue;
            }

            if (cursor is null)
            {
                continue;
            }

            using (cursor)
            {
                cursor.Problems = problems;
                try
                {
                    rows.Add((cursor.DisplayName, Validate(table.Name, cursor, fileIds)));
                }
                catch (InputErrorException ex)
                {
                    // Not a value the validators know (malformed CSV, a database type with no text form): the rest of
                    // the table cannot be read, the other tables still are.
                    problems.Add(ex);
                }
                catch (DbException ex)
                {
                    problems.Add(new InputErrorException(cursor.DisplayName, null, null, $"cannot read: {ex.Message}"));
                }
            }
        }

        var warnings = new List<string>();
        if (problems.Count == 0)
        {
            progress?.Report("reading as analyze does");
            try
            {
                var snapshot = read().Snapshot();
                warnings.AddRange(Dangling(snapshot.DanglingReferences));
            }
            catch (InputErrorException ex)
            {
                problems.Add(ex);
            }
        }

        return new CheckResult(sourceName, problems.ToList(), warnings, rows);
    }

    private static long Validate(string table, ITableCursor t, Utf8IdTable? fileIds) => table switch
    {
        "org_units" => CanonicalTableReader.OrgUnits(t).Count,
        "principals" => CanonicalTableReader.Principals(t).Count,
        "groups" => CanonicalTableReader.Groups(t).Count,
        "memberships" => CanonicalTableReader.Memberships(t).Count,
        "roles" => CanonicalTableReader.Roles(t).Count,
        "assignments" => CanonicalTableReader.Assignments(t).Count,
        "files" => CanonicalTableReader.CheckFiles(t, fileIds is null ? null : id =>
        {
            fileIds.Add(Encoding.UTF8.GetBytes(id), out var added);
            return added;
        }),
        "caseload" => CanonicalTableReader.CheckCaseload(t),
        "shares" => CanonicalTableReader.CheckShares(t),
        "access_events" => CanonicalTableReader.CheckAccessEvents(t),
        "account_policy" => CanonicalTableReader.AccountPolicies(t).Count,
        OptionalTables.Justifications => CanonicalTableReader.Justifications(t).Count,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "not a canonical table"),
    };

    private static string MissingTableHint(SourceKind kind, CanonicalTableDefinition table)
    {
        var columns = string.Join(", ", table.Columns.Select(c => c.Required ? c.Name : $"[{c.Name}]"));
        return kind == SourceKind.Csv
            ? $"export it as {table.Name}.csv with the columns {columns} (docs/semantics.md, \"The canonical tables\")"
            : $"create a view {table.Name} ({columns}) over the agency's own table ({MappingTemplate.Pointer(kind)})";
    }

    /// <summary>Dangling references grouped by table, column and target, with their first values (file ids are already withheld).</summary>
    private static IEnumerable<string> Dangling(IEnumerable<Core.Model.DanglingReference> references)
    {
        foreach (var group in references.GroupBy(r => (r.Table, r.Column, r.ReferencedTable)))
        {
            var values = group.Select(r => r.Value).Distinct(StringComparer.Ordinal).ToList();
            var shown = string.Join(", ", values.Take(InputProblems.MaxValues).Select(v => v == CanonicalValues.RedactedFileId ? v : $"'{v}'"));
            var more = values.Count > InputProblems.MaxValues ? ", …" : "";
            var hint = values.Any(InputProblems.LooksLikeReformattedInteger)
                ? " (ids are compared as text: cast integer keys the same way on both sides, without '.0' or leading zeros)"
                : "";
            yield return $"{group.Key.Table}.{group.Key.Column}: {group.Sum(r => r.Count)} row(s) name no row of {group.Key.ReferencedTable}: {shown}{more}{hint}";
        }
    }
}
