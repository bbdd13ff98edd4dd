using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Usage;

/// <summary>access_events aggregated by PostgreSQL (timestamps, not text) equals the SQLite aggregation of the same events.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUsageTests(PostgresServer server)
{
    [PostgresTheory]
    [InlineData(1)]
    [InlineData(2)]
    public void Should_aggregate_access_events_in_postgres_as_in_sqlite(int seed)
    {
        var (fixture, _) = UsageSourceTests.Build(seed);
        using var f = fixture;
        var directory = f.WriteCsv();
        var schema = PostgresServer.NewSchema("usage");
        using (var connection = server.Open())
        {
            CanonicalLoader.LoadCsv(PostgresProvider.Instance, connection, new PostgresDialect(schema), directory);
        }

        var connectionString = server.ConnectionString();
        var options = new SourceOptions { Schema = schema, Environment = v => v == SourceResolver.ConnectionVariable ? connectionString : null };
        var fromPostgres = new SourceResolver().Resolve("postgres", options).Read().Tables.Usage!;
        var fromSqlite = TestSources.Load(CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"))).Usage!;

        fromPostgres.Days.Should().Equal(fromSqlite.Days);
        fromPostgres.Principals.Should().Equal(fromSqlite.Principals);
        fromPostgres.Units.Should().Equal(fromSqlite.Units);
        (fromPostgres.Events, fromPostgres.EventsNamingMissingPrincipal, fromPostgres.EventsNamingMissingFile, fromPostgres.FirstDay, fromPostgres.LastDay)
            .Should().Be((fromSqlite.Events, fromSqlite.EventsNamingMissingPrincipal, fromSqlite.EventsNamingMissingFile, fromSqlite.FirstDay, fromSqlite.LastDay));
    }
}
