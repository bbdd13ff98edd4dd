using System.Text.Json;
using AccessAnalyzer.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>
/// What the commands do with the source they were given, decided by the resolver alone: <c>--store</c> into the
/// source's own database, SARIF locations, <c>explain --file</c>, and <c>--before</c> of diff and gate.
/// </summary>
public sealed class SourceCliTests : IDisposable
{
    private const string AsOf = "2026-06-30";

    private readonly AgencyFixture _agency = new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Files("a", "A1", 3).File("s1", "A1", sensitive: true).Role("read")
        .Principal("P1", kind: "partner", unit: "A1").Principal("S1", unit: "A1")
        .Assign("X1", "read", "P1", scopeUnit: "NAT").Assign("X2", "read", "S1", scope: "caseload")
        .Caseload("a1", "P1").Caseload("a2", "S1").Share("s1", "S1");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _agency.Dispose();
    }

    private string Sqlite()
    {
        var directory = _agency.WriteCsv();
        return CsvToSqlite.Copy(directory, Path.Combine(directory, "agency.db"));
    }

    [Fact]
    public void Store_on_an_sqlite_source_writes_the_run_into_that_file()
    {
        var database = Sqlite();
        var (exit, _, error) = AnalyzeCliTests.Run("analyze", "--source", database, "--as-of", AsOf, "--format", "json", "--store");
        exit.Should().Be(0, error);
        error.Should().StartWith("stored run ").And.EndWith($" in {database}{Environment.NewLine}");

        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), max(source_name) FROM report_runs";
        using var reader = command.ExecuteReader();
        reader.Read().Should().BeTrue();
        reader.GetInt64(0).Should().Be(1);
        reader.GetString(1).Should().Be(database);
    }

    [Fact]
    public void Store_to_a_directory_is_refused_with_exit_2()
    {
        var directory = _agency.WriteCsv();
        var (exit, _, error) = AnalyzeCliTests.Run("analyze", "--source", directory, "--as-of", AsOf, "--store-to", directory);
        exit.Should().Be(2);
        error.Should().Be($"error: {directory}: a directory cannot hold report tables (expected postgres, sqlserver or an SQLite file, created if missing){Environment.NewLine}");
    }

    [Fact]
    public void Gate_sarif_locates_a_database_finding_by_table_and_key_and_a_csv_one_by_file()
    {
        var database = Sqlite();
        var directory = _agency.Directory;
        var policy = Path.Combine(directory, "policy.json");
        File.WriteAllText(policy, "{ \"version\": 1, \"maxExcessPerPrincipal\": 0 }");

        JsonElement Location(string source)
        {
            var (exit, output, error) = AnalyzeCliTests.Run("gate", "--source", source, "--policy", policy, "--as-of", AsOf, "--format", "sarif");
            exit.Should().Be(1, error);
            return JsonDocument.Parse(output).RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("locations")[0].Clone();
        }

        // A table is no file: the database row is located logically, by table and key, with its row number.
        var inDatabase = Location(database);
        inDatabase.TryGetProperty("physicalLocation", out _).Should().BeFalse();
        inDatabase.GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString().Should().Be("principals/P1");
        inDatabase.GetProperty("properties").GetProperty("table").GetString().Should().Be("principals");
        inDatabase.GetProperty("properties").GetProperty("row").GetInt64().Should().Be(1);

        var inCsv = Location(directory);
        inCsv.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString().Should().EndWith("/principals.csv");
        inCsv.GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString().Should().Be("principals/P1");
    }

    [Fact]
    public void Explain_file_looks_the_file_up_in_an_sqlite_source()
    {
        var database = Sqlite();
        var fromSqlite = AnalyzeCliTests.Run("explain", "--source", database, "--file", "s1", "--as-of", AsOf, "--format", "json");
        fromSqlite.Exit.Should().Be(0, fromSqlite.Err);
        var fromCsv = AnalyzeCliTests.Run("explain", "--source", _agency.Directory, "--file", "s1", "--as-of", AsOf, "--format", "json");
        fromCsv.Out.Replace(database, _agency.Directory, StringComparison.Ordinal).Should().Be(fromSqlite.Out.Replace(database, _agency.Directory, StringComparison.Ordinal));
        fromSqlite.Out.Should().Contain("\"S1\"");
    }

    [Theory]
    [InlineData("diff", "--after")]
    [InlineData("gate", "--source")]
    public void A_missing_before_is_one_line_and_exit_2(string command, string other)
    {
        var directory = _agency.WriteCsv();
        var missing = Path.Combine(directory, "nope");
        string[] args = command == "gate"
            ? ["gate", "--before", missing, other, directory, "--policy", WritePolicy(directory)]
            : ["diff", "--before", missing, other, directory];
        var (exit, output, error) = AnalyzeCliTests.Run(args);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be($"error: --before: source '{missing}' not found (expected a directory of canonical CSV files, an SQLite database file, " +
            $"or postgres or sqlserver with --connection-file or AA_CONNECTION){Environment.NewLine}");
    }

    private static string WritePolicy(string directory)
    {
        var path = Path.Combine(directory, "policy.json");
        File.WriteAllText(path, "{ \"version\": 1 }");
        return path;
    }
}
