using System.Data.Common;
using System.Globalization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Csv;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// The big canonical tables of a database read row by row (<c>--transfer stream</c>) for the in-process pipeline the
/// CSV source uses (<see cref="StreamedTables"/>): binary COPY on PostgreSQL (<see cref="PostgresCopyCursor"/>; a big
/// table in ranges of its pages over parallel connections, <see cref="PostgresRangeCopy"/>), SQLite's
/// table b-tree pages decoded here (<see cref="SqlitePageCursor"/>) or, where that reader declines, SQLite's own
/// statements (<see cref="SqliteParallelCursor"/>: two connections stepping rowid ranges on 4 cores or more, else one
/// <see cref="SqliteRowCursor"/>), a plain SELECT with sequential access elsewhere (SQL Server), each table on its own connection so that no statement waits on another's open reader. Rows are numbered from 1 in the order the database returns them.
/// </summary>
internal sealed class DbBigTables(DatabaseReader catalog, Func<DbConnection> connect) : IBigTables
{
    private readonly List<ITableCursor> _direct = [];
    private long _selected;

    /// <summary>Rows received from the database, over every big table.</summary>
    public long RowsRead => _selected + _direct.Sum(c => c.Line);

    public ITableCursor? Open(string table, bool required)
    {
        if (!catalog.HasTable(table))
        {
            return required ? throw catalog.Missing(table) : null;
        }

        var connection = connect();
        DbCommand? command = null;
        try
        {
            if (connection is Npgsql.NpgsqlConnection postgres)
            {
                if (PostgresRangeCopy.TryOpen(postgres, connect, catalog.Dialect, table, RangeConnections(postgres.Host)) is { } ranges)
                {
                    postgres.Dispose();
                    _direct.Add(ranges);
                    return ranges;
                }

                if (PostgresCopyCursor.Create(postgres, catalog.Dialect, table) is { } copy)
                {
                    _direct.Add(copy);
                    return copy;
                }
            }

            if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
            {
                ITableCursor rows;
                if (catalog.Dialect.Schema is null
                    && SqlitePageCursor.TryOpen(sqlite.DataSource, catalog.Dialect.Table(table), table, catalog.Dialect.DisplayName) is { } pages)
                {
                    sqlite.Dispose();
                    _direct.Add(pages);
                    return pages;
                }

                // Two readers only where they have cores of their own beside the pipeline's parsing and joining
                // threads: on 2 cores they took 1.9 times the CPU of one statement (threads waiting on each other)
                // and ended later.
                var readers = Environment.ProcessorCount >= 4 ? 2 : 1;
                if (SqliteParallelCursor.TryOpen(sqlite, catalog.Dialect.Table(table), table, catalog.Dialect.DisplayName, readers) is { } parallel)
                {
                    sqlite.Dispose();
                    rows = parallel;
                }
                else
                {
                    rows = SqliteRowCursor.Open(sqlite, catalog.Dialect.SelectAllSql(table), table, catalog.Dialect.DisplayName);
                }

                _direct.Add(rows);
                return rows;
            }

            command = connection.CreateCommand();
            command.CommandText = catalog.Dialect.SelectAllSql(table);
            if (catalog.Dialect.CommandTimeoutSeconds is { } seconds)
            {
                command.CommandTimeout = seconds;
            }

            // Sequential access: the driver streams each row's cells instead of buffering the row (SQL Server's
            // SqlDataReader, and PostgreSQL's for a view COPY cannot read); the cursor reads them in order once.
            var owned = new Owned(this, command, connection);
            var cursor = new DbTableCursor(command.ExecuteReader(System.Data.CommandBehavior.SequentialAccess), table, catalog.Dialect.DisplayName, owned: owned, wholeRows: true);
            owned.Cursor = cursor;
            return cursor;
        }
        catch (DbException ex)
        {
            command?.Dispose();
            connection.Dispose();
            throw new InputErrorException(catalog.SourceName, null, null, $"cannot read the database: {ex.Message}");
        }
        catch
        {
            command?.Dispose();
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// How many COPYs of one table run at once. A remote server's backends have cores of their own: 4. A server on
    /// this machine shares its cores with this process, which parses what every backend sends: on 2 cores, two ranges
    /// measured no faster than one COPY (both cores were busy either way), so ranges only from 4 cores, half of them.
    /// </summary>
    internal static int RangeConnections(string? host, int? processors = null)
    {
        var cores = processors ?? Environment.ProcessorCount;
        var local = string.IsNullOrEmpty(host) || host.StartsWith('/') || host.StartsWith('@')
            || host is "localhost" || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
        return !local ? 4 : cores >= 4 ? Math.Min(cores / 2, 4) : 1;
    }

    /// <summary>
    /// The planner's or the rowid's idea of the size, never a COUNT(*) (a scan of its own): SQLite's largest rowid,
    /// PostgreSQL's reltuples; 0 when the table is a view or was never analysed.
    /// </summary>
    public int EstimateRows(string table)
    {
        var sql = catalog.Dialect.Name switch
        {
            "sqlite" => $"SELECT max(rowid) FROM {catalog.Dialect.Table(table)}",
            "postgres" => "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(@name)",
            _ => null,
        };
        if (sql is null)
        {
            return 0;
        }

        try
        {
            using var connection = connect();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            var name = command.CreateParameter();
            name.ParameterName = "name";
            name.Value = catalog.Dialect.Table(table);
            command.Parameters.Add(name);
            var value = command.ExecuteScalar();
            return value is null or DBNull ? 0 : (int)Math.Clamp(Convert.ToInt64(value, CultureInfo.InvariantCulture), 0, Array.MaxLength / 4);
        }
        catch (DbException)
        {
            // A view has no rowid: the arrays grow instead.
            return 0;
        }
    }

    /// <summary>The command and connection behind a cursor, disposed with it; its rows counted as transferred.</summary>
    private sealed class Owned(DbBigTables owner, DbCommand command, DbConnection connection) : IDisposable
    {
        public DbTableCursor? Cursor { get; set; }

        public void Dispose()
        {
            owner._selected += Cursor?.Line ?? 0;
            command.Dispose();
            connection.Dispose();
        }
    }
}
