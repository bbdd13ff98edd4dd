using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources.Database;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Sources;

/// <summary>
/// An SQLite database holding the canonical tables (or views of those names), read through the same
/// <see cref="DatabaseReader"/> as PostgreSQL and SQL Server: the big tables are either aggregated by GROUP BY inside
/// SQLite (<c>--transfer pushdown</c>, one thread) or read row by row into the CSV source's pipeline
/// (<c>stream</c>, the default: the file is local, so rows cost no network).
/// Opened read-only: the tool needs nothing but SELECT. Runs are stored into the same file (<c>--store</c>).
/// </summary>
internal sealed class SqliteSource(string path, TransferMode transfer = TransferMode.Auto) : ISource
{
    public string Name => path;

    public SourceKind Kind => SourceKind.Sqlite;

    public bool CanFindFile => true;

    public StoreTarget? Store { get; } = new(SqliteProvider.Instance, SqliteDialect.Instance, path);

    /// <summary>Reads the tables and tells how many rows crossed from SQLite into the process.</summary>
    public SourceReadResult Read(IProgress<string>? progress = null)
    {
        var (mode, reason) = Transfer.Decide(transfer, Kind, host: null);
        progress?.Report($"transfer: {(mode == TransferMode.Stream ? "stream" : "pushdown")} ({reason})");
        using var connection = OpenReadOnly(path);
        var reader = new DatabaseReader(connection, SqliteDialect.Instance, path);
        var tables = mode == TransferMode.Stream ? reader.ReadStreamed(() => OpenReadOnly(path), progress) : reader.Read(progress);
        return new SourceReadResult(tables, reader.RowsRead, []) { Transfer = mode };
    }

    public CheckResult Check(IProgress<string>? progress = null)
    {
        using var connection = OpenReadOnly(path);
        return SourceChecker.Check(path, Kind, new DatabaseReader(connection, SqliteDialect.Instance, path), () => Read(), progress);
    }

    public Export.ICanonicalTableRows OpenTables() => new Export.DbTableRows(OpenReadOnly(path), SqliteDialect.Instance, path);

    public FileFacts? FindFile(string fileId)
    {
        ArgumentNullException.ThrowIfNull(fileId);
        using var connection = OpenReadOnly(path);
        return new DatabaseReader(connection, SqliteDialect.Instance, path).FindFile(fileId);
    }

    /// <summary>An open, read-only, unpooled connection to an existing database file.</summary>
    internal static SqliteConnection OpenReadOnly(string databasePath)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InputErrorException(databasePath, null, null, $"cannot read the database: {ex.Message}");
        }
    }
}
