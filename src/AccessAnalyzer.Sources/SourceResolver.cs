using AccessAnalyzer.Core.Input;
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

    /// <summary>How a database source's big tables are read (<c>--transfer</c>); ignored for CSV.</summary>
    public TransferMode Transfer { get; init; } = TransferMode.Auto;

    /// <summary>Where the least-privilege warning goes (stderr in the CLI); null drops it.</summary>
    public TextWriter? Warnings { get; init; }

    /// <summary>Reads environment variables; replaceable in tests.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>
/// Turns a source argument into an <see cref="ISource"/>, and is the only code that decides what the argument names:
/// <c>postgres</c> or <c>sqlserver</c> (or any registered provider name) is a database reached through the connection
/// string of <c>--connection-file</c> or <c>AA_CONNECTION</c>, never the command line; an existing directory is a CSV
/// export; an existing file is an SQLite database. <see cref="ResolveStoreTarget"/> does the same for <c>--store-to</c>.
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

    /// <summary>The provider registered under a name (<c>sqlite</c> included), for <c>db init</c> and <c>db load</c>.</summary>
    public IDatabaseProvider Provider(string name) =>
        name.Equals(SqliteProvider.Instance.Name, StringComparison.OrdinalIgnoreCase) ? SqliteProvider.Instance
        : _providers.TryGetValue(name, out var provider) ? provider
        : throw new InputErrorException(name, null, null,
            $"unknown database '{name}' (expected sqlite, {string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))})");

    /// <summary>
    /// The source an argument names. Nothing is read or connected to yet, but what can be checked is: a server
    /// database needs a connection string and a valid schema; a path must exist and takes neither.
    /// </summary>
    public ISource Resolve(string argument, SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(argument);
        ArgumentNullException.ThrowIfNull(options);
        if (_providers.TryGetValue(argument, out var provider))
        {
            var connectionString = ConnectionString(provider.Name, options);
            return new ServerSource(provider, Dialect(provider, options.Schema, provider.Name), connectionString, options);
        }

        var isDirectory = Directory.Exists(argument);
        if (!isDirectory && !File.Exists(argument))
        {
            // The whole message is the sentence: the argument may be a path or a mistyped database name.
            throw new InputErrorException(
                $"source '{argument}' not found (expected a directory of canonical CSV files, an SQLite database file, " +
                $"or {string.Join(" or ", _providers.Keys.Order(StringComparer.Ordinal))} with --connection-file or {ConnectionVariable})",
                new FileNotFoundException("no such directory or file", argument));
        }

        if (options.Schema is not null || options.ConnectionFile is not null)
        {
            throw new InputErrorException(argument, null, null,
                $"--schema and --connection-file apply to database sources ({string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))})");
        }

        if (isDirectory)
        {
            try
            {
                // A directory that cannot be listed would read as one whose tables are all missing.
                using var entries = Directory.EnumerateFileSystemEntries(argument).GetEnumerator();
                entries.MoveNext();
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                throw new InputErrorException(argument, null, null, $"source directory cannot be read: {ex.Message}");
            }

            return new CsvSource(argument);
        }

        // Opening a FIFO blocks until a writer comes, and a device never ends: only a regular file (or a link to one) is read.
        var type = FileTypes.Of(argument);
        return FileTypes.IsReadableAsFile(type)
            ? new SqliteSource(argument, options.Transfer)
            : throw new InputErrorException(argument, null, null,
                $"source is {FileTypes.Describe(type)}, not a regular file (expected a directory of canonical CSV files or an SQLite database file)");
    }

    /// <summary>
    /// The database <c>--store-to</c> names: a registered provider name (connection string and schema from
    /// <paramref name="options"/>, as for a source), else an SQLite file, created when missing.
    /// </summary>
    public StoreTarget ResolveStoreTarget(string argument, SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(argument);
        ArgumentNullException.ThrowIfNull(options);
        if (_providers.TryGetValue(argument, out var provider))
        {
            var connectionString = ConnectionString(argument, options);
            return new StoreTarget(provider, Dialect(provider, options.Schema, argument), connectionString);
        }

        return Directory.Exists(argument)
            ? throw new InputErrorException(argument, null, null,
                $"a directory cannot hold report tables (expected {string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))} or an SQLite file, created if missing)")
            : new StoreTarget(SqliteProvider.Instance, SqliteDialect.Instance, argument);
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

            if (!OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            {
                // The file holds a password: anyone in its group, or anyone at all, can read it.
                options.Warnings?.WriteLine($"warning: connection file '{file}' is readable by group or others (chmod 600 it)");
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

    private static ISqlDialect Dialect(IDatabaseProvider provider, string? schema, string name)
    {
        try
        {
            return provider.CreateDialect(schema);
        }
        catch (ArgumentException ex)
        {
            throw new InputErrorException(name, null, null, $"--schema: {ex.Message}");
        }
    }
}
