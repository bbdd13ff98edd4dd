using System.Data.Common;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources;

/// <summary>What holds a source's canonical tables, decided once from the argument by <see cref="SourceResolver.Resolve"/>.</summary>
public enum SourceKind
{
    /// <summary>A directory of canonical CSV files.</summary>
    Csv,

    /// <summary>An SQLite database file.</summary>
    Sqlite,

    /// <summary>PostgreSQL (or Citus), through a connection string.</summary>
    Postgres,

    /// <summary>SQL Server (or Azure Synapse / Fabric), through a connection string.</summary>
    SqlServer,
}

/// <summary>
/// Where the canonical tables come from. <see cref="SourceResolver.Resolve"/> makes one from a command-line argument
/// and is the only code that looks at that argument; everything else asks the source. Reading gives the tables, and
/// <see cref="SourceReadResult.Snapshot"/> the engine's input: the one way to a snapshot.
/// </summary>
public interface ISource
{
    /// <summary>Name in reports and messages: the path, or <c>postgres:host:port/db</c>; never a connection string.</summary>
    string Name { get; }

    SourceKind Kind { get; }

    /// <summary>Reads the small tables as rows and the big ones as aggregates. A database is connected to here, not before.</summary>
    SourceReadResult Read(IProgress<string>? progress = null);

    /// <summary>Whether <see cref="FindFile"/> is offered: on CSV and SQLite sources, not on server databases.</summary>
    bool CanFindFile { get; }

    /// <summary>One beneficiary file's unit, class, caseload holders and shares (<c>explain --file</c>); null when no file has this id.</summary>
    /// <exception cref="NotSupportedException">When <see cref="CanFindFile"/> is false.</exception>
    FileFacts? FindFile(string fileId);

    /// <summary>Where <c>--store</c> writes this source's runs: its own database; null for a CSV directory.</summary>
    StoreTarget? Store { get; }

    /// <summary>
    /// Every problem of the input in one pass (<c>check</c>): missing tables and columns, bad values counted per column;
    /// then, when none, what the full read finds. Bad input is reported in the result, not thrown.
    /// </summary>
    CheckResult Check(IProgress<string>? progress = null);

    /// <summary>Every canonical table row by row, cells spelled canonically (<c>db export</c>). A database is connected to here.</summary>
    Export.ICanonicalTableRows OpenTables();
}

/// <summary>What a source gave: the tables, and for databases how many rows crossed the wire and what the login may modify.</summary>
public sealed record SourceReadResult(SourceTables Tables, long? RowsRead, IReadOnlyList<string> WritableInputTables)
{
    /// <summary>How a database's big tables were read (<c>--transfer</c>, auto resolved); null for CSV.</summary>
    public TransferMode? Transfer { get; init; }

    public Snapshot Snapshot() => SnapshotBuilder.Build(Tables);
}

/// <summary>
/// A database that report runs can be written into: a source's own (<see cref="ISource.Store"/>) or one named by
/// <c>--store-to</c> (<see cref="SourceResolver.ResolveStoreTarget"/>). Holds the connection string without ever
/// showing it: <see cref="Name"/> is credential-free.
/// </summary>
public sealed class StoreTarget
{
    private readonly IDatabaseProvider _provider;
    private readonly string _connectionString;

    internal StoreTarget(IDatabaseProvider provider, ISqlDialect dialect, string connectionString)
    {
        _provider = provider;
        _connectionString = connectionString;
        Dialect = dialect;
        Name = provider.Describe(connectionString);
    }

    /// <summary>The dialect, with the schema of the report tables.</summary>
    public ISqlDialect Dialect { get; }

    /// <summary>The database without credentials (<c>postgres:host:5432/db</c>, or the SQLite file's path).</summary>
    public string Name { get; }

    /// <summary>An open connection (an SQLite file is created when missing); a failure is bad input naming <see cref="Name"/>.</summary>
    public DbConnection Open() => _provider.Open(_connectionString);

    public override string ToString() => Name;
}
