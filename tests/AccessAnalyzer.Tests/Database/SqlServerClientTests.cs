using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AccessAnalyzer.Tests.Cli;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// No SQL Server runs here, so the real client is tested up to where a server would answer: the shipped executable,
/// with its own runtime configuration, must reach a TCP listener on 127.0.0.1 and send a TDS pre-login packet (type
/// 0x12), then report the listener hanging up as one line naming the server, exit 2, no stack trace and no secret.
/// </summary>
public sealed class SqlServerClientTests : IDisposable
{
    private const byte PreLogin = 0x12;

    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-mssql-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("analyze", "--source", "sqlserver")]
    [InlineData("db", "init", "--dialect", "sqlserver")]
    public async Task The_client_sends_a_tds_pre_login_and_reports_the_refusal_in_one_line(params string[] command)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = new ConcurrentQueue<byte[]>();
        using var stop = new CancellationTokenSource();
        var accepting = Refuse(listener, received, stop.Token);

        var connectionFile = Path.Combine(_root, "connection");
        File.WriteAllText(connectionFile,
            $"Server=tcp:127.0.0.1,{port};Database=agency;User ID=auditor;Password=hunter2-secret;Connect Timeout=15;Pooling=false\n");
        if (!OperatingSystem.IsWindows())
        {
            // Readable by others, the file would add a warning line.
            File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var (exit, output, error) = await CliProcess.RunAsync([.. command, "--connection-file", connectionFile]);
        await stop.CancelAsync();
        listener.Stop();
        await accepting;

        received.Should().NotBeEmpty("the client must reach the listener (it sent nothing at all when globalization-invariant mode stopped it)");
        received.Should().OnlyContain(first => first.Length > 0 && first[0] == PreLogin, "a TDS client opens with a pre-login packet");
        exit.Should().Be(2, error);
        output.Should().BeEmpty();
        error.Should().StartWith($"error: sqlserver:tcp:127.0.0.1,{port}/agency: cannot connect: ");
        error.TrimEnd('\n').Split('\n').Should().ContainSingle(error);
        error.Should().NotContain("hunter2").And.NotContain("Password").And.NotContain("auditor").And.NotContain("   at ")
            .And.NotContain("invariant", "the client must not be stopped by the globalization mode");
    }

    /// <summary>Accepts every connection, keeps the first bytes the client sends, then hangs up: a server that refuses.</summary>
    private static async Task Refuse(TcpListener listener, ConcurrentQueue<byte[]> received, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (socket)
            {
                var buffer = new byte[8];
                var count = 0;
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                wait.CancelAfter(TimeSpan.FromSeconds(20));
                try
                {
                    count = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException)
                {
                    // Nothing sent before the wait ended: recorded as an empty packet.
                }

                received.Enqueue(buffer[..count]);
            }
        }
    }
}
