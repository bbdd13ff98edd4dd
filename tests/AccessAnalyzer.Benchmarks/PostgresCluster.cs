using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AccessAnalyzer.Benchmarks;

/// <summary>
/// A throw-away PostgreSQL cluster: <c>initdb</c> into a temporary directory (as the <c>postgres</c> OS user when run
/// as root), listening on 127.0.0.1 and a free port, tuned as a benchmark server that holds the data in memory
/// (fsync off: nothing here needs to survive), stopped and deleted on dispose. A port found free may be taken before
/// the server binds it: the start is then tried again on another port (<see cref="MaxStartAttempts"/> at most), and
/// the server must answer with its own cluster name on the port it was given.
/// </summary>
internal sealed class PostgresCluster : IDisposable
{
    private readonly string _root;
    private readonly string _data;
    private readonly string _bin;
    private readonly bool _asPostgres;

    /// <summary>Starts tried before giving up when each free port found is taken by the time the server binds it.</summary>
    private const int MaxStartAttempts = 5;

    private PostgresCluster(string bin, string root, bool asPostgres)
    {
        _bin = bin;
        _root = root;
        _data = Path.Combine(root, "data");
        _asPostgres = asPostgres;
        ClusterName = Path.GetFileName(root);
    }

    public int Port { get; private set; }

    /// <summary>The <c>cluster_name</c> of this server, unique to it.</summary>
    public string ClusterName { get; }

    public string Version { get; private set; } = "?";

    /// <summary>Npgsql connection string of the superuser (trust authentication on 127.0.0.1).</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=60;Command Timeout=0");

