using System.Data;
using System.Data.Common;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Database;
using Microsoft.Data.SqlClient;

namespace AccessAnalyzer.Sources.SqlServer;

/// <summary>
/// SQL Server through Microsoft.Data.SqlClient. The SQL comes from <see cref="SqlServerDialect"/>; this class adds the
/// connection and SqlBulkCopy. No SQL Server runs on the build machine: the dialect's SQL is unit-tested, and the
/// client is tested up to the TDS pre-login against a listener; login, queries and SqlBulkCopy are not.
/// </summary>
public sealed class SqlServerProvider : IDatabaseProvider
{
    private const int RowsPerBatch = 50_000;

    public static SqlServerProvider Instance { get; } = new();

    public string Name => "sqlserver";

    public SourceKind Kind => SourceKind.SqlServer;

    public ISqlDialect CreateDialect(string? schema) => new SqlServerDialect(schema);

    public DbConnection Open(string connectionString) =>
        ServerConnections.Open(this, connectionString, cs => new SqlConnection(cs), ex => ex is SqlException);

    public string Describe(string connectionString) => ServerConnections.Describe(this, () =>
    {
        var builder = new SqlConnectionStringBuilder(connectionString);
        return $"sqlserver:{builder.DataSource}/{builder.InitialCatalog}";
    }, ex => ex is ArgumentException or FormatException or KeyNotFoundException);

    public IBulkLoad BeginLoad(DbConnection connection, ISqlDialect dialect) => new SqlServerBulkLoad((SqlConnection)connection, dialect);

    public bool LoadIsOneTransaction => false;

    // Statistics are created and refreshed automatically; update them once after a bulk load all the same.
    public IEnumerable<string> AfterLoad(ISqlDialect dialect, IEnumerable<string> tables) =>
        tables.Select(t => $"UPDATE STATISTICS {dialect.Table(t)}");

    /// <summary>SqlBulkCopy in one transaction, fed in batches of typed rows.</summary>
    private sealed class SqlServerBulkLoad(SqlConnection connection, ISqlDialect dialect) : IBulkLoad
    {
        private readonly SqlTransaction _transaction = connection.BeginTransaction();

        public long Insert(CanonicalTableDefinition table, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            using var bulk = new SqlBulkCopy(connection, SqlBulkCopyOptions.TableLock, _transaction)
            {
                DestinationTableName = dialect.Table(table.Name),
                BatchSize = RowsPerBatch,
                BulkCopyTimeout = 0,
            };
            using var batch = new DataTable(table.Name) { Locale = System.Globalization.CultureInfo.InvariantCulture };
            foreach (var column in table.Columns)
            {
                batch.Columns.Add(column.Name, ClrType(column.Kind));
                bulk.ColumnMappings.Add(column.Name, column.Name);
            }

            long count = 0;
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                batch.Rows.Add(row.Select(v => v ?? DBNull.Value).ToArray());
                count++;
                if (batch.Rows.Count == RowsPerBatch)
                {
                    bulk.WriteToServer(batch);
                    batch.Clear();
                }
            }

            if (batch.Rows.Count > 0)
            {
                bulk.WriteToServer(batch);
            }

            return count;
        }

        public void Commit() => _transaction.Commit();

        public void Dispose() => _transaction.Dispose();

        private static Type ClrType(ColumnKind kind) => kind switch
        {
            ColumnKind.Boolean => typeof(bool),
            ColumnKind.Date => typeof(DateTime),
            ColumnKind.Timestamp => typeof(DateTimeOffset),
            ColumnKind.Integer => typeof(int),
            _ => typeof(string),
        };
    }
}
