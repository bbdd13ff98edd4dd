using System.Data.Common;
using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sinks.Store;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// The report store, the same checks on every database that can run here: runs are written whole and never
/// overwrite each other, every dashboard view returns the expected rows, and a store cancelled midway leaves the
/// report tables exactly as they were.
/// </summary>
public abstract class ReportStoreChecks : IDisposable
{
    private static readonly DateOnly AsOf = new(2026, 11, 23);
    private static readonly Lazy<(Snapshot Snapshot, AnalysisReport Report, RemediationPlan Plan)> Demo = new(BuildDemo);

    protected ReportStoreChecks() =>
        Root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "aa-store-" + Guid.NewGuid().ToString("N"))).FullName;

    protected string Root { get; }

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>A connection to an empty database (or schema) and its dialect.</summary>
    protected abstract (DbConnection Connection, ISqlDialect Dialect) OpenEmpty();

    protected void Runs_are_stored_whole_and_every_view_returns_the_expected_rows()
    {
        var (snapshot, report, plan) = Demo.Value;
        plan.Items.Should().NotBeEmpty("the plan table and the top-remediations view are checked on real rows");
        var (connection, dialect) = OpenEmpty();
        using (connection)
        {
            var store = new ReportStore(connection, dialect) { BatchRows = 100 };
            store.EnsureTables();

            // Run 1: the analysis. Run 2: one principal fewer, less excess, and a plan.
            var first = store.Write(new StoredRun { ToolVersion = "0.1.0", Report = report, Snapshot = snapshot });
            var dropped = report.Principals[0];
            var second = report with
            {
                Principals = report.Principals.Skip(1).ToArray(),
                Totals = report.Totals with { Principals = report.Totals.Principals - 1, ExcessExposure = report.Totals.ExcessExposure - 100 },
            };
            var secondId = store.Write(new StoredRun { ToolVersion = "0.1.0", Report = second, Snapshot = snapshot, Plan = plan, Command = "plan" });
            secondId.Should().NotBe(first);

            var runs = Query(connection, dialect, "SELECT run_seq, run_id, command, principals, findings, plan_items, source_name FROM {report_runs} ORDER BY run_seq");
            runs.Should().HaveCount(2);
            L(runs[1]["run_seq"]).Should().BeGreaterThan(L(runs[0]["run_seq"]));
            Text(runs[1]["run_id"]).Should().BeEquivalentTo(secondId.ToString());
            runs[0]["plan_items"].Should().BeNull();
            L(runs[1]["plan_items"]).Should().Be(plan.Items.Count);
            L(runs[0]["findings"]).Should().Be(report.Findings.Count);
            Text(runs[0]["source_name"]).Should().Be(report.Header.Source);

            Count(connection, dialect, "report_principals").Should().Be(report.Principals.Count * 2 - 1);
            Count(connection, dialect, "report_findings").Should().Be(report.Findings.Count * 2);
            Count(connection, dialect, "report_units").Should().Be(snapshot.Units.Count * 2);
            Count(connection, dialect, "report_plan").Should().Be(plan.Items.Count);

            // Latest run per principal: the dropped one comes from run 1, everybody else from run 2.
            var latest = Query(connection, dialect, "SELECT principal_id, run_seq, excess_files FROM {report_latest_principals}");
            latest.Should().HaveCount(report.Principals.Count);
            foreach (var row in latest)
            {
                var expectedRun = Text(row["principal_id"]) == dropped.PrincipalId ? runs[0] : runs[1];
                L(row["run_seq"]).Should().Be(L(expectedRun["run_seq"]), Text(row["principal_id"]));
            }

            // Trend: the change of excess since the previous run.
            var trend = Query(connection, dialect, "SELECT run_seq, excess_exposure, excess_exposure_change FROM {report_totals_trend} ORDER BY run_seq");
            trend.Should().HaveCount(2);
            trend[0]["excess_exposure_change"].Should().BeNull();
            L(trend[1]["excess_exposure_change"]).Should().Be(-100);

            // Excess by unit at every level of the tree, for the latest run, against a direct computation.
            var byUnit = Query(connection, dialect, "SELECT unit_id, kind, level, principals, principals_with_excess, excess_exposure, sensitive_excess_exposure FROM {report_excess_by_unit}");
            var expected = ExpectedByUnit(snapshot, second.Principals);
            byUnit.Select(r => $"{Text(r["unit_id"])} {L(r["level"])} {L(r["principals"])} {L(r["principals_with_excess"])} {L(r["excess_exposure"])} {L(r["sensitive_excess_exposure"])}")
                .Should().BeEquivalentTo(expected);
            byUnit.Select(r => L(r["level"])).Distinct().Should().HaveCountGreaterThan(2, "the demo tree has national, region, department and agency levels");

            // Top remediations of the latest run that stored a plan.
            var top = Query(connection, dialect, "SELECT rank, assignment_id, change, cumulative_excess_removed FROM {report_top_remediations} ORDER BY rank");
            top.Select(r => (L(r["rank"]), Text(r["assignment_id"]))).Should().Equal(plan.Items.Select(i => ((long)i.Rank, i.AssignmentId)));
            top.Select(r => Text(r["change"])).Should().OnlyContain(c => c == "remove" || c == "narrow-to-caseload" || c == "narrow-to-unit");
        }
    }

    protected void A_cancelled_store_leaves_the_report_tables_exactly_as_they_were()
    {
        var (snapshot, report, plan) = Demo.Value;
        var (connection, dialect) = OpenEmpty();
        using (connection)
        {
            new ReportStore(connection, dialect).EnsureTables();
            new ReportStore(connection, dialect).Write(new StoredRun { ToolVersion = "0.1.0", Report = report, Snapshot = snapshot });
            var before = Dump(connection, dialect);

            using var cancel = new CancellationTokenSource();
            var written = 0L;
            var store = new ReportStore(connection, dialect)
            {
                BatchRows = 20,
                Progress = new Synchronous(rows =>
                {
                    written = rows;
                    if (rows >= 60)
                    {
                        cancel.Cancel();
                    }
                }),
            };
            var write = () => store.Write(new StoredRun { ToolVersion = "0.1.0", Report = report, Snapshot = snapshot, Plan = plan }, cancel.Token);
            write.Should().Throw<OperationCanceledException>();
            written.Should().BeGreaterThanOrEqualTo(60, "rows were written inside the transaction before the cancellation");

            Dump(connection, dialect).Should().Be(before);

            // The connection is still usable and the next run is stored whole.
            new ReportStore(connection, dialect).Write(new StoredRun { ToolVersion = "0.1.0", Report = report, Snapshot = snapshot });
            Count(connection, dialect, "report_runs").Should().Be(2);
        }
    }

    private static (Snapshot, AnalysisReport, RemediationPlan) BuildDemo()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aa-store-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var writer = new CsvCanonicalWriter(directory))
            {
                DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 3, AsOf), [writer]);
            }

            var snapshot = TestSources.Load(directory);
            var options = new AnalysisOptions { AsOf = AsOf };
            var report = ReportBuilder.Build(Analysis.Run(snapshot, options), new ReportOptions());
            var plan = RemediationPlanner.Plan(Analysis.Run(snapshot, options), new PlanOptions { Top = 25 });
            return (snapshot, report, plan);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<string> ExpectedByUnit(Snapshot snapshot, IReadOnlyList<PrincipalFigures> principals)
    {
        var u = snapshot.Units;
        var index = Enumerable.Range(0, u.Count).ToDictionary(i => u.Ids[i], StringComparer.Ordinal);
        var rows = new List<string>();
        for (var a = 0; a < u.Count; a++)
        {
            var level = 0;
            for (var p = u.Parent[a]; p >= 0; p = u.Parent[p])
            {
                level++;
            }

            var inside = principals.Where(p => p.UnitId is { } id && index.TryGetValue(id, out var unit) && u.IsInSubtree(unit, a)).ToList();
            if (inside.Count > 0)
            {
                rows.Add($"{u.Ids[a]} {level} {inside.Count} {inside.Count(p => p.ExcessFiles > 0)} {inside.Sum(p => p.ExcessFiles)} {inside.Sum(p => p.SensitiveExcessFiles)}");
            }
        }

        return rows;
    }

    private static readonly string[] ReportTables = ["report_runs", "report_units", "report_principals", "report_findings", "report_plan"];

    /// <summary>Every row of every report table, as sorted text.</summary>
    private static string Dump(DbConnection connection, ISqlDialect dialect)
    {
        var text = new StringBuilder();
        foreach (var table in ReportTables)
        {
            var rows = Query(connection, dialect, $"SELECT * FROM {{{table}}}")
                .Select(r => string.Join('|', r.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Text(kv.Value)}")))
                .Order(StringComparer.Ordinal);
            text.AppendLine(table).AppendJoin('\n', rows).AppendLine();
        }

        return text.ToString();
    }

    private static long Count(DbConnection connection, ISqlDialect dialect, string table) =>
        L(Query(connection, dialect, $"SELECT COUNT(*) AS n FROM {{{table}}}")[0]["n"]);

    /// <summary>Runs a query whose <c>{name}</c> placeholders are report tables or views of the dialect's schema.</summary>
    private static List<Dictionary<string, object?>> Query(DbConnection connection, ISqlDialect dialect, string sql)
    {
        foreach (var name in ReportTables.Concat(["report_latest_principals", "report_excess_by_unit", "report_totals_trend", "report_top_remediations"]))
        {
            sql = sql.Replace("{" + name + "}", dialect.Table(name), StringComparison.Ordinal);
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static long L(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static string Text(object? value) => value switch
    {
        null => "NULL",
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Reports on the writing thread, so a cancellation lands between two statements of the same transaction.</summary>
    private sealed class Synchronous(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

public sealed class SqliteReportStoreTests : ReportStoreChecks
{
    protected override (DbConnection Connection, ISqlDialect Dialect) OpenEmpty() =>
        (SqliteProvider.Instance.Open(Path.Combine(Root, "reports-" + Guid.NewGuid().ToString("N") + ".db")), SqliteDialect.Instance);

    [Fact]
    public void Sqlite_runs_are_stored_whole_and_every_view_returns_the_expected_rows() => Runs_are_stored_whole_and_every_view_returns_the_expected_rows();

    [Fact]
    public void Store_to_an_sqlite_file_creates_it_with_the_report_tables_and_refuses_a_top_cut_report()
    {
        using var agency = new AgencyFixture().Unit("NAT", kind: "national").Files("f", "NAT", 2).Role("read")
            .Principal("P1", unit: "NAT").Principal("P2", unit: "NAT").Assign("X1", "read", "P1", scopeUnit: "NAT");
        var snapshot = TestSources.Load(agency.WriteCsv());
        var analysis = Analysis.Run(snapshot, new AnalysisOptions { AsOf = new DateOnly(2026, 6, 30) });
        var path = Path.Combine(Root, "sub-reports.db");
        using var session = ReportStore.Open(new SourceResolver().ResolveStoreTarget(path, new SourceOptions()));
        session.Name.Should().Be(path);
        session.Write(new StoredRun { ToolVersion = "0.1.0", Report = ReportBuilder.Build(analysis, new ReportOptions()), Snapshot = snapshot });
        var cut = () => session.Write(new StoredRun { ToolVersion = "0.1.0", Report = ReportBuilder.Build(analysis, new ReportOptions { Top = 1 }) });
        cut.Should().Throw<ArgumentException>().WithMessage("*1 of 2 principals*");
        File.Exists(path).Should().BeTrue();
        SqliteSource.OpenReadOnly(path).Dispose();
    }

    [Fact]
    public void Sqlite_cancelled_store_leaves_the_report_tables_exactly_as_they_were() => A_cancelled_store_leaves_the_report_tables_exactly_as_they_were();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresReportStoreTests(PostgresServer server) : ReportStoreChecks
{
    protected override (DbConnection Connection, ISqlDialect Dialect) OpenEmpty() =>
        (server.Open(), new PostgresDialect(PostgresServer.NewSchema("rep")));

    [PostgresFact]
    public void Postgres_runs_are_stored_whole_and_every_view_returns_the_expected_rows() => Runs_are_stored_whole_and_every_view_returns_the_expected_rows();

    [PostgresFact]
    public void Postgres_cancelled_store_leaves_the_report_tables_exactly_as_they_were() => A_cancelled_store_leaves_the_report_tables_exactly_as_they_were();

    [PostgresFact]
    public void A_writer_login_can_store_runs_but_not_read_the_input_nor_change_past_runs()
    {
        var schema = PostgresServer.NewSchema("wr");
        var dialect = new PostgresDialect(schema);
        using (var owner = server.Open())
        {
            CanonicalLoader.Init(owner, dialect);
            CanonicalLoader.Run(owner, dialect, SqlScripts.Statements("postgres", SqlScripts.Grants, schema));
        }

        var writer = "writer_" + schema;
        server.Execute($"CREATE ROLE {writer} LOGIN IN ROLE aa_writer");
        var report = ReportBuilder.Build(
            Analysis.Run(AgencyFixture_Snapshot(), new AnalysisOptions { AsOf = new DateOnly(2026, 6, 30) }), new ReportOptions());
        var writerConnection = server.ConnectionString(writer);
        using (var session = ReportStore.Open(new SourceResolver().ResolveStoreTarget("postgres", new SourceOptions { Schema = schema, Environment = _ => writerConnection })))
        {
            session.Name.Should().Be($"postgres:127.0.0.1:{server.Port}/postgres");
            session.Write(new StoredRun { ToolVersion = "0.1.0", Report = report });
            session.Write(new StoredRun { ToolVersion = "0.1.0", Report = report });
        }

        server.Scalar($"SELECT count(*) FROM {schema}.report_runs").Should().Be(2L, "runs never overwrite each other");
        using var connection = server.Open(writer);

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {schema}.files";
        command.Invoking(c => c.ExecuteScalar()).Should().Throw<Npgsql.PostgresException>().Which.SqlState.Should().Be("42501");
        command.CommandText = $"DELETE FROM {schema}.report_runs";
        command.Invoking(c => c.ExecuteNonQuery()).Should().Throw<Npgsql.PostgresException>().Which.SqlState.Should().Be("42501");
    }

    private static Snapshot AgencyFixture_Snapshot()
    {
        using var agency = new AgencyFixture()
            .Unit("NAT", kind: "national").Unit("A1", "NAT")
            .Files("f", "A1", 3).Role("read").Principal("P1", unit: "A1").Assign("X1", "read", "P1", scopeUnit: "NAT");
        return TestSources.Load(agency.WriteCsv());
    }
}
