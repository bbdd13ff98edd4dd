using System.Data.Common;
using System.Text.Json;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Store;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// Reading stored runs back: oldest first, every figure as stored, and the distinct figures null for the runs stored
/// before report_runs had those columns. The same checks on every database that runs here.
/// </summary>
public abstract class TrendChecks : IDisposable
{
    protected TrendChecks() =>
        Root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "aa-trend-" + Guid.NewGuid().ToString("N"))).FullName;

    protected string Root { get; }

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected abstract (DbConnection Connection, ISqlDialect Dialect) OpenEmpty();

    /// <summary>Two agencies: the second grants the partners the whole region, so it has more excess.</summary>
    internal static (AnalysisReport Before, AnalysisReport After) TwoReports()
    {
        static AgencyFixture Agency() => new AgencyFixture()
            .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1").Unit("A2", "R1")
            .Files("a", "A1", 6).Files("b", "A2", 4, sensitive: true)
            .Role("read").Role("health", sensitive: true)
            .Principal("adv-1", unit: "A1").Principal("cap-1", kind: "partner", organization: "capemploi", unit: "R1", mfa: false)
            .Assign("X1", "read", "adv-1", scopeUnit: "A1").Caseload("a1", "adv-1").Caseload("b1", "cap-1");
        using var before = Agency();
        using var after = Agency().Assign("X2", "health", "cap-1", scopeUnit: "R1");
        return (before.Report(new ReportOptions()), after.Report(new ReportOptions()));
    }

    protected void Runs_read_back_oldest_first_with_null_distinct_figures_before_the_columns_existed()
    {
        var (before, after) = TwoReports();
        var (connection, dialect) = OpenEmpty();
        using (connection)
        {
            ReportHistory.Read(connection, dialect).Should().BeEmpty("a store without report tables has no runs");
            var store = new ReportStore(connection, dialect);
            store.EnsureTables();
            var first = store.Write(new StoredRun { ToolVersion = "0.1.0", Report = before });
            var second = store.Write(new StoredRun { ToolVersion = "0.2.0", Report = after });

            // A store made before the distinct columns existed gets them added; old rows keep NULL.
            var columns = Columns(connection, dialect);
            foreach (var column in new[] { "distinct_reachable_files", "distinct_excess_files", "distinct_sensitive_excess_files", "distinct_phishable_files" })
            {
                if (!columns.Contains(column))
                {
                    Execute(connection, $"ALTER TABLE {dialect.Table("report_runs")} ADD {dialect.Quote(column)} BIGINT");
                }
            }

            Execute(connection, $"UPDATE {dialect.Table("report_runs")} SET {dialect.Quote("distinct_excess_files")} = NULL, " +
                $"{dialect.Quote("distinct_phishable_files")} = NULL WHERE {dialect.Quote("tool_version")} = '0.1.0'");
            Execute(connection, $"UPDATE {dialect.Table("report_runs")} SET {dialect.Quote("distinct_excess_files")} = 7 " +
                $"WHERE {dialect.Quote("tool_version")} = '0.2.0'");

            var runs = ReportHistory.Read(connection, dialect);
            runs.Select(r => r.RunId).Should().Equal(first, second);
            runs[0].ExcessExposure.Should().Be(before.Totals.ExcessExposure);
            runs[1].ExcessExposure.Should().Be(after.Totals.ExcessExposure).And.BeGreaterThan(runs[0].ExcessExposure);
            runs[1].SensitiveExcessExposure.Should().Be(after.Totals.SensitiveExcessExposure);
            runs[1].Principals.Should().Be(2);
            runs[1].Findings.Should().Be(after.Findings.Count);
            runs[1].ToolVersion.Should().Be("0.2.0");
            runs[1].AsOf.Should().Be(after.Header.AsOf);
            runs[0].DistinctExcessFiles.Should().BeNull();
            runs[0].DistinctPhishableFiles.Should().BeNull();
            runs[1].DistinctExcessFiles.Should().Be(7);
            runs[1].StoredAt.Should().BeOnOrAfter(runs[0].StoredAt.AddSeconds(-1));
        }
    }

    private static HashSet<string> Columns(DbConnection connection, ISqlDialect dialect)
    {
        using var command = connection.CreateCommand();
        command.CommandText = dialect.ColumnsSql("report_runs");
        using var reader = command.ExecuteReader();
        return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

public sealed class SqliteTrendTests : TrendChecks
{
    protected override (DbConnection Connection, ISqlDialect Dialect) OpenEmpty() =>
        (SqliteProvider.Instance.Open(Path.Combine(Root, "reports-" + Guid.NewGuid().ToString("N") + ".db")), SqliteDialect.Instance);

    [Fact]
    public void Sqlite_runs_read_back_oldest_first() => Runs_read_back_oldest_first_with_null_distinct_figures_before_the_columns_existed();

    [Fact]
    public void Trend_shows_two_runs_stored_by_analyze_with_the_change_since_the_previous_run()
    {
        var (beforeDir, afterDir) = (Path.Combine(Root, "before"), Path.Combine(Root, "after"));
        var store = Path.Combine(Root, "runs.db");
        WriteAgencies(beforeDir, afterDir);
        Cli("analyze", "--source", beforeDir, "--as-of", "2026-06-30", "--store-to", store, "--quiet").Exit.Should().Be(0);
        Cli("analyze", "--source", afterDir, "--as-of", "2026-07-31", "--store-to", store, "--quiet").Exit.Should().Be(0);
        var json = Cli("trend", "--history", store, "--format", "json");
        json.Exit.Should().Be(0, json.Err);
        using var document = JsonDocument.Parse(json.Out);
        var runs = document.RootElement.GetProperty("runs").EnumerateArray().ToList();
        runs.Should().HaveCount(2);
        runs[0].GetProperty("asOf").GetString().Should().Be("2026-06-30");
        runs[1].GetProperty("asOf").GetString().Should().Be("2026-07-31");
        runs[0].GetProperty("changeSincePrevious").ValueKind.Should().Be(JsonValueKind.Null);
        var excess = runs.Select(r => r.GetProperty("excessExposure").GetInt64()).ToList();
        excess[1].Should().BeGreaterThan(excess[0]);
        var change = runs[1].GetProperty("changeSincePrevious");
        change.GetProperty("excessExposure").GetInt64().Should().Be(excess[1] - excess[0]);
        foreach (var distinct in new[] { "distinctExcessFiles", "distinctPhishableFiles" })
        {
            // Null on both sides until the store keeps distinct figures; then the change is the difference.
            if (runs[1].GetProperty(distinct).ValueKind == JsonValueKind.Null || runs[0].GetProperty(distinct).ValueKind == JsonValueKind.Null)
            {
                change.GetProperty(distinct).ValueKind.Should().Be(JsonValueKind.Null);
            }
            else
            {
                change.GetProperty(distinct).GetInt64().Should().Be(runs[1].GetProperty(distinct).GetInt64() - runs[0].GetProperty(distinct).GetInt64());
            }
        }

        var table = Cli("trend", "--history", store);
        table.Exit.Should().Be(0, table.Err);
        table.Out.Should().Contain("2 stored run(s)").And.Contain($"{excess[1]:N0} (+{excess[1] - excess[0]:N0})");

        var output = Path.Combine(Root, "trend.md");
        Cli("trend", "--history", store, "--format", "markdown", "--lang", "fr", "--output", output).Exit.Should().Be(0);
        var markdown = File.ReadAllText(output);
        markdown.Should().StartWith("# Évolution des analyses enregistrées").And.Contain("| Excédent |").And.Contain("30/06/2026");

        // The evidence pack reads the same history: the change since the first stored run.
        var pack = Path.Combine(Root, "pack");
        var report = Cli("report", "--source", afterDir, "--as-of", "2026-07-31", "--evidence", pack, "--history", store);
        report.Exit.Should().Be(0, report.Err);
        using var evidence = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(pack, "evidence.json")));
        evidence.RootElement.GetProperty("history").GetProperty("runs").GetInt32().Should().Be(2);
        var figure = evidence.RootElement.GetProperty("points")[0].GetProperty("figures").EnumerateArray()
            .Single(f => f.GetProperty("figure").GetString() == "excessExposure");
        figure.GetProperty("firstStoredRun").GetInt64().Should().Be(excess[0]);
        figure.GetProperty("changeSinceFirstRun").GetInt64().Should().Be(figure.GetProperty("current").GetInt64() - excess[0]);

        // The HTML report draws its trend from the same reader.
        var html = Path.Combine(Root, "report.html");
        var both = Cli("report", "--source", afterDir, "--as-of", "2026-07-31", "--html", html, "--history", store);
        both.Exit.Should().Be(0, both.Err);
        File.Exists(html).Should().BeTrue();
    }

    [Fact]
    public void History_must_name_an_existing_store()
    {
        var missing = Path.Combine(Root, "missing.db");
        var result = Cli("trend", "--history", missing);
        result.Exit.Should().Be(2);
        result.Err.Should().Contain("--history");
        File.Exists(missing).Should().BeFalse("reading history never creates a store");
    }

    private static void WriteAgencies(string beforeDir, string afterDir)
    {
        static AgencyFixture Agency() => new AgencyFixture()
            .Unit("NAT", kind: "national").Unit("R1", "NAT", "region").Unit("A1", "R1").Unit("A2", "R1")
            .Files("a", "A1", 6).Files("b", "A2", 4, sensitive: true)
            .Role("read").Role("health", sensitive: true)
            .Principal("adv-1", unit: "A1").Principal("cap-1", kind: "partner", organization: "capemploi", unit: "R1", mfa: false)
            .Assign("X1", "read", "adv-1", scopeUnit: "A1").Caseload("a1", "adv-1").Caseload("b1", "cap-1");
        using var before = Agency();
        using var after = Agency().Assign("X2", "health", "cap-1", scopeUnit: "R1");
        CopyDirectory(before.WriteCsv(), beforeDir);
        CopyDirectory(after.WriteCsv(), afterDir);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static (int Exit, string Out, string Err) Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTrendTests(PostgresServer server) : TrendChecks
{
    protected override (DbConnection Connection, ISqlDialect Dialect) OpenEmpty() =>
        (server.Open(), new PostgresDialect(PostgresServer.NewSchema("trend")));

    [PostgresFact]
    public void Postgres_runs_read_back_oldest_first() => Runs_read_back_oldest_first_with_null_distinct_figures_before_the_columns_existed();

    [PostgresFact]
    public void Trend_reads_a_postgres_store_through_the_connection_string_of_the_environment()
    {
        var (before, after) = TwoReports();
        var schema = PostgresServer.NewSchema("trcli");
        using (var connection = server.Open())
        {
            var store = new ReportStore(connection, new PostgresDialect(schema));
            store.EnsureTables();
            store.Write(new StoredRun { ToolVersion = "0.1.0", Report = before });
            store.Write(new StoredRun { ToolVersion = "0.1.0", Report = after });
        }

        var file = Path.Combine(Root, "connection");
        File.WriteAllText(file, server.ConnectionString());
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CliApp.Run(["trend", "--history", "postgres", "--schema", schema, "--connection-file", file, "--format", "json"], stdout, stderr);
        exit.Should().Be(0, stderr.ToString());
        using var document = JsonDocument.Parse(stdout.ToString());
        var runs = document.RootElement.GetProperty("runs").EnumerateArray().ToList();
        runs.Should().HaveCount(2);
        runs[1].GetProperty("changeSincePrevious").GetProperty("excessExposure").GetInt64()
            .Should().Be(after.Totals.ExcessExposure - before.Totals.ExcessExposure);
        document.RootElement.GetProperty("store").GetString().Should().NotContain("Password");
    }
}
