using System.Text;
using System.Text.Json;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// The evidence pack of a PostgreSQL source: the row count of each canonical table, counted by the server, the digest of
/// the rows read (the same as from the CSV files loaded), and never the connection string.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEvidenceTests(PostgresServer server) : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-pg-evidence-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [PostgresFact]
    public void A_postgres_source_is_identified_by_row_counts_and_the_digest_of_the_rows_read()
    {
        using var agency = new AgencyFixture()
            .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1").Unit("A2", "R1")
            .Files("a", "A1", 6).Files("b", "A2", 4, sensitive: true)
            .Role("read").Role("health", sensitive: true)
            .Principal("adv-1", unit: "A1").Principal("cap-1", kind: "partner", organization: "capemploi", unit: "R1", mfa: false)
            .Assign("X1", "read", "adv-1", scopeUnit: "A1").Assign("X2", "health", "cap-1", scopeUnit: "R1")
            .Caseload("a1", "adv-1").Caseload("a2", "adv-1").Caseload("b1", "cap-1");
        var csv = agency.WriteCsv();
        var schema = PostgresServer.NewSchema("evid");
        using (var connection = server.Open())
        {
            CanonicalLoader.LoadCsv(PostgresProvider.Instance, connection, new PostgresDialect(schema), csv);
        }

        var connectionString = server.ConnectionString();
        var options = new SourceOptions { Schema = schema, Environment = v => v == SourceResolver.ConnectionVariable ? connectionString : null };
        var source = new SourceResolver().Resolve("postgres", options);
        var inputs = InputFingerprinter.Of(source, source.Read().Tables);
        inputs.SourceKind.Should().Be("postgres");
        inputs.Files.Should().BeEmpty();
        inputs.Tables.Single(t => t.Table == "files").Rows.Should().Be(10);
        inputs.Tables.Single(t => t.Table == "caseload").Rows.Should().Be(3);
        inputs.Tables.Single(t => t.Table == "principals").Rows.Should().Be(2);
        inputs.RowsDigest.Should().Be(InputFingerprinter.RowsDigest(TestSources.Read(csv).Tables));

        var file = Path.Combine(_root, "connection");
        File.WriteAllText(file, connectionString);
        var pack = Path.Combine(_root, "pack");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        CliApp.Run(["report", "--source", "postgres", "--schema", schema, "--connection-file", file, "--as-of", "2026-06-30", "--evidence", pack],
            stdout, stderr).Should().Be(0, stderr.ToString());
        foreach (var name in new[] { "evidence.md", "evidence.html", "evidence.json" })
        {
            var text = File.ReadAllText(Path.Combine(pack, name), Encoding.UTF8);
            text.Should().NotContain(connectionString, $"{name} never holds the connection string");
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(pack, "evidence.json")));
        json.RootElement.GetProperty("inputs").GetProperty("rowsDigestSha256").GetString().Should().Be(inputs.RowsDigest);
        json.RootElement.GetProperty("commandLine").GetString().Should().Contain($"--connection-file {file}");
    }
}
