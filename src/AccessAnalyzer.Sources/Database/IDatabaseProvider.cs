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

    /// <summary>Starts a bulk load of canonical tables; rows become visible when <see cref="IBulkLoad.Commit"/> returns.</summary>
    IBulkLoad BeginLoad(DbConnection connection, ISqlDialect dialect);

    /// <summary>Statements to run once the rows and indexes are in (planner statistics), outside any transaction.</summary>
    IEnumerable<string> AfterLoad(ISqlDialect dialect, IEnumerable<string> tables);
}

/// <summary>One bulk load: PostgreSQL COPY, SQL Server SqlBulkCopy, SQLite batched transactions.</summary>
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
