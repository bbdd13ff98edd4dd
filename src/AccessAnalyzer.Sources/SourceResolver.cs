using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources;

/// <summary>How to reach and check a source, beyond its name.</summary>
public sealed record SourceOptions
{
    /// <summary>A file holding the connection string (for <c>postgres</c> and <c>sqlserver</c>); else <c>AA_CONNECTION</c>.</summary>
    public string? ConnectionFile { get; init; }

    /// <summary>Schema of the canonical names (server databases only); default <c>aa</c>.</summary>
    public string? Schema { get; init; }

    /// <summary>Fail (bad input, exit 2) instead of warning when the login can modify the input tables.</summary>
    public bool RequireReadOnly { get; init; }

    /// <summary>Where the least-privilege warning goes (stderr in the CLI); null drops it.</summary>
    public TextWriter? Warnings { get; init; }

    /// <summary>Reads environment variables; replaceable in tests.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>What a source gave: the tables, and for databases how many rows crossed the wire and what the login may modify.</summary>
public sealed record SourceReadResult(SourceTables Tables, long? RowsRead, IReadOnlyList<string> WritableInputTables)
{
    public Snapshot Snapshot() => SnapshotBuilder.Build(Tables);
}

/// <summary>
/// Turns <c>--source</c> into a read: <c>postgres</c> or <c>sqlserver</c> (or any registered provider name) is a
/// database reached through the connection string of <c>--connection-file</c> or <c>AA_CONNECTION</c>, never the
/// command line; an existing directory is a CSV export; an existing file is an SQLite database.
/// Before reading a server database it checks the login's privileges: the tool needs SELECT only.
/// </summary>
public sealed class SourceResolver
{
    /// <summary>Environment variable holding the connection string.</summary>
    public const string ConnectionVariable = "AA_CONNECTION";

    private readonly Dictionary<string, IDatabaseProvider> _providers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>PostgreSQL is built in; pass further providers (SQL Server lives in its own assembly).</summary>
    public SourceResolver(params IDatabaseProvider[] providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers[PostgresProvider.Instance.Name] = PostgresProvider.Instance;
        foreach (var provider in providers)
        {
            _providers[provider.Name] = provider;
        }
    }

    /// <summary>Names that select a server database rather than a path.</summary>
    public IReadOnlyCollection<string> DatabaseNames => _providers.Keys;

    public bool IsDatabase(string source) => _providers.ContainsKey(source);

    /// <summary>The provider registered under a name (<c>sqlite</c> included), for <c>db init</c> and <c>db load</c>.</summary>
    public IDatabaseProvider Provider(string name) =>
        name.Equals(SqliteProvider.Instance.Name, StringComparison.OrdinalIgnoreCase) ? SqliteProvider.Instance
        : _providers.TryGetValue(name, out var provider) ? provider
        : throw new InputErrorException(name, null, null,
            $"unknown database '{name}' (expected sqlite, {string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))})");

    public Snapshot Load(string source, SourceOptions options, IProgress<string>? progress = null) =>
        Read(source, options, progress).Snapshot();

    public SourceReadResult Read(string source, SourceOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (_providers.TryGetValue(source, out var provider))
        {
            return ReadDatabase(provider, options, progress);
        }

        if (options.Schema is not null || options.ConnectionFile is not null)
        {
            throw new InputErrorException(source, null, null,
                $"--schema and --connection-file apply to database sources ({string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))})");
        }

        if (Directory.Exists(source))
        {
            return new SourceReadResult(CsvSource.Read(source, progress), null, []);
        }

        if (File.Exists(source))
        {
            var tables = SqliteSource.Read(source, progress, out var rows);
            return new SourceReadResult(tables, rows, []);
        }

        throw new InputErrorException(source, null, null,
            $"source not found (expected a directory of canonical CSV files, an SQLite database file, or {string.Join(" or ", _providers.Keys.Order(StringComparer.Ordinal))})");
    }

    /// <summary>
    /// The connection string: the content of <see cref="SourceOptions.ConnectionFile"/> when given, else
    /// <c>AA_CONNECTION</c>. Never echoed in any message.
    /// </summary>
    public static string ConnectionString(string databaseName, SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ConnectionFile is { } file)
        {
            if (!File.Exists(file))
            {
                throw new InputErrorException(file, null, null, "connection file not found");
            }

            var text = File.ReadAllText(file).Trim();
            return text.Length > 0 ? text : throw new InputErrorException(file, null, null, "connection file is empty");
        }

        var fromEnvironment = options.Environment(ConnectionVariable)?.Trim();
        return string.IsNullOrEmpty(fromEnvironment)
            ? throw new InputErrorException(databaseName, null, null,
                $"no connection string: set {ConnectionVariable} or pass --connection-file FILE (never on the command line)")
            : fromEnvironment;
    }

    private static SourceReadResult ReadDatabase(IDatabaseProvider provider, SourceOptions options, IProgress<string>? progress)
    {
        var connectionString = ConnectionString(provider.Name, options);
        ISqlDialect dialect;
        try
        {
            dialect = provider.CreateDialect(options.Schema);
        }
        catch (ArgumentException ex)
        {
            throw new InputErrorException(provider.Name, null, null, $"--schema: {ex.Message}");
        }

        var name = provider.Describe(connectionString);
        progress?.Report("connecting");
        using var connection = provider.Open(connectionString);
        var source = new DatabaseSource(connection, dialect, name);
        var writable = CheckPrivileges(source, options, provider.Name);
        var tables = source.Read(progress);
        return new SourceReadResult(tables, source.RowsRead, writable);
    }

    /// <summary>Warns (or fails with <see cref="SourceOptions.RequireReadOnly"/>) when the login can modify input tables.</summary>
    public static IReadOnlyList<string> CheckPrivileges(DatabaseSource source, SourceOptions options, string dialectFolder)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var writable = source.WritableInputTables();
        if (writable.Count == 0)
        {
            return writable;
        }

        var list = string.Join(", ", writable.Select(source.Dialect.DisplayName));
        var advice = $"the analyzer needs only SELECT: use a read-only login (role aa_reader, sql/{dialectFolder}/grants.sql)";
        if (options.RequireReadOnly)
        {
            throw new InputErrorException(source.SourceName, null, null,
                $"--require-read-only: the login can modify input tables ({list}); {advice}");
        }

        options.Warnings?.WriteLine($"warning: the login can modify input tables ({list}); {advice}");
        return writable;
    }
}
