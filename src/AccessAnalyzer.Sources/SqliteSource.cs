using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Sources.Database;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Sources;

/// <summary>
/// An SQLite database holding the canonical tables (or views of those names), read through the same
/// <see cref="DatabaseSource"/> as PostgreSQL and SQL Server: the big tables are aggregated by GROUP BY inside SQLite.
/// Opened read-only: the tool needs nothing but SELECT.
/// </summary>
public static class SqliteSource
{
    public static Snapshot Load(string databasePath, IProgress<string>? progress = null) =>
        SnapshotBuilder.Build(Read(databasePath, progress));

    public static SourceTables Read(string databasePath, IProgress<string>? progress = null) =>
        Read(databasePath, progress, out _);

    /// <summary>Reads the tables and tells how many rows crossed from SQLite into the process.</summary>
    public static SourceTables Read(string databasePath, IProgress<string>? progress, out long rowsRead)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        if (!File.Exists(databasePath))
        {
            throw new InputErrorException(databasePath, null, null, "database file not found");
        }

        using var connection = OpenReadOnly(databasePath);
        var source = new DatabaseSource(connection, SqliteDialect.Instance, databasePath);
        var tables = source.Read(progress);
        rowsRead = source.RowsRead;
        return tables;
    }

    /// <summary>An open, read-only, unpooled connection to an existing database file.</summary>
    public static SqliteConnection OpenReadOnly(string databasePath)
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
