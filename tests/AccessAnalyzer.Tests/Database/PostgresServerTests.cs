using System.Net;
using System.Net.Sockets;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// The test server's start when its port is taken between the moment it is chosen and the server's bind: started
/// again on another port, a bounded number of times, and never silently connected to whatever holds the port.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests
{
    [PostgresFact]
    public void A_port_taken_before_the_server_binds_it_is_replaced_by_another()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var offered = new Queue<int>([taken, taken]);

        using var server = new PostgresServer(() => offered.Count > 0 ? offered.Dequeue() : PostgresServer.FreePort());

        server.StartAttempts.Should().Be(3, "the taken port was offered twice");
        server.Port.Should().NotBe(taken);
        server.Scalar("SHOW cluster_name").Should().Be(server.ClusterName);
        server.Scalar("SHOW listen_addresses").Should().Be("127.0.0.1");
    }

    [PostgresFact]
    public void A_port_that_stays_taken_fails_the_start_after_the_bounded_attempts()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var offers = 0;

        var start = () => new PostgresServer(() =>
        {
            offers++;
            return taken;
        });

        start.Should().Throw<InvalidOperationException>()
            .WithMessage($"PostgreSQL did not start on 127.0.0.1:{taken} (attempt {PostgresServer.MaxStartAttempts} of {PostgresServer.MaxStartAttempts})*could not bind*");
        offers.Should().Be(PostgresServer.MaxStartAttempts);
    }
}
