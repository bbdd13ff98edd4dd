using System.Data.Common;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Csv;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources.Export;

/// <summary>
/// The canonical tables of a source row by row, each cell spelled as the canonical CSV files spell it (<c>db export</c>):
/// what <see cref="ISource.Read"/> aggregates, here as the rows themselves.
/// </summary>
public interface ICanonicalTableRows : IDisposable
{
    /// <summary>
    /// The rows of <paramref name="table"/>, cells in <see cref="CanonicalTableDefinition.Columns"/> order, null for an
    /// empty cell (<see cref="CanonicalText"/> says how each kind is spelled); null when the source has no such table,
    /// which is bad input for a required one. Columns the table lacks read as empty when optional, as bad input when
    /// required; extra columns are ignored.
    /// </summary>
    IEnumerable<string?[]>? Rows(CanonicalTableDefinition table);
}

/// <summary>A directory of canonical CSV files, read with the CSV source's cursor: the same messages for the same bad cells.</summary>
internal sealed class CsvTableRows(string directory) : ICanonicalTableRows
{
    public IEnumerable<string?[]>? Rows(CanonicalTableDefinition table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (CsvTableCursor.Locate(directory, table.Name) != CsvFileKind.File)
        {
            // Absent (or no regular file): null for an optional table, the CSV source's message for a required one.
            using var missing = CsvTableCursor.Open(directory, table.Name, table.Required);
            return null;
        }

        return Read(table);
    }

    /// <summary>The file is opened when its rows are first asked for, and closed after the last.</summary>
    private IEnumerable<string?[]> Read(CanonicalTableDefinition table)
    {
        foreach (var row in CanonicalText.Rows(CsvTableCursor.Open(directory, table.Name, required: true)!, table))
        {
            yield return row;
        }
    }

    public void Dispose()
    {
        // Each table's file is closed once its rows are read.
    }
}

/// <summary>Tables or views of the canonical names in a database, read whole (<c>SELECT *</c>) through one connection.</summary>
internal sealed class DbTableRows(DbConnection connection, ISqlDialect dialect, string sourceName) : ICanonicalTableRows
{
    private HashSet<string>? _relations;

    public IEnumerable<string?[]>? Rows(CanonicalTableDefinition table)
    {
        ArgumentNullException.ThrowIfNull(table);
        try
        {
            _relations ??= CanonicalLoader.RelationNames(connection, dialect);
        }
        catch (DbException ex)
        {
            throw new InputErrorException(sourceName, null, null, $"cannot read the database: {ex.Message}");
        }

        if (!_relations.Contains(table.Name))
        {
            return table.Required
                ? throw new InputErrorException(dialect.DisplayName(table.Name), null, null, $"required table '{dialect.DisplayName(table.Name)}' is missing")
                : null;
        }

        return Read(table);
    }

    private IEnumerable<string?[]> Read(CanonicalTableDefinition table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = dialect.SelectAllSql(table.Name);
        if (dialect.CommandTimeoutSeconds is { } seconds)
        {
            command.CommandTimeout = seconds;
        }

        DbDataReader reader;
        try
        {
            reader = command.ExecuteReader();
        }
        catch (DbException ex)
        {
            throw new InputErrorException(dialect.DisplayName(table.Name), null, null, $"cannot read the table: {ex.Message}");
        }

        using var cursor = new DbTableCursor(reader, table.Name, dialect.DisplayName);
        using var rows = CanonicalText.Rows(cursor, table).GetEnumerator();
        while (true)
        {
            try
            {
                if (!rows.MoveNext())
                {
                    yield break;
                }
            }
            catch (DbException ex)
            {
                throw new InputErrorException(dialect.DisplayName(table.Name), cursor.Line, null, $"cannot read the table: {ex.Message}");
            }

            yield return rows.Current;
        }
    }

    public void Dispose() => connection.Dispose();
}
