using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources;

/// <summary>
/// A server database (PostgreSQL, SQL Server) reached through a connection string that never appears in a name or a
/// message. Before reading, the login's privileges are checked: the tool needs SELECT only.
/// </summary>
internal sealed class ServerSource : ISource
{
    private readonly IDatabaseProvider _provider;
    private readonly ISqlDialect _dialect;
    private readonly string _connectionString;
    private readonly SourceOptions _options;

    public ServerSource(IDatabaseProvider provider, ISqlDialect dialect, string connectionString, SourceOptions options)
    {
        _provider = provider;
        _dialect = dialect;
        _connectionString = connectionString;
        _options = options;
        Name = provider.Describe(connectionString);
        Store = new StoreTarget(provider, dialect, connectionString);
    }

    public string Name { get; }

    public SourceKind Kind => _provider.Kind;

    /// <summary>Not offered on servers: <c>explain --file</c> is for CSV and SQLite sources.</summary>
    public bool CanFindFile => false;

    public StoreTarget? Store { get; }

    public SourceReadResult Read(IProgress<string>? progress = null)
    {
        var (mode, reason) = Transfer.Decide(_options.Transfer, Kind, _provider.Host(_connectionString));
        progress?.Report($"connecting; transfer: {(mode == TransferMode.Stream ? "stream" : "pushdown")} ({reason})");
        using var connection = _provider.Open(_connectionString);
        var reader = new DatabaseReader(connection, _dialect, Name);
        var writable = CheckPrivileges(reader);
        var tables = mode == TransferMode.Stream
            ? reader.ReadStreamed(() => _provider.Open(_connectionString), progress)
            : reader.Read(progress);
        return new SourceReadResult(tables, reader.RowsRead, writable) { Transfer = mode };
    }

    public CheckResult Check(IProgress<string>? progress = null)
    {
        progress?.Report("connecting");
        using var connection = _provider.Open(_connectionString);
        var reader = new DatabaseReader(connection, _dialect, Name);
        CheckPrivileges(reader);
        return SourceChecker.Check(Name, Kind, reader, () => Read(progress), progress);
    }

    public Export.ICanonicalTableRows OpenTables()
    {
        var connection = _provider.Open(_connectionString);
        try
        {
            CheckPrivileges(new DatabaseReader(connection, _dialect, Name));
            return new Export.DbTableRows(connection, _dialect, Name);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public FileFacts? FindFile(string fileId) =>
        throw new NotSupportedException("looking up one file is supported on CSV and SQLite sources");

    /// <summary>Warns (or fails with <see cref="SourceOptions.RequireReadOnly"/>) when the login can modify input tables.</summary>
    private IReadOnlyList<string> CheckPrivileges(DatabaseReader reader)
    {
        var writable = reader.WritableInputTables();
        if (writable.Count == 0)
        {
            return writable;
        }

        var list = string.Join(", ", writable.Select(_dialect.DisplayName));
        var advice = $"the analyzer needs only SELECT: use a read-only login (role aa_reader, sql/{_provider.Name}/grants.sql)";
        if (_options.RequireReadOnly)
        {
            throw new InputErrorException(Name, null, null, $"--require-read-only: the login can modify input tables ({list}); {advice}");
        }

        _options.Warnings?.WriteLine($"warning: the login can modify input tables ({list}); {advice}");
        return writable;
    }
}
