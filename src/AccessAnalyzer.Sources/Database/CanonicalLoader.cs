using System.Data.Common;
using System.Globalization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Csv;

namespace AccessAnalyzer.Sources.Database;

/// <summary>What a CSV load put in the database.</summary>
public sealed record LoadSummary(IReadOnlyDictionary<string, long> RowsPerTable)
{
    public long TotalRows => RowsPerTable.Values.Sum();
}

/// <summary>
/// <c>db init</c> and <c>db load</c>: creates the canonical schema (and the report tables and views) from
/// <c>sql/&lt;dialect&gt;/</c>, and bulk-loads a directory of canonical CSV files into it through the provider's fast
/// path (COPY, SqlBulkCopy, SQLite prepared inserts), typing and checking every cell on the way with the same
/// rules as the CSV source. Indexes are built after the rows, which is cheaper than maintaining them row by row.
/// </summary>
public static class CanonicalLoader
{
    /// <summary>Creates the canonical tables and indexes, the report tables and the dashboard views (idempotent).</summary>
    public static void Init(DbConnection connection, ISqlDialect dialect, bool reports = true)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        Run(connection, dialect, SqlScripts.Statements(dialect.Name, SqlScripts.Schema, dialect.Schema));
        if (reports)
        {
            InitReports(connection, dialect);
        }
    }

    /// <summary>
    /// Creates the report tables and the dashboard views, or brings those of an earlier version up to date: missing
    /// tables are created, missing columns added (NULL in the runs already stored), views replaced (idempotent).
    /// </summary>
    public static void InitReports(DbConnection connection, ISqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        if (dialect is SqliteDialect)
        {
            AddMissingSqliteReportColumns(connection, dialect);
        }

        Run(connection, dialect, SqlScripts.Statements(dialect.Name, SqlScripts.ReportTables, dialect.Schema));
        Run(connection, dialect, SqlScripts.Statements(dialect.Name, SqlScripts.Views, dialect.Schema));
    }

    /// <summary>
    /// Report columns added after the report tables were first released: nullable counts, so the runs an earlier
    /// version stored keep NULL there.
    /// </summary>
    public static IReadOnlyList<(string Table, string Column)> AddedReportColumns { get; } =
    [
        ("report_runs", "justified_files"),
        ("report_runs", "distinct_reachable_files"),
        ("report_runs", "distinct_excess_files"),
        ("report_runs", "distinct_sensitive_excess_files"),
        ("report_runs", "distinct_phishable_files"),
        ("report_principals", "justified_files"),
    ];

    // PostgreSQL and SQL Server add these columns in report-tables.sql itself (ADD COLUMN IF NOT EXISTS, COL_LENGTH);
    // SQLite has no conditional ADD COLUMN, so the catalog is asked first. A table that is not there yet is left to the
    // script, which creates it whole.
    private static void AddMissingSqliteReportColumns(DbConnection connection, ISqlDialect dialect)
    {
        foreach (var table in AddedReportColumns.Select(c => c.Table).Distinct())
        {
            var present = ColumnNames(connection, dialect, table);
            if (present.Count == 0)
            {
                continue;
            }

            Run(connection, dialect, AddedReportColumns
                .Where(c => c.Table == table && !present.Contains(c.Column))
                .Select(c => $"ALTER TABLE {dialect.Table(table)} ADD COLUMN {dialect.Quote(c.Column)} INTEGER"));
        }
    }

    /// <summary>The tables and views of the schema from the catalog (<see cref="ISqlDialect.ListRelationsSql"/>).</summary>
    public static HashSet<string> RelationNames(DbConnection connection, ISqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        using var command = connection.CreateCommand();
        command.CommandText = dialect.ListRelationsSql;
        if (dialect.Schema is { } schema)
        {
            AddParameter(command, "schema", schema);
        }

        return Names(command);
    }

    /// <summary>The columns of <paramref name="table"/> from the catalog (<see cref="ISqlDialect.ListColumnsSql"/>); empty when there is no such table.</summary>
    public static HashSet<string> ColumnNames(DbConnection connection, ISqlDialect dialect, string table)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        using var command = connection.CreateCommand();
        command.CommandText = dialect.ListColumnsSql;
        AddParameter(command, "table", table);
        if (dialect.Schema is { } schema)
        {
            AddParameter(command, "schema", schema);
        }

        return Names(command);
    }

    /// <summary>The first column of every row, compared without case as catalogs do.</summary>
    private static HashSet<string> Names(DbCommand command)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static void AddParameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// <c>db load</c>: opens the database a connection string (or an SQLite path) names and loads the CSV directory into
    /// it, all or nothing. An SQLite file that does not exist yet appears only once complete
    /// (<see cref="SqliteProvider.LoadAtomically{T}"/>).
    /// </summary>
    public static LoadSummary LoadCsv(
        IDatabaseProvider provider, string connectionString, ISqlDialect dialect, string directory,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider is SqliteProvider sqlite)
        {
            return sqlite.LoadAtomically(connectionString, c => LoadCsv(provider, c, dialect, directory, progress, cancellationToken));
        }

        using var connection = provider.Open(connectionString);
        return LoadCsv(provider, connection, dialect, directory, progress, cancellationToken);
    }

    /// <summary>
    /// Loads every <c>&lt;table&gt;.csv</c> of <paramref name="directory"/> into the canonical tables, creating them
    /// if needed. The required tables must all be there; the tables loaded must be empty (a load never mixes two
    /// exports). The rows go in one transaction: a bad cell anywhere loads nothing. On SQLite that transaction also
    /// holds the tables created, the indexes and the statistics (<see cref="IDatabaseProvider.LoadIsOneTransaction"/>),
    /// so a failed load leaves the database as it was.
    /// </summary>
    public static LoadSummary LoadCsv(
        IDatabaseProvider provider, DbConnection connection, ISqlDialect dialect, string directory,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new InputErrorException(directory, null, null, "CSV directory not found");
        }

        var tables = new List<CanonicalTableDefinition>();
        foreach (var table in CanonicalSchema.Tables)
        {
            if (File.Exists(Path.Combine(directory, table.Name + ".csv")))
            {
                tables.Add(table);
            }
            else if (table.Required)
            {
                throw new InputErrorException(table.Name + ".csv", null, null,
                    $"required table '{table.Name}' is missing (no {table.Name}.csv in {directory})");
            }
        }

        var statements = SqlScripts.Statements(dialect.Name, SqlScripts.Schema, dialect.Schema);
        var whole = provider.LoadIsOneTransaction;
        IBulkLoad? load = null;
        try
        {
            if (whole)
            {
                load = provider.BeginLoad(connection, dialect);
            }

            Run(connection, dialect, statements.Where(s => !SqlScripts.IsIndex(s)));
            foreach (var table in tables)
            {
                if (HasRows(connection, dialect, table.Name))
                {
                    throw new InputErrorException(dialect.DisplayName(table.Name), null, null,
                        "already holds rows: load into empty tables (db init --schema NEW for a fresh schema)");
                }
            }

            load ??= provider.BeginLoad(connection, dialect);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var table in tables)
            {
                progress?.Report($"loading {table.Name}");
                try
                {
                    counts[table.Name] = load.Insert(table, Rows(directory, table, dialect), cancellationToken);
                }
                catch (DbException ex)
                {
                    // A refused row of a personal table could be echoed in the message (a duplicate key shows its value).
                    throw new InputErrorException(dialect.DisplayName(table.Name), null, null, table.Personal
                        ? "the database refused a row (for example a duplicate id); details withheld: the table holds beneficiary identifiers"
                        : $"the database refused a row: {ex.Message}");
                }
            }

            if (!whole)
            {
                load.Commit();
            }

            progress?.Report("building indexes");
            Run(connection, dialect, statements.Where(SqlScripts.IsIndex));
            Run(connection, dialect, provider.AfterLoad(dialect, tables.Select(t => t.Name)));
            if (whole)
            {
                load.Commit();
            }

            return new LoadSummary(counts);
        }
        finally
        {
            load?.Dispose();
        }
    }

    /// <summary>A CSV table's rows, typed for the database: the same parsing rules and messages as the CSV source.</summary>
    internal static IEnumerable<object?[]> Rows(string directory, CanonicalTableDefinition table, ISqlDialect dialect)
    {
        using var cursor = CsvTableCursor.Open(directory, table.Name, required: true)!;
        var columns = table.Columns.Select(c => cursor.Column(c.Name, c.Required)).ToArray();
        while (cursor.Read())
        {
            var row = new object?[columns.Length];
            for (var i = 0; i < columns.Length; i++)
            {
                row[i] = Value(cursor, columns[i], table.Columns[i], dialect);
            }

            yield return row;
        }
    }

    private static object? Value(ITableCursor cursor, int column, CanonicalColumn definition, ISqlDialect dialect)
    {
        if (column < 0)
        {
            return null;
        }

        var text = cursor.Get(column);
        switch (definition.Kind)
        {
            case ColumnKind.Boolean:
                return dialect.ToDbBoolean(cursor.Boolean(column));
            case ColumnKind.Date:
                // A date the contract requires (justifications.expires) is refused here with the reader's message,
                // not later by the database's NOT NULL with its own.
                var date = definition.Nullable ? cursor.OptionalDate(column) : cursor.RequiredDate(column);
                return date is { } d ? dialect.ToDbDate(d) : null;
            case ColumnKind.Timestamp:
                if (string.IsNullOrEmpty(text) && definition.Nullable)
                {
                    return null;
                }

                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? dialect.ToDbTimestamp(at)
                    : throw cursor.Error(column, $"{cursor.Show(text)} is not an ISO 8601 date-time");
            case ColumnKind.Integer:
                return CanonicalValues.TryParseInt(text, out var number)
                    ? number
                    : throw cursor.Error(column, $"{cursor.Show(text)} is not a whole number");
            default:
                return string.IsNullOrEmpty(text) ? (definition.Nullable ? null : string.Empty) : text;
        }
    }

    private static bool HasRows(DbConnection connection, ISqlDialect dialect, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT CASE WHEN EXISTS (SELECT 1 FROM {dialect.Table(table)}) THEN 1 ELSE 0 END";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) != 0;
    }

    internal static void Run(DbConnection connection, ISqlDialect dialect, IEnumerable<string> statements)
    {
        foreach (var statement in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = statement;
            if (dialect.CommandTimeoutSeconds is { } seconds)
            {
                command.CommandTimeout = seconds; // index builds over big tables outlast the drivers' 30 s
            }

            command.ExecuteNonQuery();
        }
    }
}
