using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AccessAnalyzer.Tests.Fixtures;

/// <summary>
/// A throw-away PostgreSQL server for the tests: <c>initdb</c> into a temporary directory (as the <c>postgres</c> OS
/// user when the tests run as root, since the server refuses to run as root), listening only on 127.0.0.1 on a free
/// port (and on a unix socket in its own directory), started with <c>pg_ctl</c> and stopped and deleted when the test
/// run ends. Shared by every test of the <see cref="PostgresCollection"/>; each test works in a schema of its own.
/// A free port is only free until someone binds it: when the server finds its port taken it is started again on
/// another one (<see cref="MaxStartAttempts"/> at most), and once up it must answer with its own cluster name, so a
/// port taken by another server can never be used in its place.
/// When no server binary is installed, <see cref="PostgresFactAttribute"/> skips the tests with the reason
/// (<c>.ci/run</c> installs PostgreSQL, so CI never skips).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<string?> LazyBinDirectory = new(FindBinDirectory);

    private readonly string _root;
    private readonly string _data;
    private readonly bool _asPostgresUser;
    private bool _started;

    /// <summary>Starts tried before giving up when each port offered turns out to be taken.</summary>
    internal const int MaxStartAttempts = 5;

    public PostgresServer()
        : this(FreePort)
    {
    }

    /// <param name="nextPort">Gives the port of each start attempt (a seam for the test of the retry).</param>
    internal PostgresServer(Func<int> nextPort)
    {
        ArgumentNullException.ThrowIfNull(nextPort);
        if (SkipReason is not null)
        {
            _root = _data = string.Empty;
            ClusterName = string.Empty;
            return;
        }

        _asPostgresUser = Environment.UserName == "root";
        _root = Path.Combine(Path.GetTempPath(), "aa-pg-" + Guid.NewGuid().ToString("N")[..12]);
        _data = Path.Combine(_root, "data");
        ClusterName = Path.GetFileName(_root);
        Directory.CreateDirectory(_root);
        try
        {
            if (_asPostgresUser)
            {
                Exec("chown", $"postgres: {_root}", asPostgres: false);
            }

            Exec(Path.Combine(BinDirectory!, "initdb"), $"-D {_data} -A trust -U postgres -E UTF8 --locale=C --no-sync", _asPostgresUser);
            Start(nextPort);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Directory holding initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? BinDirectory => LazyBinDirectory.Value;

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? SkipReason =>
        BinDirectory is null
            ? "PostgreSQL server binaries (initdb, pg_ctl) not found (AA_POSTGRES_BIN, PATH, /usr/local/bin, /usr/lib/postgresql/*/bin): install the postgresql package (.ci/run does)"
            : Environment.UserName == "root" && !PostgresUserExists()
                ? "running as root and there is no 'postgres' OS user to run the server as"
                : null;

    public int Port { get; private set; }

    /// <summary>How many starts it took to find a port nobody else had taken.</summary>
    public int StartAttempts { get; private set; }

    /// <summary>The <c>cluster_name</c> this server runs with, unique to it: what it answers on <see cref="Port"/>.</summary>
    public string ClusterName { get; }

    /// <summary>Connection string of the superuser (owner of everything), or of another login.</summary>
    public string ConnectionString(string user = "postgres", string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Database = database,
            Pooling = false,
            Timeout = 30,
        }.ToString();

    public NpgsqlConnection Open(string user = "postgres")
    {
        var connection = new NpgsqlConnection(ConnectionString(user));
        connection.Open();
        return connection;
    }

    /// <summary>Runs SQL as the superuser.</summary>
    public void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public object? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema(string prefix = "t") => prefix + "_" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>
    /// Starts the server on the ports <paramref name="nextPort"/> gives until one is not taken. The port was free when
    /// chosen, but nothing holds it between then and the server's bind: another process may have taken it.
    /// </summary>
    private void Start(Func<int> nextPort)
    {
        var log = Path.Combine(_root, "server.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = nextPort();
            var logLength = File.Exists(log) ? new FileInfo(log).Length : 0;
            var options = string.Join(' ',
                "-c listen_addresses=127.0.0.1", $"-p {port.ToString(CultureInfo.InvariantCulture)}", $"-k {_root}", $"-c cluster_name={ClusterName}",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=50", "-c lc_messages=C");
            try
            {
                Exec(Path.Combine(BinDirectory!, "pg_ctl"), $"-D {_data} -l {log} -w -t 60 -o \"{options}\" start", _asPostgresUser);
            }
            catch (InvalidOperationException ex)
            {
                var written = LogSince(log, logLength);
                var portTaken = written.Contains("could not bind", StringComparison.Ordinal) ||
                    written.Contains("could not create any TCP/IP sockets", StringComparison.Ordinal);
                if (portTaken && attempt < MaxStartAttempts)
                {
                    continue;
                }

                throw new InvalidOperationException(
                    $"PostgreSQL did not start on 127.0.0.1:{port} (attempt {attempt} of {MaxStartAttempts}): {ex.Message}\nserver log:\n{written}", ex);
            }

            _started = true;
            Port = port;
            StartAttempts = attempt;
            break;
        }

        // What answers on the port must be this server, not one that took the port first.
        var name = Scalar("SHOW cluster_name") as string;
        if (name != ClusterName)
        {
            throw new InvalidOperationException($"127.0.0.1:{Port} is served by cluster '{name}', not by this test server '{ClusterName}'");
        }
    }

    private static string LogSince(string log, long offset)
    {
        if (!File.Exists(log))
        {
            return string.Empty;
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        if (_started)
        {
            try
            {
                Exec(Path.Combine(BinDirectory!, "pg_ctl"), $"-D {_data} -m immediate -w stop", _asPostgresUser);
            }
            catch (InvalidOperationException)
            {
                // Already gone: nothing to stop.
            }

            _started = false;
        }

        if (_root.Length > 0 && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static void Exec(string program, string arguments, bool asPostgres)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {program} {arguments}")
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not finish in 120 s; its process tree was killed");
        }

        if (process.ExitCode != 0)
        {
            var output = Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(10)) ? $"{stdout.Result} {stderr.Result}" : "(output not closed)";
            throw new InvalidOperationException($"{program} {arguments} exited {process.ExitCode}: {output}");
        }
    }

    /// <summary>A port free at this instant on 127.0.0.1 (and only at this instant: see <see cref="Start"/>).</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool PostgresUserExists() =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal));

    private static string? FindBinDirectory()
    {
        static bool Has(string dir) => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

        // AA_POSTGRES_BIN names the directory explicitly (and, pointed at an empty one, shows the skip path).
        if (Environment.GetEnvironmentVariable("AA_POSTGRES_BIN") is { Length: > 0 } explicitDirectory)
        {
            return Has(explicitDirectory) ? explicitDirectory : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/local/bin"))
        {
            if (Has(dir))
            {
                return dir;
            }
        }

        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            return Directory.GetDirectories(debian)
                .Select(d => Path.Combine(d, "bin"))
                .Where(Has)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .FirstOrDefault();
        }

        return null;
    }
}

/// <summary>Every test that needs the server is in this collection: one server for the whole run, tests in sequence.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>A fact that is skipped, with the reason, when no PostgreSQL server binary is installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that is skipped, with the reason, when no PostgreSQL server binary is installed.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
