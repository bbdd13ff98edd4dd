using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Demo;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>The small demo as canonical CSV, generated once; each test works on its own copy.</summary>
public sealed class MonitorDemo : IDisposable
{
    /// <summary>A state's per-account, per-day aggregates, one line each, in key order: what two runs must agree on.</summary>
    public static List<string> DayAggregates(string statePath)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT principal || ' ' || day || ' ' || reads || ' ' || distinct_files || ' ' || outside || ' ' || sensitive_outside FROM principal_day ORDER BY principal, day";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    public MonitorDemo()
    {
        using (var writer = new CsvCanonicalWriter(Csv))
        {
            DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, new DateOnly(2026, 11, 23)), [writer]);
        }

        var lines = File.ReadAllLines(Path.Combine(Csv, "access_events.csv")).Skip(1).ToArray();
        LastDay = lines.Max(l => DateOnly.ParseExact(l.Split(',')[2][..10], "yyyy-MM-dd", CultureInfo.InvariantCulture));
        var principals = File.ReadAllLines(Path.Combine(Csv, "principals.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        ActiveStaff = principals.First(p => p[1] == "staff" && p[5] == "true")[0];
        Dormant = principals.First(p => p[5] == "false")[0];
        FileIds = [.. File.ReadAllLines(Path.Combine(Csv, "files.csv")).Skip(1).Select(l => l.Split(',')[0])];
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "aa-monitor-" + Guid.NewGuid().ToString("N"));

    public string Csv => Path.Combine(Root, "demo");

    /// <summary>The last day of the demo's access log: appended events fall after it.</summary>
    public DateOnly LastDay { get; }

    public string ActiveStaff { get; }

    public string Dormant { get; }

    public IReadOnlyList<string> FileIds { get; }

    /// <summary>A fresh copy of the demo's CSV files.</summary>
    public string Copy()
    {
        var copy = Directory.CreateDirectory(Path.Combine(Root, Guid.NewGuid().ToString("N"))).FullName;
        var csv = Directory.CreateDirectory(Path.Combine(copy, "csv")).FullName;
        foreach (var file in Directory.GetFiles(Csv))
        {
            File.Copy(file, Path.Combine(csv, Path.GetFileName(file)));
        }

        return copy;
    }

    /// <summary>Lines reading the given files, one second apart from 08:00 on <paramref name="day"/>.</summary>
    public static string Reads(string principal, IEnumerable<string> files, DateOnly day, int startSecond = 0)
    {
        var text = new StringBuilder();
        var second = startSecond;
        foreach (var file in files)
        {
            var at = day.ToDateTime(new TimeOnly(8, 0)).AddSeconds(second++);
            text.Append(CultureInfo.InvariantCulture, $"{principal},{file},{at:yyyy-MM-ddTHH:mm:ss}Z,read\n");
        }

        return text.ToString();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>An HTTP endpoint on 127.0.0.1 that records every POST (idempotency key and body) and answers 200.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        // A free port: bind a socket to 0, read the port, release it.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync().ConfigureAwait(false);
                Received.Enqueue((context.Request.Headers["Idempotency-Key"] ?? string.Empty, context.Request.Headers["Authorization"], body));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/alerts";

    public ConcurrentQueue<(string Key, string? Authorization, string Body)> Received { get; } = new();

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

/// <summary>A UDP syslog collector on 127.0.0.1.</summary>
public sealed class SyslogReceiver : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public List<string> Messages { get; } = [];

    /// <summary>Every datagram that arrived, waiting briefly for late ones.</summary>
    public List<string> Drain()
    {
        while (true)
        {
            // A receive that timed out stays pending and takes the next datagram: it is kept for the next call.
            _pending ??= _udp.ReceiveAsync();
            if (!_pending.Wait(TimeSpan.FromMilliseconds(300)))
            {
                return Messages;
            }

            Messages.Add(Encoding.UTF8.GetString(_pending.Result.Buffer));
            _pending = null;
        }
    }

    private Task<UdpReceiveResult>? _pending;

    public void Dispose() => _udp.Dispose();
}

internal static class Alerts
{
    public static JsonElement[] OfJsonl(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())] : [];

    public static string Rule(this JsonElement alert) => alert.GetProperty("rule").GetString()!;

    public static string Id(this JsonElement alert) => alert.GetProperty("id").GetString()!;

    public static (int Exit, string Out, string Error) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
