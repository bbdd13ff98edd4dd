using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Tests.Sources;

/// <summary>What <c>--transfer auto</c> decides from the dialect and the host, before a row is read.</summary>
public sealed class TransferTests
{
    [Theory]
    [InlineData(SourceKind.Sqlite, null, TransferMode.Stream)]
    [InlineData(SourceKind.Postgres, "localhost", TransferMode.Stream)]
    [InlineData(SourceKind.Postgres, "127.0.0.1", TransferMode.Stream)]
    [InlineData(SourceKind.Postgres, "::1", TransferMode.Stream)]
    [InlineData(SourceKind.Postgres, "/var/run/postgresql", TransferMode.Stream)]
    [InlineData(SourceKind.Postgres, "localhost,127.0.0.2", TransferMode.Stream)]
    [InlineData(SourceKind.Postgres, "pg.agency.local", TransferMode.Pushdown)]
    [InlineData(SourceKind.Postgres, "10.1.2.3", TransferMode.Pushdown)]
    [InlineData(SourceKind.Postgres, "localhost,pg.agency.local", TransferMode.Pushdown)]
    [InlineData(SourceKind.Postgres, null, TransferMode.Pushdown)]
    [InlineData(SourceKind.SqlServer, "127.0.0.1", TransferMode.Pushdown)]
    public void Auto_streams_from_a_local_database_and_pushes_down_to_a_remote_one(SourceKind kind, string? host, TransferMode expected)
    {
        var (mode, reason) = Transfer.Decide(TransferMode.Auto, kind, host);
        mode.Should().Be(expected);
        reason.Should().StartWith("auto: ");
    }

    [Theory]
    [InlineData(TransferMode.Stream)]
    [InlineData(TransferMode.Pushdown)]
    public void An_explicit_choice_is_kept_whatever_the_host(TransferMode requested)
    {
        Transfer.Decide(requested, SourceKind.Postgres, "pg.agency.local").Mode.Should().Be(requested);
        Transfer.Decide(requested, SourceKind.Sqlite, null).Mode.Should().Be(requested);
    }

    [Fact]
    public void The_postgres_host_comes_from_the_connection_string_and_nothing_else()
    {
        IDatabaseProvider provider = PostgresProvider.Instance;
        provider.Host("Host=127.0.0.1;Port=5432;Username=a;Password=secret").Should().Be("127.0.0.1");
        provider.Host("not a connection string").Should().BeNull();
        Transfer.Parse("STREAM").Should().Be(TransferMode.Stream);
        Transfer.Parse(null).Should().Be(TransferMode.Auto);
        Transfer.Parse("copy").Should().BeNull();
    }
}
