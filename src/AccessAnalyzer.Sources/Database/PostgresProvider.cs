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

    public string? Host(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).Host;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public IBulkLoad BeginLoad(DbConnection connection, ISqlDialect dialect) =>
        new PostgresBulkLoad((NpgsqlConnection)connection, dialect);

    public bool LoadIsOneTransaction => false;

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

/// <summary>
/// SQLite: prepared inserts in one transaction with everything else the load does (<see cref="LoadIsOneTransaction"/>);
/// a database file that does not exist yet is built under a temporary name and renamed into place
/// (<see cref="LoadAtomically{T}"/>).
/// </summary>
public sealed class SqliteProvider : IDatabaseProvider
{
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

    public bool LoadIsOneTransaction => true;

    public IEnumerable<string> AfterLoad(ISqlDialect dialect, IEnumerable<string> tables) => ["ANALYZE"];

    /// <summary>
    /// Runs <paramref name="load"/> so that <paramref name="database"/> shows either all of it or nothing. A file that
    /// does not exist yet is built beside it under a temporary name, with the journal and fsync off (a failure deletes
    /// it, so nothing needs rolling back), synced to disk, then renamed into place: a failed load leaves no file. An
    /// existing file, or a connection string, is opened as it is: the load's one transaction leaves it unchanged on failure.
    /// </summary>
    public T LoadAtomically<T>(string database, Func<DbConnection, T> load)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(load);
        if (IsConnectionString(database) || File.Exists(database) || Directory.Exists(database))
        {
            using var existing = Open(database);
            Execute(existing, "PRAGMA cache_size = -32768"); // 32 MiB of page cache for the index builds
            return load(existing);
        }

        var full = Path.GetFullPath(database);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new InputErrorException(database, null, null, $"cannot create the database: directory '{directory}' does not exist");
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        TemporaryFiles.Add(temporary);
        try
        {
            File.Delete(temporary); // left by a killed run of this process id
            T result;
            using (var connection = Open(temporary))
            {
                Execute(connection, "PRAGMA journal_mode = OFF");
                Execute(connection, "PRAGMA synchronous = OFF");
                Execute(connection, "PRAGMA locking_mode = EXCLUSIVE");
                Execute(connection, "PRAGMA cache_size = -32768");
                result = load(connection);
            }

            using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            // Not over a file someone created meanwhile: that one is theirs.
            File.Move(temporary, full, overwrite: false);
            return result;
        }
        finally
        {
            File.Delete(temporary);
            TemporaryFiles.Forget(temporary);
        }
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The transaction is opened in SQL rather than through <see cref="DbConnection.BeginTransaction()"/>: every
    /// statement on the connection then belongs to it (tables, emptiness checks, rows, indexes, ANALYZE) without each
    /// command having to name it. Disposed without <see cref="Commit"/>, it rolls back.
    /// </summary>
    private sealed class SqliteBulkLoad : IBulkLoad
    {
        private readonly DbConnection _connection;
        private readonly ISqlDialect _dialect;
        private bool _open;

        public SqliteBulkLoad(DbConnection connection, ISqlDialect dialect)
        {
            _connection = connection;
            _dialect = dialect;
            Execute(connection, "BEGIN IMMEDIATE");
            _open = true;
        }

        public long Insert(CanonicalTableDefinition table, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            using var command = _connection.CreateCommand();
            command.CommandText =
                $"INSERT INTO {_dialect.Table(table.Name)} ({string.Join(", ", table.Columns.Select(c => _dialect.Quote(c.Name)))}) " +
                $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => _dialect.Parameter(i)))})";
            var parameters = table.Columns.Select((_, i) =>
            {
                var p = command.CreateParameter();
                p.ParameterName = _dialect.Parameter(i);
                command.Parameters.Add(p);
                return p;
            }).ToArray();
            command.Prepare();
            long count = 0;
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var i = 0; i < row.Length; i++)
                {
                    parameters[i].Value = row[i] ?? DBNull.Value;
                }

                command.ExecuteNonQuery();
                count++;
            }

            return count;
        }

        public void Commit()
        {
            Execute(_connection, "COMMIT");
            _open = false;
        }

        public void Dispose()
        {
            if (!_open)
            {
                return;
            }

            _open = false;
            try
            {
                Execute(_connection, "ROLLBACK");
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // SQLite may have rolled back already (after some errors it does so itself); nothing is left to undo.
            }
        }
    }
}
