using System.Data.Common;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A database the tool can read, load and store into: its dialect, how to open a connection, how to name it without
/// credentials, and its bulk-load path. SQLite and PostgreSQL live in this assembly; SQL Server in
/// <c>AccessAnalyzer.Sources.SqlServer</c>, the one project that carries its driver.
/// </summary>
public interface IDatabaseProvider
{
    /// <summary><c>sqlite</c>, <c>postgres</c> or <c>sqlserver</c>: the <c>--source</c> and <c>--dialect</c> value.</summary>
    string Name { get; }

    /// <summary>The kind of source this provider reads.</summary>
    SourceKind Kind { get; }

    /// <summary>The dialect for a schema; null means the default (<c>aa</c>, or none for SQLite).</summary>
    ISqlDialect CreateDialect(string? schema);

    /// <summary>An open connection. A failure to connect is bad input naming the database, never the connection string.</summary>
    DbConnection Open(string connectionString);

    /// <summary>A name for reports and messages (<c>postgres:host:5432/db</c>): no user, no password, no options.</summary>
    string Describe(string connectionString);

    /// <summary>The server's host as the connection string names it (for <c>--transfer auto</c>); null when unknown or not a server.</summary>
    string? Host(string connectionString) => null;

    /// <summary>Starts a bulk load of canonical tables; rows become visible when <see cref="IBulkLoad.Commit"/> returns.</summary>
    IBulkLoad BeginLoad(DbConnection connection, ISqlDialect dialect);

    /// <summary>
    /// True when the transaction <see cref="BeginLoad"/> opens takes in every statement run on the connection until
    /// <see cref="IBulkLoad.Commit"/> (SQLite): the tables, the rows, the indexes and the statistics of a load then
    /// commit together or not at all. Otherwise the tables are created before that transaction, and the indexes and
    /// statistics built after it (PostgreSQL's VACUUM cannot run inside one).
    /// </summary>
    bool LoadIsOneTransaction { get; }

    /// <summary>Statements to run once the rows and indexes are in (planner statistics), outside any transaction.</summary>
    IEnumerable<string> AfterLoad(ISqlDialect dialect, IEnumerable<string> tables);
}

/// <summary>One bulk load: PostgreSQL COPY, SQL Server SqlBulkCopy, SQLite prepared inserts, each in one transaction.</summary>
public interface IBulkLoad : IDisposable
{
    /// <summary>
    /// Inserts rows whose values are in <see cref="CanonicalTableDefinition.Columns"/> order, already converted
    /// by the dialect (<see cref="ISqlDialect.ToDbBoolean"/> ...); null is SQL NULL. Returns the number of rows.
    /// </summary>
    long Insert(CanonicalTableDefinition table, IEnumerable<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Makes every inserted row durable. Disposing without committing rolls back what is not yet committed.</summary>
    void Commit();
}

/// <summary>What the client-server providers (PostgreSQL, SQL Server) share: connecting, and naming a connection string.</summary>
public static class ServerConnections
{
    /// <summary>
    /// Creates and opens a connection. A bad connection string, or a failure the driver reports
    /// (<paramref name="driverError"/>), is bad input naming the database through <see cref="IDatabaseProvider.Describe"/>.
    /// </summary>
    public static DbConnection Open(
        IDatabaseProvider provider, string connectionString, Func<string, DbConnection> create, Func<Exception, bool> driverError)
    {
        DbConnection? connection = null;
        try
        {
            connection = create(connectionString);
            connection.Open();
            return connection;
        }
        catch (Exception ex) when (driverError(ex) || ex is ArgumentException or InvalidOperationException)
        {
            connection?.Dispose();
            throw new Core.Input.InputErrorException(provider.Describe(connectionString), null, null, $"cannot connect: {ex.Message}");
        }
    }

    /// <summary><paramref name="describe"/>, or the provider's name when the connection string does not parse (<paramref name="unparsable"/>).</summary>
    public static string Describe(IDatabaseProvider provider, Func<string> describe, Func<Exception, bool> unparsable)
    {
        try
        {
            return describe();
        }
        catch (Exception ex) when (unparsable(ex))
        {
            return provider.Name;
        }
    }
}
