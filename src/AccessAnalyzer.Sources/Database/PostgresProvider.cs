using System.Data.Common;
using AccessAnalyzer.Core.Input;
using Npgsql;
using NpgsqlTypes;

namespace AccessAnalyzer.Sources.Database;

/// <summary>PostgreSQL through Npgsql: binary COPY for loads, one transaction for the whole load.</summary>
public sealed class PostgresProvider : IDatabaseProvider
{
    public static PostgresProvider Instance { get; } = new();

    public string Name => "postgres";

    public SourceKind Kind => SourceKind.Postgres;

    public ISqlDialect CreateDialect(string? schema) => new PostgresDialect(schema);

    public DbConnection Open(string connectionString) =>
        ServerConnections.Open(this, connectionString, cs => new NpgsqlConnection(cs), ex => ex is NpgsqlException);

    public string Describe(string connectionString) => ServerConnections.Describe(this, () =>
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres:{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
    }, ex => ex is ArgumentException);

    public IBulkLoad BeginLoad(DbConnection connection, ISqlDialect dialect) =>
        new PostgresBulkLoad((NpgsqlConnection)connection, dialect);

    // VACUUM sets the visibility map, so the aggregations can run as index-only scans; ANALYZE feeds the planner.
    public IEnumerable<string> AfterLoad(ISqlDialect dialect, IEnumerable<string> tables) =>
        tables.Select(t => $"VACUUM (ANALYZE) {dialect.Table(t)}");

    private sealed class PostgresBulkLoad(NpgsqlConnection connection, ISqlDialect dialect) : IBulkLoad
    {
        private readonly NpgsqlTransaction _transaction = connection.BeginTransaction();

        public long Insert(CanonicalTableDefinition table, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            var columns = string.Join(", ", table.Columns.Select(c => dialect.Quote(c.Name)));
            var types = table.Columns.Select(c => Type(c.Kind)).ToArray();
            using var importer = connection.BeginBinaryImport($"COPY {dialect.Table(table.Name)} ({columns}) FROM STDIN (FORMAT BINARY)");
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                importer.StartRow();
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is null)
                    {
                        importer.WriteNull();
                    }
                    else
                    {
                        importer.Write(row[i], types[i]);
                    }
                }
            }

            return (long)importer.Complete();
        }

        public void Commit() => _transaction.Commit();

        public void Dispose() => _transaction.Dispose();

        private static NpgsqlDbType Type(ColumnKind kind) => kind switch
        {
            ColumnKind.Boolean => NpgsqlDbType.Boolean,
            ColumnKind.Date => NpgsqlDbType.Date,
            ColumnKind.Timestamp => NpgsqlDbType.TimestampTz,
            ColumnKind.Integer => NpgsqlDbType.Integer,
            _ => NpgsqlDbType.Text,
        };
    }
}

/// <summary>SQLite: prepared inserts in batched transactions (a failed load leaves the batches already committed).</summary>
public sealed class SqliteProvider : IDatabaseProvider
{
    private const int RowsPerTransaction = 100_000;

    public static SqliteProvider Instance { get; } = new();

    public string Name => "sqlite";

    public SourceKind Kind => SourceKind.Sqlite;

    public ISqlDialect CreateDialect(string? schema) => schema is null
        ? SqliteDialect.Instance
        : throw new InputErrorException("sqlite", null, null, "SQLite has no schemas: --schema applies to postgres and sqlserver");

    /// <summary>Opens (and creates) the database: <paramref name="connectionString"/> is a file path or an SQLite connection string.</summary>
    public DbConnection Open(string connectionString)
    {
        var cs = IsConnectionString(connectionString)
            ? connectionString
            : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = connectionString, Pooling = false }.ToString();
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(cs);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            connection.Dispose();
            throw new InputErrorException(Describe(connectionString), null, null, $"cannot open the database: {ex.Message}");
        }
    }

    /// <summary>
    /// An SQLite connection string (<c>Data Source=…;…</c>) rather than a path: a path may contain '=' too
    /// (<c>/tmp/a=b.db</c>), so only text that parses as one and names a data source, and is no existing file, counts.
    /// </summary>
    private static bool IsConnectionString(string text)
    {
        if (!text.Contains('=', StringComparison.Ordinal) || File.Exists(text))
        {
            return false;
        }

        try
        {
            return !string.IsNullOrEmpty(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(text).DataSource);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public string Describe(string connectionString)
    {
        try
        {
            return IsConnectionString(connectionString)
                ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource
                : connectionString;
        }
        catch (ArgumentException)
        {
            return "sqlite";
        }
    }

    public IBulkLoad BeginLoad(DbConnection connection, ISqlDialect dialect) => new SqliteBulkLoad(connection, dialect);

    public IEnumerable<string> AfterLoad(ISqlDialect dialect, IEnumerable<string> tables) => ["ANALYZE"];

    private sealed class SqliteBulkLoad(DbConnection connection, ISqlDialect dialect) : IBulkLoad
    {
        private DbTransaction? _transaction;

        public long Insert(CanonicalTableDefinition table, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                $"INSERT INTO {dialect.Table(table.Name)} ({string.Join(", ", table.Columns.Select(c => dialect.Quote(c.Name)))}) " +
                $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => dialect.Parameter(i)))})";
            var parameters = table.Columns.Select((_, i) =>
            {
                var p = command.CreateParameter();
                p.ParameterName = dialect.Parameter(i);
                command.Parameters.Add(p);
                return p;
            }).ToArray();
            long count = 0;
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_transaction is null)
                {
                    _transaction = connection.BeginTransaction();
                }

                command.Transaction = _transaction;
                for (var i = 0; i < row.Length; i++)
                {
                    parameters[i].Value = row[i] ?? DBNull.Value;
                }

                command.ExecuteNonQuery();
                if (++count % RowsPerTransaction == 0)
                {
                    _transaction.Commit();
                    _transaction.Dispose();
                    _transaction = null;
                }
            }

            return count;
        }

        public void Commit()
        {
            _transaction?.Commit();
            _transaction?.Dispose();
            _transaction = null;
        }

        public void Dispose() => _transaction?.Dispose();
    }
}
