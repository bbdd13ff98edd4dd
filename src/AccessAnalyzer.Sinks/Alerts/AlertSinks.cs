using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using AccessAnalyzer.Sources.Monitor;

namespace AccessAnalyzer.Sinks.Alerts;

/// <summary>Where the monitor sends its alerts. Delivery is at least once; each sink keeps it to exactly once where it can.</summary>
public interface IAlertSink : IDisposable
{
    /// <summary>The sink as the command line names it (<c>jsonl:FILE</c>…): the key its deliveries are recorded under.</summary>
    string Name { get; }

    /// <summary>Sends one alert; false (with why, in one line) when it could not, so that it is retried next cycle.</summary>
    bool TryDeliver(MonitorAlert alert, out string? error);
}

/// <summary>Parses <c>--alert</c> values.</summary>
public static class AlertSinks
{
    /// <summary>The sink a <c>--alert</c> value names, or null with a one-line reason.</summary>
    public static IAlertSink? Parse(string spec, string? webhookToken, out string? error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        error = null;
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? spec : spec[..colon];
        var rest = colon < 0 ? string.Empty : spec[(colon + 1)..];
        switch (kind)
        {
            case "jsonl" when rest.Length > 0:
                return new JsonlAlertSink(spec, rest);
            case "syslog":
                var split = rest.LastIndexOf(':');
                if (split > 0 && int.TryParse(rest[(split + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
                {
                    return new SyslogAlertSink(spec, rest[..split], port);
                }

                error = $"'{spec}': expected syslog:HOST:PORT";
                return null;
            case "syslog+tcp":
                var at = rest.LastIndexOf(':');
                if (at > 0 && int.TryParse(rest[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var tcpPort) && tcpPort is > 0 and < 65536)
                {
                    return new SyslogTcpAlertSink(spec, rest[..at], tcpPort);
                }

                error = $"'{spec}': expected syslog+tcp:HOST:PORT";
                return null;
            case "webhook" when Uri.TryCreate(rest, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https":
                if (!string.IsNullOrEmpty(uri.UserInfo))
                {
                    error = "a webhook URL must not carry credentials: give the token with --webhook-token-file or AA_WEBHOOK_TOKEN";
                    return null;
                }

                return new WebhookAlertSink(spec, uri, webhookToken);
            default:
                error = $"'{spec}' is not one of jsonl:FILE, syslog:HOST:PORT, syslog+tcp:HOST:PORT, webhook:URL";
                return null;
        }
    }
}

/// <summary>
/// One JSON object a line, appended and flushed to disk. Before appending, the file's tail is searched for the
/// alert's line: an alert appended just before a crash (and not yet marked delivered) is not appended twice.
/// </summary>
public sealed class JsonlAlertSink(string name, string path) : IAlertSink
{
    private const int TailBytes = 1 << 20;

    public string Name => name;

    public bool TryDeliver(MonitorAlert alert, out string? error)
    {
        ArgumentNullException.ThrowIfNull(alert);
        error = null;
        try
        {
            using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            var from = Math.Max(0, stream.Length - TailBytes);
            var tail = new byte[stream.Length - from];
            stream.Position = from;
            stream.ReadExactly(tail);
            // The whole line, not just the id: a line torn by a crash mid-append holds the id but not the alert, and is
            // appended again (the outbox keeps the payload, so the line is the same bytes each time).
            var line = alert.ToJson();
            if (Encoding.UTF8.GetString(tail).Contains(line + "\n", StringComparison.Ordinal))
            {
                return true;
            }

            // A line cut by a crash mid-append is closed first, so the next alert starts on a line of its own.
            var prefix = tail.Length > 0 && tail[^1] != (byte)'\n' ? "\n" : string.Empty;
            stream.Position = stream.Length;
            stream.Write(Encoding.UTF8.GetBytes(prefix + line + "\n"));
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return false;
        }
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// RFC 5424 messages over UDP: facility auth, the severity of the rule, MSGID the rule, and the alert's fields as
/// structured data (its id too, so a collector can drop the copy a crash between send and record may cause).
/// </summary>
public sealed class SyslogAlertSink(string name, string host, int port) : IAlertSink
{
    private const int Facility = 4;
    private const string Enterprise = "alert@32473";
    private readonly UdpClient _udp = new();

    public string Name => name;

    public bool TryDeliver(MonitorAlert alert, out string? error)
    {
        ArgumentNullException.ThrowIfNull(alert);
        error = null;
        try
        {
            var bytes = Encoding.UTF8.GetBytes(Format(alert, Environment.MachineName));
            _udp.Send(bytes, bytes.Length, host, port);
            return true;
        }
        catch (SocketException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The RFC 5424 message of an alert.</summary>
    public static string Format(MonitorAlert alert, string hostname)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var severity = alert.Severity switch { "critical" => 2, "high" => 3, "medium" => 4, _ => 5 };
        var fields = new (string Name, string? Value)[]
        {
            ("id", alert.Id), ("rule", alert.Rule), ("level", Number(alert.Level)), ("account", alert.Account), ("organization", alert.Organization),
            ("unit", alert.Unit), ("day", alert.Day), ("count", Number(alert.Count)), ("threshold", Number(alert.Threshold)),
            ("reads", Number(alert.Reads)), ("distinct_files", Number(alert.DistinctFiles)), ("window_start", alert.WindowStart), ("window_end", alert.WindowEnd),
            ("run", Number(alert.Run)), ("subject_kind", alert.SubjectKind), ("subject", alert.Subject), ("assignment", alert.Assignment),
            ("role", alert.Role), ("holder_type", alert.HolderType), ("holder", alert.Holder), ("scope_before", alert.ScopeBefore),
            ("scope_after", alert.ScopeAfter), ("gate_rules", alert.GateRules is { } rules ? string.Join(",", rules) : null),
        };
        var data = string.Concat(fields.Where(f => f.Value is not null).Select(f => $" {f.Name}=\"{Param(f.Value!)}\""));
        var host = string.IsNullOrWhiteSpace(hostname) ? "-" : new string([.. hostname.Where(c => c is > ' ' and < (char)127)]);
        // A usage alert's text is the account's count on its day; an analysis alert's is its sentence.
        var text = alert.Message is { } message
            ? $"{alert.Rule}: {Clean(message)}"
            : $"{alert.Rule}: account {Clean(alert.Account ?? "-")} ({Clean(alert.Organization ?? "-")}) {Number(alert.Count)} on {alert.Day} (threshold {Number(alert.Threshold)})";
        return $"<{(Facility * 8) + severity}>1 {alert.DetectedAt} {host} accessanalyzer - {alert.Rule} [{Enterprise}{data}] {text}";

        static string? Number(long? n) => n?.ToString(CultureInfo.InvariantCulture);

        // RFC 5424 §6.3.3: '"', '\' and ']' are escaped in a parameter value.
        static string Param(string value) => Clean(value).Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);

        static string Clean(string value) => new([.. value.Select(c => char.IsControl(c) ? ' ' : c)]);
    }

    public void Dispose() => _udp.Dispose();
}

/// <summary>
/// The same RFC 5424 messages over TCP, each framed by its length in octets (RFC 6587 §3.4.1, as RFC 5425 frames them
/// over TLS): <c>LEN SP MSG</c>, so a message may hold any byte and a collector never splits or merges two. One
/// connection is kept open; a connection the collector closed is noticed before writing, and a failed write is tried
/// once more on a new connection. An alert counts as delivered once its frame was written to the socket (TCP has no
/// application acknowledgement: a collector that dies with it unread loses it); otherwise it stays pending and the
/// next cycle sends it again.
/// </summary>
public sealed class SyslogTcpAlertSink(string name, string host, int port) : IAlertSink
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private TcpClient? _client;

    public string Name => name;

    public bool TryDeliver(MonitorAlert alert, out string? error)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var message = Encoding.UTF8.GetBytes(SyslogAlertSink.Format(alert, Environment.MachineName));
        var frame = Frame(message);
        error = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var stream = Connected().GetStream();
                stream.Write(frame);
                stream.Flush();
                return true;
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
                error = ex.Message;
                Close();
            }
        }

        return false;
    }

    /// <summary>An octet-counted frame: the message's length in bytes, a space, the message.</summary>
    public static byte[] Frame(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var prefix = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ");
        return [.. prefix, .. message];
    }

    private TcpClient Connected()
    {
        // Readable with nothing to read: the collector closed its end (a write would seem to succeed, then be lost).
        if (_client is { Connected: true } open && !(open.Client.Poll(0, SelectMode.SelectRead) && open.Client.Available == 0))
        {
            return open;
        }

        Close();
        var client = new TcpClient { NoDelay = true, SendTimeout = (int)Timeout.TotalMilliseconds };
        try
        {
            if (!client.ConnectAsync(host, port).Wait(Timeout))
            {
                throw new IOException($"no connection to {host}:{port} within {Timeout.TotalSeconds} s");
            }
        }
        catch (AggregateException ex) when (ex.InnerException is SocketException inner)
        {
            client.Dispose();
            throw inner;
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return _client = client;
    }

    private void Close()
    {
        _client?.Dispose();
        _client = null;
    }

    public void Dispose() => Close();
}

/// <summary>
/// An HTTP POST of the alert's JSON with its id as the <c>Idempotency-Key</c>: a re-sent alert (after a crash, or a
/// retry whose answer was lost) carries the same key, so the receiver keeps one. Retried with backoff on network
/// errors, 408, 429 and 5xx; the bearer token comes from a file or the environment, never from the command line.
/// </summary>
public sealed class WebhookAlertSink : IAlertSink
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(2)];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _uri;
    private readonly string? _token;

    public WebhookAlertSink(string name, Uri uri, string? token)
    {
        Name = name;
        _uri = uri;
        _token = token;
    }

    public string Name { get; }

    public bool TryDeliver(MonitorAlert alert, out string? error)
    {
        ArgumentNullException.ThrowIfNull(alert);
        error = null;
        for (var attempt = 0; ; attempt++)
        {
            var retry = false;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _uri)
                {
                    Content = new StringContent(alert.ToJson(), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("Idempotency-Key", alert.Id);
                if (_token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                }

                using var response = _http.Send(request);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                error = $"HTTP {status}";
                retry = status is 408 or 429 or >= 500;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                error = ex.Message;
                retry = true;
            }

            if (!retry || attempt >= Backoff.Length)
            {
                return false;
            }

            Thread.Sleep(Backoff[attempt]);
        }
    }

    public void Dispose() => _http.Dispose();
}
