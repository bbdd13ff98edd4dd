using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;
using AccessAnalyzer.Tests.Reference;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// The PostgreSQL source against a real server: the demo and random datasets loaded with <c>db load</c> give the
/// same snapshot and the same report as SQLite and CSV; rows transferred stay of the order of units + principals +
/// assignments; the least-privilege self-check tells the owner from a read-only login.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSourceTests(PostgresServer server) : IDisposable
{
    private static readonly ToolStamp Stamp = new("AccessAnalyzer", "0.0.0");

    private static readonly DateOnly AsOf = new(2026, 11, 23);

    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-pg-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [PostgresFact]
    public void Demo_loaded_into_postgres_gives_the_same_snapshot_and_report_as_sqlite()
    {
        var (csv, sqlite, summary) = GenerateDemo(seed: 42);
        var schema = PostgresServer.NewSchema("demo");
        var loaded = Load(csv, schema);
        loaded.RowsPerTable["files"].Should().Be(summary.Counts.Files);
        loaded.RowsPerTable["caseload"].Should().Be(summary.Counts.Caseload);

        var fromPostgres = Read(schema, new SourceOptions { Transfer = TransferMode.Pushdown });
        var (fromSqlite, sqliteRows, _) = TestSources.Read(sqlite, TransferMode.Pushdown);
        var pgSnapshot = SnapshotBuilder.Build(fromPostgres.Tables);
        var sqliteSnapshot = SnapshotBuilder.Build(fromSqlite);

        SnapshotComparer.Describe(pgSnapshot).Should().Be(SnapshotComparer.Describe(sqliteSnapshot));
        Json(pgSnapshot, AsOf).Should().Be(Json(sqliteSnapshot, AsOf));

        // Streamed into the CSV pipeline: the same report; auto streams from this loopback server.
        var streamed = Read(schema);
        streamed.Transfer.Should().Be(TransferMode.Stream);
        Json(streamed.Snapshot(), AsOf).Should().Be(Json(pgSnapshot, AsOf));
        // Both run the same queries for the canonical tables; the access log differs on purpose: PostgreSQL returns
        // GROUP BY results, SQLite (in-process) one sorted scan aggregated by the client.
        var usage = fromPostgres.Tables.Usage!;
        (fromPostgres.RowsRead - usage.Days.Count - usage.Principals.Count - usage.Units.Count).Should().Be(sqliteRows);
    }

    [PostgresFact]
    public void Rows_transferred_are_aggregates_and_caseload_pairs_never_the_files_table()
    {
        var (csv, _, summary) = GenerateDemo(seed: 7);
        var schema = PostgresServer.NewSchema("rows");
        Load(csv, schema);

        var result = Read(schema, new SourceOptions { Transfer = TransferMode.Pushdown });
        var t = result.Tables;
        var c = summary.Counts;
        long smallTables = c.OrgUnits + c.Principals + c.Groups + c.Memberships + c.Roles + c.Assignments + c.AccountPolicies + c.Justifications;
        var usage = t.Usage!;
        long usageRows = 1 /* event counts */ + usage.Days.Count + usage.Principals.Count + usage.Units.Count;
        // The distinct figures need to know which caseloads name the same file: one row per distinct caseload pair.
        long caseloadPairs = t.FileLinks.Caseload.Sum(x => (long)x.Files.Count);
        long expected = smallTables + 1 /* files.id declared unique: no duplicate scan */ + t.FileCounts.Count + t.CaseloadCounts.Count
            + caseloadPairs + t.Shares.Count + usageRows;
        result.RowsRead.Should().Be(expected);
        caseloadPairs.Should().BeLessThanOrEqualTo(c.Caseload);

        // The aggregates are bounded by the small tables, not by the files: at most 4 classes per unit, and a
        // principal's caseload spreads over a handful of units.
        t.FileCounts.Count.Should().BeLessThanOrEqualTo(4 * c.OrgUnits);
        t.CaseloadCounts.Select(x => x.PrincipalId).Distinct().Count().Should().BeLessThanOrEqualTo(c.Principals);
        (result.RowsRead - usageRows - caseloadPairs).Should().BeLessThan(c.Files / 2).And.BeLessThan(c.Caseload / 4);

        // The access log arrives as rows per (principal, day) and (principal, unit): bounded by principals × log days
        // and principals × units, whatever the number of events.
        var logDays = usage.LastDay!.Value.DayNumber - usage.FirstDay!.Value.DayNumber + 1;
        usage.Days.Count.Should().BeLessThanOrEqualTo(c.Principals * logDays);
        usage.Units.Count.Should().BeLessThanOrEqualTo(c.Principals * c.OrgUnits);
        usage.Days.Count.Should().BeLessThan((int)usage.Events);
    }

    [PostgresTheory]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(31)]
    public void Random_datasets_give_the_same_snapshot_and_report_from_postgres_and_csv(int seed)
    {
        var dataset = RandomDataset.Create(seed);
        var directory = Directory.CreateDirectory(Path.Combine(_root, "random-" + seed)).FullName;
        dataset.WriteCsv(directory);
        var schema = PostgresServer.NewSchema("rnd");
        Load(directory, schema);

        var fromPostgres = SnapshotBuilder.Build(Read(schema, new SourceOptions { Transfer = TransferMode.Pushdown }).Tables);
        var streamed = Read(schema, new SourceOptions { Transfer = TransferMode.Stream }).Snapshot();
        Json(streamed, dataset.AsOf).Should().Be(Json(fromPostgres, dataset.AsOf), "streamed, " + dataset);
        var fromCsv = TestSources.Load(directory);
        SnapshotComparer.Describe(fromPostgres, emptyTablesAsAbsent: true).Should().Be(SnapshotComparer.Describe(fromCsv, emptyTablesAsAbsent: true), dataset.ToString());
        Json(fromPostgres, dataset.AsOf, emptyTablesAsAbsent: true).Should().Be(Json(fromCsv, dataset.AsOf, emptyTablesAsAbsent: true), dataset.ToString());
    }

    [PostgresFact]
    public void Owner_login_is_warned_that_it_can_modify_the_input_and_a_reader_is_not()
    {
        var (csv, _, _) = GenerateDemo(seed: 5);
        var schema = PostgresServer.NewSchema("priv");
        Load(csv, schema);
        using (var connection = server.Open())
        {
            CanonicalLoader.InitReports(connection, new PostgresDialect(schema));
            CanonicalLoader.Run(connection, new PostgresDialect(schema), SqlScripts.Statements("postgres", SqlScripts.Grants, schema));
        }

        var reader = "reader_" + schema;
        server.Execute($"CREATE ROLE {reader} LOGIN IN ROLE aa_reader");

        using var ownerWarnings = new StringWriter();
        var owner = Read(schema, new SourceOptions { Warnings = ownerWarnings });
        owner.WritableInputTables.Should().Contain(["files", "caseload", "principals"]);
        ownerWarnings.ToString().Should().StartWith("warning: the login can modify input tables (")
            .And.Contain($"{schema}.files").And.Contain("aa_reader").And.NotContain("Host=").And.NotContain("127.0.0.1");

        using var readerWarnings = new StringWriter();
        var asReader = Read(schema, new SourceOptions { Warnings = readerWarnings, RequireReadOnly = true }, reader);
        asReader.WritableInputTables.Should().BeEmpty();
        readerWarnings.ToString().Should().BeEmpty();
        SnapshotComparer.Describe(asReader.Snapshot()).Should().Be(SnapshotComparer.Describe(owner.Snapshot()));

        var strict = () => Read(schema, new SourceOptions { RequireReadOnly = true });
        strict.Should().Throw<InputErrorException>().WithMessage("*--require-read-only: the login can modify input tables*");

        // The reader cannot write, which is the point of the role.
        using var readerConnection = server.Open(reader);
        using var insert = readerConnection.CreateCommand();
        insert.CommandText = $"INSERT INTO {schema}.groups (id, name) VALUES ('x', 'x')";
        insert.Invoking(i => i.ExecuteNonQuery()).Should().Throw<Npgsql.PostgresException>().Which.SqlState.Should().Be("42501");
    }

    [PostgresFact]
    public void Load_rejects_a_bad_cell_with_its_location_and_loads_nothing()
    {
        var dataset = RandomDataset.Create(4);
        var directory = Directory.CreateDirectory(Path.Combine(_root, "bad")).FullName;
        dataset.WriteCsv(directory);
        var lines = File.ReadAllLines(Path.Combine(directory, "files.csv"));
        var cells = lines[1].Split(',');
        cells[^1] = "perhaps";
        lines[1] = string.Join(',', cells);
        File.WriteAllLines(Path.Combine(directory, "files.csv"), lines);

        var schema = PostgresServer.NewSchema("bad");
        var load = () => Load(directory, schema);
        load.Should().Throw<InputErrorException>().WithMessage("files.csv:2: closed (column 4): <value withheld> is not a boolean*");
        server.Scalar($"SELECT count(*) FROM {schema}.org_units").Should().Be(0L, "the load is one transaction");

        // A second load into tables that already hold rows is refused rather than mixed.
        var good = Directory.CreateDirectory(Path.Combine(_root, "good")).FullName;
        dataset.WriteCsv(good);
        Load(good, schema);
        var again = () => Load(good, schema);
        again.Should().Throw<InputErrorException>().WithMessage($"{schema}.org_units: already holds rows*");
    }

    [PostgresFact]
    public void Missing_connection_string_and_bad_schema_are_bad_input_without_echoing_secrets()
    {
        var resolver = new SourceResolver();
        var none = () => resolver.Resolve("postgres", new SourceOptions { Environment = _ => null }).Read();
        none.Should().Throw<InputErrorException>().WithMessage("*set AA_CONNECTION or pass --connection-file*");

        var secret = server.ConnectionString() + ";Password=hunter2";
        var badSchema = () => resolver.Resolve("postgres", new SourceOptions { Schema = "No-Such", Environment = _ => secret }).Read();
        badSchema.Should().Throw<InputErrorException>().Which.Message.Should().NotContain("hunter2");

        var missing = () => resolver.Resolve("postgres", new SourceOptions { Schema = "nothing_here", Environment = _ => secret }).Read();
        missing.Should().Throw<InputErrorException>().WithMessage("nothing_here.org_units: required table 'nothing_here.org_units' is missing: create it, or a view of that name over the agency's own table (mapping template: accessanalyzer db template --dialect postgres, or sql/postgres/mapping-template.sql)")
            .Which.Message.Should().NotContain("hunter2");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private (string Csv, string Sqlite, DemoSummary Summary) GenerateDemo(int seed)
    {
        var csv = Path.Combine(_root, "demo-csv-" + seed);
        var sqlite = Path.Combine(_root, "demo-" + seed + ".db");
        using var csvWriter = new CsvCanonicalWriter(csv);
        using var sqliteWriter = new SqliteCanonicalWriter(sqlite);
        var summary = DemoGenerator.Generate(new DemoOptions(DemoScale.Small, seed, AsOf), [csvWriter, sqliteWriter]);
        return (csv, sqlite, summary);
    }

    private LoadSummary Load(string csvDirectory, string schema)
    {
        using var connection = server.Open();
        return CanonicalLoader.LoadCsv(PostgresProvider.Instance, connection, new PostgresDialect(schema), csvDirectory);
    }

    private SourceReadResult Read(string schema, SourceOptions? options = null, string user = "postgres")
    {
        var connectionString = server.ConnectionString(user);
        options = (options ?? new SourceOptions()) with { Schema = schema, Environment = v => v == SourceResolver.ConnectionVariable ? connectionString : null };
        return new SourceResolver().Resolve("postgres", options).Read();
    }

    /// <summary>The JSON report, minus the one line that names the source.</summary>
    /// <summary>
    /// The analyze JSON without its source line; with <paramref name="emptyTablesAsAbsent"/>, coverage words an empty
    /// optional table as an absent one (see <see cref="SnapshotComparer.Describe"/>: db load creates every table).
    /// </summary>
    internal static string Json(Snapshot snapshot, DateOnly asOf, bool emptyTablesAsAbsent = false)
    {
        var report = ReportBuilder.Build(Analysis.Run(snapshot, new AnalysisOptions { AsOf = asOf }), new ReportOptions());
        using var stream = new MemoryStream();
        JsonReportWriter.Write(report, stream, Stamp);
        return string.Join('\n', System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .Where(l => !l.Contains("\"source\"", StringComparison.Ordinal))
            .Select(l => emptyTablesAsAbsent
                ? l.Replace("justifications is empty (no rows):", "no justifications table:", StringComparison.Ordinal)
                    .Replace(" is empty (no rows):", " is absent:", StringComparison.Ordinal)
                : l));
    }
}
