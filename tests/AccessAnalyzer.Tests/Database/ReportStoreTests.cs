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

            // The figures added to the store round-trip: distinct totals, justified files, coverage, organisations.
            CheckNewFigures(connection, dialect, first, report);

            // Trend: the distinct figures beside the sums, with their own change since the previous run.
            var distinctTrend = Query(connection, dialect,
                "SELECT run_seq, distinct_reachable_files, distinct_excess_files, distinct_sensitive_excess_files, distinct_phishable_files, justified_files, distinct_excess_files_change FROM {report_totals_trend} ORDER BY run_seq");
            L(distinctTrend[0]["distinct_reachable_files"]).Should().Be(report.Totals.Distinct.Reachable);
            L(distinctTrend[0]["distinct_excess_files"]).Should().Be(report.Totals.Distinct.Excess);
            L(distinctTrend[0]["distinct_sensitive_excess_files"]).Should().Be(report.Totals.Distinct.SensitiveExcess);
            L(distinctTrend[0]["distinct_phishable_files"]).Should().Be(report.Totals.Distinct.Phishable);
            L(distinctTrend[0]["justified_files"]).Should().Be(report.Totals.JustifiedFiles);
            distinctTrend[0]["distinct_excess_files_change"].Should().BeNull();
            L(distinctTrend[1]["distinct_excess_files_change"]).Should().Be(0, "the second run has the same distinct figures");

            // Coverage of the latest run, "not checked" included.
            var coverage = Query(connection, dialect, "SELECT run_seq, check_id, ran, reason FROM {report_latest_coverage}");
            coverage.Select(r => L(r["run_seq"])).Should().OnlyContain(seq => seq == L(runs[1]["run_seq"]));
            coverage.Select(r => $"{Text(r["check_id"])} {Bool(r["ran"])} {Text(r["reason"])}")
                .Should().BeEquivalentTo(report.Coverage.Select(c => $"{c.Check} {c.Ran} {c.Reason}"));

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

    /// <summary>
    /// A store made by an earlier version (the report tables and views as they were before the distinct figures,
    /// coverage and organisations: <c>Database/Legacy/</c>), holding one run: opening it adds the missing columns
    /// and tables, the old run keeps NULL in the new columns, and a run stored now reads back whole.
    /// </summary>
    protected void An_old_store_is_brought_up_to_date_and_keeps_its_runs()
    {
        var (snapshot, report, _) = Demo.Value;
        var (connection, dialect) = OpenEmpty();
        using (connection)
        {
            CreateLegacyStore(connection, dialect);
            Execute(connection, dialect, """
                INSERT INTO {report_runs} (run_id, started_at, stored_at, as_of, source_name, tool_version, command, status, principals, files,
                    exposure, excess_exposure, sensitive_excess_exposure, caseload_files, caseload_in_reach, closed_files_in_reach,
                    principals_with_excess, dangling_references, group_cycles, phishable_exposure, partner_phishable_exposure,
                    dormant_accounts_with_reach, findings)
                VALUES ('00000000-0000-0000-0000-000000000001', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-01', 'old', '0.0.9',
                    'analyze', 'ok', 1, 10, 7, 5, 2, 3, 2, 0, 1, 0, 0, 0, 0, 0, 0)
                """);
            Execute(connection, dialect, """
                INSERT INTO {report_principals} (run_id, principal_id, kind, organization, unit_id, active, mfa, last_login, reachable_files,
                    caseload_files, caseload_in_reach, excess_files, sensitive_excess_files, closed_files_in_reach, grants_in_force)
                VALUES ('00000000-0000-0000-0000-000000000001', 'P-old', 'staff', 'agency', NULL, 'true', 'false', NULL, 7, 3, 2, 5, 2, 0, 1)
                """);
            CanonicalLoader.ColumnNames(connection, dialect, "report_runs").Should().NotContain("distinct_excess_files", "the store is of the earlier version");

            var store = new ReportStore(connection, dialect);
            store.EnsureTables();
            var runId = store.Write(new StoredRun { ToolVersion = "0.1.0", Report = report, Snapshot = snapshot });

            var runs = Query(connection, dialect,
                "SELECT run_seq, source_name, excess_exposure, justified_files, distinct_excess_files FROM {report_runs} ORDER BY run_seq");
            runs.Should().HaveCount(2);
            Text(runs[0]["source_name"]).Should().Be("old");
            L(runs[0]["excess_exposure"]).Should().Be(5);
            runs[0]["justified_files"].Should().BeNull("the old run did not compute it");
            runs[0]["distinct_excess_files"].Should().BeNull();
            Query(connection, dialect, "SELECT justified_files FROM {report_principals} WHERE principal_id = 'P-old'")
                .Single()["justified_files"].Should().BeNull();
            CheckNewFigures(connection, dialect, runId, report);

            var trend = Query(connection, dialect, "SELECT run_seq, excess_exposure, distinct_excess_files FROM {report_totals_trend} ORDER BY run_seq");
            trend.Should().HaveCount(2);
            trend[0]["distinct_excess_files"].Should().BeNull();
            L(trend[1]["distinct_excess_files"]).Should().Be(report.Totals.Distinct.Excess);
            Query(connection, dialect, "SELECT check_id FROM {report_latest_coverage}").Should().HaveCount(report.Coverage.Count);
            Query(connection, dialect, "SELECT principal_id, justified_files FROM {report_latest_principals}").Should().HaveCount(report.Principals.Count + 1);

            // Up to date now: opening it again changes nothing, and the next run is stored too.
            var before = Dump(connection, dialect);
            new ReportStore(connection, dialect).EnsureTables();
            Dump(connection, dialect).Should().Be(before);
            new ReportStore(connection, dialect).Write(new StoredRun { ToolVersion = "0.1.0", Report = report });
            Count(connection, dialect, "report_runs").Should().Be(3);
        }
    }

    /// <summary>The report tables and views of the earlier version (<c>Database/Legacy/</c>), in the dialect's schema.</summary>
    protected static void CreateLegacyStore(DbConnection connection, ISqlDialect dialect)
    {
        foreach (var script in new[] { "report-tables", "views" })
        {
            var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Database", "Legacy", $"{dialect.Name}-{script}.sql"));
            CanonicalLoader.Run(connection, dialect, SqlScripts.Split(dialect.Schema is { } schema ? SqlScripts.WithSchema(text, schema) : text));
        }
    }

    /// <summary>Run <paramref name="runId"/> holds the report's distinct totals, justified files, coverage and organisations.</summary>
    private static void CheckNewFigures(DbConnection connection, ISqlDialect dialect, Guid runId, AnalysisReport report)
    {
        var id = $"'{runId:D}'";
        var run = Query(connection, dialect,
            $"SELECT justified_files, distinct_reachable_files, distinct_excess_files, distinct_sensitive_excess_files, distinct_phishable_files FROM {{report_runs}} WHERE run_id = {id}")
            .Single();
        var distinct = report.Totals.Distinct;
        (L(run["justified_files"]), L(run["distinct_reachable_files"]), L(run["distinct_excess_files"]), L(run["distinct_sensitive_excess_files"]),
                L(run["distinct_phishable_files"]))
            .Should().Be((report.Totals.JustifiedFiles, distinct.Reachable, distinct.Excess, distinct.SensitiveExcess, distinct.Phishable));
        distinct.Reachable.Should().BePositive("the demo reaches files");
        distinct.Reachable.Should().BeLessThanOrEqualTo(report.Totals.Exposure, "a union never exceeds the sum");

        Query(connection, dialect, $"SELECT principal_id, justified_files FROM {{report_principals}} WHERE run_id = {id}")
            .Select(r => $"{Text(r["principal_id"])} {L(r["justified_files"])}")
            .Should().BeEquivalentTo(report.Principals.Select(p => $"{p.PrincipalId} {p.JustifiedFiles}"));

        report.Coverage.Should().HaveCount(Coverage.Checks.Count);
        Query(connection, dialect, $"SELECT check_id, ran, reason FROM {{report_coverage}} WHERE run_id = {id}")
            .Select(r => $"{Text(r["check_id"])} {Bool(r["ran"])} {Text(r["reason"])}")
            .Should().BeEquivalentTo(report.Coverage.Select(c => $"{c.Check} {c.Ran} {c.Reason}"));

        report.Organizations.Should().NotBeEmpty("the organisations table is checked on real rows");
        Query(connection, dialect,
                $"SELECT organization, principals, partner, distinct_reachable_files, distinct_excess_files, distinct_sensitive_excess_files, distinct_phishable_files FROM {{report_organizations}} WHERE run_id = {id}")
            .Select(r => $"{Text(r["organization"])} {L(r["principals"])} {Bool(r["partner"])} {L(r["distinct_reachable_files"])} {L(r["distinct_excess_files"])} {L(r["distinct_sensitive_excess_files"])} {L(r["distinct_phishable_files"])}")
            .Should().BeEquivalentTo(report.Organizations.Select(o =>
                $"{o.Organization} {o.Principals} {o.Partner} {o.Figures.Reachable} {o.Figures.Excess} {o.Figures.SensitiveExcess} {o.Figures.Phishable}"));
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

    private static readonly string[] ReportTables =
        ["report_runs", "report_units", "report_principals", "report_findings", "report_plan", "report_coverage", "report_organizations"];

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
        foreach (var name in ReportTables.Concat(["report_latest_principals", "report_excess_by_unit", "report_totals_trend", "report_top_remediations", "report_latest_coverage"]))
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

    private static void Execute(DbConnection connection, ISqlDialect dialect, string sql)
    {
        foreach (var name in ReportTables)
        {
            sql = sql.Replace("{" + name + "}", dialect.Table(name), StringComparison.Ordinal);
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long L(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>A stored boolean, whatever the dialect keeps it as ('true' text in SQLite, boolean, bit).</summary>
    private static bool Bool(object? value) => value switch
    {
        bool b => b,
        string t => t == "true",
        _ => throw new InvalidOperationException($"not a stored boolean: {value}"),
    };

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

    [Fact]
    public void Sqlite_old_store_is_brought_up_to_date_and_keeps_its_runs() => An_old_store_is_brought_up_to_date_and_keeps_its_runs();
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
    public void Postgres_old_store_is_brought_up_to_date_and_keeps_its_runs() => An_old_store_is_brought_up_to_date_and_keeps_its_runs();

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

    [PostgresFact]
    public void A_writer_login_on_an_old_store_is_told_what_is_missing_and_changes_nothing()
    {
        var schema = PostgresServer.NewSchema("old");
        var dialect = new PostgresDialect(schema);
        using (var owner = server.Open())
        {
            CreateLegacyStore(owner, dialect);
        }

        var writer = "writer_" + schema;
        server.Execute($"CREATE ROLE {writer} LOGIN");
        server.Execute($"GRANT USAGE ON SCHEMA {schema} TO {writer}");
        server.Execute($"GRANT INSERT ON {schema}.report_runs, {schema}.report_units, {schema}.report_principals, {schema}.report_plan, {schema}.report_findings TO {writer}");
        var writerConnection = server.ConnectionString(writer);
        var open = () => ReportStore.Open(new SourceResolver().ResolveStoreTarget("postgres", new SourceOptions { Schema = schema, Environment = _ => writerConnection }));
        open.Should().Throw<AccessAnalyzer.Core.Input.InputErrorException>()
            .WithMessage($"*{schema}.report_runs*predate this version*report_runs.distinct_excess_files*report_coverage*report_organizations*report-tables.sql*");

        using var connection = server.Open();
        CanonicalLoader.ColumnNames(connection, dialect, "report_runs").Should().NotContain("justified_files", "a failed upgrade changes nothing");
        server.Scalar($"SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = '{schema}' AND tablename = 'report_coverage'").Should().Be(0L);
    }

    private static Snapshot AgencyFixture_Snapshot()
    {
        using var agency = new AgencyFixture()
            .Unit("NAT", kind: "national").Unit("A1", "NAT")
            .Files("f", "A1", 3).Role("read").Principal("P1", unit: "A1").Assign("X1", "read", "P1", scopeUnit: "NAT");
        return TestSources.Load(agency.WriteCsv());
    }
}