    /// <summary>Why no cluster can be started here, or null.</summary>
    public static string? Unavailable()
    {
        if (BinDirectory() is null)
        {
            return "PostgreSQL server binaries (initdb, pg_ctl) not found";
        }

        if (ProcessRunner.Which("psql") is null && !File.Exists(Path.Combine(BinDirectory()!, "psql")))
        {
            return "psql not found";
        }

        return Environment.UserName == "root" && !File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal))
            ? "running as root and there is no postgres OS user"
            : null;
    }

    public static PostgresCluster Start(string workDirectory, long memoryKib)
    {
        var bin = BinDirectory() ?? throw new BenchmarkException("PostgreSQL not found");
        var root = Path.Combine(workDirectory, "aa-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var asPostgres = Environment.UserName == "root";
        var cluster = new PostgresCluster(bin, root, asPostgres);
        try
        {
            if (asPostgres)
            {
                ProcessRunner.Check("chown", "postgres:", root);
            }

            cluster.Exec("initdb", "-D", cluster._data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync");

            // In memory as far as the machine allows: a quarter of it as shared buffers, generous sort memory.
            var sharedMb = Math.Clamp(memoryKib / 1024 / 4, 128, 8192);
            var settings = string.Join(' ', new[]
            {
                "-c listen_addresses=127.0.0.1", $"-c unix_socket_directories={root}", $"-c cluster_name={cluster.ClusterName}",
                $"-c shared_buffers={sharedMb}MB", "-c work_mem=256MB", "-c maintenance_work_mem=1GB",
                $"-c effective_cache_size={Math.Max(256, memoryKib / 1024 / 2)}MB",
                $"-c max_parallel_workers_per_gather={Environment.ProcessorCount}", "-c max_wal_size=8GB",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c wal_level=minimal",
                "-c max_wal_senders=0", "-c autovacuum=off", "-c jit=off",
                "-c log_min_duration_statement=1000", "-c log_line_prefix=''", // statements over a second: the profile
                "-c lc_messages=C",
            }.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s}")));
            cluster.StartOnFreePort(settings);
            cluster.Version = cluster.Psql("SHOW server_version").Trim();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the server on a free port, and on another one when that port was taken between its choice and the
    /// server's bind (the log says so); then checks that what answers on the port is this cluster.
    /// </summary>
    private void StartOnFreePort(string settings)
    {
        var log = Path.Combine(_root, "server.log");
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var logLength = File.Exists(log) ? new FileInfo(log).Length : 0;
            try
            {
                Exec("pg_ctl", "-D", _data, "-l", log, "-w", "-t", "120", "-o", string.Create(CultureInfo.InvariantCulture, $"-c port={Port} {settings}"), "start");
                break;
            }
            catch (BenchmarkException) when (attempt < MaxStartAttempts && PortWasTaken(log, logLength))
            {
                // Taken by someone else meanwhile: try another free port.
            }
        }

        var name = Psql("SHOW cluster_name").Trim();
        if (name != ClusterName)
        {
            throw new BenchmarkException($"127.0.0.1:{Port} is served by cluster '{name}', not by the benchmark's '{ClusterName}'");
        }
    }

    private static bool PortWasTaken(string log, long offset)
    {
        if (!File.Exists(log))
        {
            return false;
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var written = reader.ReadToEnd();
        return written.Contains("could not bind", StringComparison.Ordinal) ||
            written.Contains("could not create any TCP/IP sockets", StringComparison.Ordinal);
    }

    /// <summary>
    /// Statements that took more than a second since <paramref name="fromLine"/> of the server log, as
    /// (milliseconds, first 160 characters of the statement on one line).
    /// </summary>
    public List<(double Ms, string Statement)> SlowStatements(int fromLine = 0)
    {
        var log = Path.Combine(_root, "server.log");
        var result = new List<(double, string)>();
        if (!File.Exists(log))
        {
            return result;
        }

        var lines = File.ReadAllLines(log);
        for (var i = fromLine; i < lines.Length; i++)
        {
            const string marker = "LOG:  duration: ";
            var at = lines[i].IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var rest = lines[i][(at + marker.Length)..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0 || !double.TryParse(rest[..space], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            {
                continue;
            }

            // The statement follows "ms  statement: " or "ms  execute <name>: " and may continue on later lines.
            var colon = rest.IndexOf(": ", StringComparison.Ordinal);
            var text = new System.Text.StringBuilder(colon >= 0 ? rest[(colon + 2)..] : rest);
            while (i + 1 < lines.Length && (lines[i + 1].StartsWith('\t') || lines[i + 1].StartsWith(' ')) && text.Length < 400)
            {
                text.Append(' ').Append(lines[++i].Trim());
            }

            var statement = System.Text.RegularExpressions.Regex.Replace(text.ToString(), @"\s+", " ").Trim();
            result.Add((ms, statement.Length > 160 ? statement[..160] + "…" : statement));
        }

        return result;
    }

    /// <summary>Lines in the server log so far (to read later statements only).</summary>
    public int LogLines => File.Exists(Path.Combine(_root, "server.log")) ? File.ReadAllLines(Path.Combine(_root, "server.log")).Length : 0;

    /// <summary>Runs SQL through psql and returns its unaligned output.</summary>
    public string Psql(string sql) =>
        ProcessRunner.Run(PsqlPath(), PsqlArguments("-c", sql)).EnsureSuccess("psql").Stdout;

    /// <summary>Runs a SQL file through psql, output to a file, timed; samples the cluster's memory meanwhile.</summary>
    public (RunResult Run, long? PeakKib) PsqlFileTimed(string sqlFile, string outputFile)
    {
        using var sampler = new ClusterMemorySampler(_data);
        var run = ProcessRunner.Run(PsqlPath(), PsqlArguments("-f", sqlFile), stdoutFile: outputFile);
        return (run.EnsureSuccess("psql -f " + sqlFile), sampler.Stop());
    }

    private string[] PsqlArguments(params string[] more) =>
        ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", .. more];

    private string PsqlPath() => File.Exists(Path.Combine(_bin, "psql")) ? Path.Combine(_bin, "psql") : ProcessRunner.Which("psql")!;

    private void Exec(string tool, params string[] arguments)
    {
        var program = Path.Combine(_bin, tool);
        var result = _asPostgres
            ? ProcessRunner.Run("runuser", ["-u", "postgres", "--", program, .. arguments])
            : ProcessRunner.Run(program, arguments);
        result.EnsureSuccess(tool);
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(Path.Combine(_data, "postmaster.pid")))
            {
                Exec("pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop");
            }
        }
        catch (BenchmarkException)
        {
            // Best effort: the directory goes anyway.
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left in the work directory.
        }
        catch (UnauthorizedAccessException)
        {
            // Left in the work directory.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? BinDirectory()
    {
        static bool Has(string dir) => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("AA_POSTGRES_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries));
        candidates.Add("/usr/local/bin");
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(Has);
    }

    /// <summary>
    /// Peak memory of the cluster while a query runs, sampled from /proc every 50 ms: the private memory of every
    /// server process (backends, parallel workers) plus the shared memory once (shared buffers are mapped by all).
    /// </summary>
    private sealed class ClusterMemorySampler : IDisposable
    {
        private readonly int _postmaster;
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public ClusterMemorySampler(string dataDirectory)
        {
            var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
            _postmaster = File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture, out var pid) ? pid : -1;
            _thread = new Thread(Sample) { IsBackground = true };
            _thread.Start();
        }

        public long? Stop()
        {
            _stop = true;
            _thread.Join();
            return _postmaster < 0 ? null : _peak;
        }

        public void Dispose() => _stop = true;

        private void Sample()
        {
            while (!_stop && _postmaster > 0)
            {
                long privateKib = 0, sharedKib = 0;
                foreach (var dir in Directory.EnumerateDirectories("/proc"))
                {
                    if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
                    {
                        continue;
                    }

                    try
                    {
                        long anon = 0, shmem = 0;
                        var parent = -1;
                        foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
                        {
                            if (line.StartsWith("PPid:", StringComparison.Ordinal))
                            {
                                parent = int.Parse(line.AsSpan(5).Trim(), CultureInfo.InvariantCulture);
                            }
                            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                            {
                                anon = Kib(line);
                            }
                            else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                            {
                                shmem = Kib(line);
                            }
                        }

                        if (pid == _postmaster || parent == _postmaster)
                        {
                            privateKib += anon;
                            sharedKib = Math.Max(sharedKib, shmem);
                        }
                    }
                    catch (IOException)
                    {
                        // The process ended meanwhile.
                    }
                    catch (UnauthorizedAccessException)
                    {
                        // Not ours to read.
                    }
                }

                _peak = Math.Max(_peak, privateKib + sharedKib);
                Thread.Sleep(50);
            }
        }

        private static long Kib(string line) =>
            long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
    }
}
