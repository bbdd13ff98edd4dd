using System.Net;
using System.Net.Sockets;
using System.Text;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sinks.Alerts;
using AccessAnalyzer.Sources.Monitor;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// <c>syslog+tcp:HOST:PORT</c>: RFC 5424 messages over TCP in octet-counting frames; a closed connection is replaced,
/// and an alert the collector could not take stays pending until it can.
/// </summary>
public sealed class MonitorSyslogTcpTests(MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    [Fact]
    public void Should_send_each_alert_in_one_octet_counted_frame()
    {
        var root = demo.Copy();
        var csv = Path.Combine(root, "csv");
        var state = Path.Combine(root, "state.db");
        using var collector = new TcpCollector();
        string[] cycle = ["monitor", "--source", csv, "--state", state, "--once", "--alert", $"syslog+tcp:127.0.0.1:{collector.Port}"];
        Alerts.Run(cycle).Exit.Should().Be(0);

        var day = demo.LastDay.AddDays(1);
        File.AppendAllText(Path.Combine(csv, "access_events.csv"), MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(1200), day));
        var (exit, _, error) = Alerts.Run(cycle);
        exit.Should().Be(0, error);
        static bool MassRead(string m, int level) => m.Contains(" mass-read [alert@32473", StringComparison.Ordinal) && m.Contains($"level=\"{level}\"", StringComparison.Ordinal);
        var first = collector.WaitFor(f => f.Any(m => MassRead(m, 1)));
        first.Count(m => MassRead(m, 1)).Should().Be(1);
        first.Should().OnlyContain(m => m.StartsWith("<3", StringComparison.Ordinal) && m.Contains("1 ", StringComparison.Ordinal) && m.Contains(" accessanalyzer - ", StringComparison.Ordinal));
        first.Single(m => MassRead(m, 1)).Should().StartWith("<34>1 ");

        File.AppendAllText(Path.Combine(csv, "access_events.csv"), MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Skip(1200).Take(10_000), day, 2000));
        (exit, _, error) = Alerts.Run(cycle);
        exit.Should().Be(0, error);
        collector.WaitFor(f => f.Any(m => MassRead(m, 2))).Count(m => MassRead(m, 2)).Should().Be(1);
    }

    [Fact]
    public void Should_reconnect_when_the_collector_dropped_the_connection()
    {
        using var collector = new TcpCollector();
        using var sink = (SyslogTcpAlertSink)AlertSinks.Parse($"syslog+tcp:127.0.0.1:{collector.Port}", null, out _)!;
        sink.TryDeliver(Alert() with { Id = "first" }, out var error).Should().BeTrue(error);
        collector.WaitFor(f => f.Count == 1).Should().ContainSingle();

        // A write into a connection the collector closed would seem to succeed and be lost.
        collector.DropConnections();
        sink.TryDeliver(Alert() with { Id = "second" }, out error).Should().BeTrue(error);
        collector.WaitFor(f => f.Count == 2).Should().HaveCount(2).And.Contain(m => m.Contains("id=\"second\"", StringComparison.Ordinal));
        collector.Connections.Should().Be(2);
    }

    [Fact]
    public void Should_keep_an_alert_pending_while_no_collector_listens_and_send_it_once_one_does()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var sink = (SyslogTcpAlertSink)AlertSinks.Parse($"syslog+tcp:127.0.0.1:{port}", null, out _)!;
        var alert = Alert();
        sink.TryDeliver(alert, out var error).Should().BeFalse();
        error.Should().NotBeNullOrEmpty();

        using var collector = new TcpCollector(port);
        sink.TryDeliver(alert, out error).Should().BeTrue(error);
        collector.WaitFor(f => f.Count > 0).Should().ContainSingle().Which.Should().Contain("id=\"0123\"");
    }

    [Fact]
    public void Should_frame_by_the_message_length_in_bytes_and_refuse_a_spec_without_a_port()
    {
        Encoding.UTF8.GetString(SyslogTcpAlertSink.Frame(Encoding.UTF8.GetBytes("<34>1 é"))).Should().Be("8 <34>1 é");
        AlertSinks.Parse("syslog+tcp:collector", null, out var error).Should().BeNull();
        error.Should().Contain("syslog+tcp:HOST:PORT");
    }

    private static MonitorAlert Alert() => new()
    {
        Id = "0123",
        Rule = UsageRules.MassRead,
        Severity = "critical",
        Level = 1,
        Account = "a",
        Organization = "org",
        Day = "2026-11-24",
        Count = 2,
        Threshold = 1,
        Reads = 2,
        DistinctFiles = 2,
        OutsideCaseload = 0,
        SensitiveOutsideCaseload = 0,
        WindowStart = "s",
        WindowEnd = "e",
        DetectedAt = "2026-11-24T09:00:01.000Z",
    };
}

/// <summary>A TCP syslog collector on 127.0.0.1 that parses octet-counted frames (RFC 6587 §3.4.1).</summary>
public sealed class TcpCollector : IDisposable
{
    private readonly TcpListener _listener;
    private readonly List<TcpClient> _connections = [];
    private readonly List<string> _frames = [];
    private readonly CancellationTokenSource _stop = new();

    public TcpCollector(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections { get; private set; }

    /// <summary>The frames received, waiting up to 10 s for them to satisfy <paramref name="enough"/>.</summary>
    public List<string> WaitFor(Func<List<string>, bool> enough)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            lock (_frames)
            {
                if (enough(_frames) || DateTime.UtcNow > deadline)
                {
                    return [.. _frames];
                }
            }

            Thread.Sleep(50);
        }
    }

    public void DropConnections()
    {
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }

        Thread.Sleep(100);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(client);
                Connections++;
            }

            _ = Task.Run(() => ReadAsync(client));
        }
    }

    private async Task ReadAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var one = new byte[1];
            while (true)
            {
                // LEN SP MSG: digits up to the space, then exactly LEN bytes.
                var length = 0;
                while (true)
                {
                    if (await stream.ReadAsync(one) == 0)
                    {
                        return;
                    }

                    if (one[0] == (byte)' ')
                    {
                        break;
                    }

                    one[0].Should().BeInRange((byte)'0', (byte)'9');
                    length = (length * 10) + (one[0] - '0');
                }

                var message = new byte[length];
                await stream.ReadExactlyAsync(message);
                lock (_frames)
                {
                    _frames.Add(Encoding.UTF8.GetString(message));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or EndOfStreamException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        DropConnections();
        _stop.Dispose();
    }
}
