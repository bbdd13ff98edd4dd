using System.Globalization;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Sources.Monitor;
using AccessAnalyzer.Tests.Fixtures;
using Npgsql;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// <c>monitor --source postgres</c> against the real server the tests start: the small demo loaded with <c>db load</c>,
/// rows inserted into access_events between cycles. The feed reads by <c>at</c> with a re-read window: what it re-reads
/// is counted once, a late row inside the window once, identical rows each, a row later than the window not at all.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MonitorPostgresTests(PostgresServer server, MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    private readonly string _root = demo.Copy();

    private string State => Path.Combine(_root, "state.db");

    private string Jsonl => Path.Combine(_root, "alerts.jsonl");

    /// <summary>A database of its own holding the demo (schema aa), and the connection file naming it.</summary>
    private string LoadDemo()
    {
        var database = "mon_" + Guid.NewGuid().ToString("N")[..8];
        server.Execute($"CREATE DATABASE {database}");
        var connectionFile = Path.Combine(_root, "pg-connection");
        File.WriteAllText(connectionFile, server.ConnectionString(database: database));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var init = Alerts.Run("db", "init", "--dialect", "postgres", "--connection-file", connectionFile);
        init.Exit.Should().Be(0, init.Error);
        var load = Alerts.Run("db", "load", "--dialect", "postgres", "--connection-file", connectionFile, "--from", Path.Combine(_root, "csv"));
        load.Exit.Should().Be(0, load.Error);
        return connectionFile;
    }

    private void Insert(string connectionFile, IEnumerable<(string Principal, string File, DateTime At)> rows)
    {
        using var connection = new NpgsqlConnection(File.ReadAllText(connectionFile));
        connection.Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO aa.access_events (principal_id, file_id, at, action) VALUES (@p, @f, @at, 'read')";
        var p = insert.Parameters.Add(new NpgsqlParameter("p", NpgsqlTypes.NpgsqlDbType.Text));
        var f = insert.Parameters.Add(new NpgsqlParameter("f", NpgsqlTypes.NpgsqlDbType.Text));
        var at = insert.Parameters.Add(new NpgsqlParameter("at", NpgsqlTypes.NpgsqlDbType.TimestampTz));
        foreach (var row in rows)
        {
            p.Value = row.Principal;
            f.Value = row.File;
            at.Value = DateTime.SpecifyKind(row.At, DateTimeKind.Utc);
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The state's reads of one account on one day (0 when it has no row).</summary>
    private long Reads(string principal, DateOnly day) =>
        MonitorDemo.DayAggregates(State)
            .Select(l => l.Split(' '))
            .Where(c => c[0] == principal && c[1] == day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Select(c => long.Parse(c[2], CultureInfo.InvariantCulture))
            .SingleOrDefault();

    [PostgresFact]
    public void Should_alert_once_on_a_mass_read_inserted_into_postgres_and_count_rows_of_the_late_window_once()
    {
        var connectionFile = LoadDemo();
        string[] args = ["monitor", "--source", "postgres", "--connection-file", connectionFile, "--state", State, "--once", "--alert", $"jsonl:{Jsonl}"];
        var baseline = Alerts.Run(args);
        baseline.Exit.Should().Be(0, baseline.Error);
        baseline.Error.Should().Contain("baseline");
        Alerts.OfJsonl(Jsonl).Should().BeEmpty();

        // 1,200 distinct files read in 20 minutes: one mass-read.
        var day = demo.LastDay.AddDays(1);
        var eight = day.ToDateTime(new TimeOnly(8, 0));
        Insert(connectionFile, demo.FileIds.Take(1200).Select((file, i) => (demo.ActiveStaff, file, eight.AddSeconds(i))));
        var first = Alerts.Run(args);
        first.Exit.Should().Be(0, first.Error);
        var afterMassRead = Alerts.OfJsonl(Jsonl);
        var massRead = afterMassRead.Single(a => a.Rule() == UsageRules.MassRead);
        massRead.GetProperty("account").GetString().Should().Be(demo.ActiveStaff);
        massRead.GetProperty("count").GetInt64().Should().Be(1200);
        Reads(demo.ActiveStaff, day).Should().Be(1200);

        // The next cycle re-reads the last 10 minutes of the log: nothing is counted twice, nothing alerts.
        var again = Alerts.Run(args);
        again.Exit.Should().Be(0, again.Error);
        again.Error.Should().Contain("monitor: 0 new events");
        Alerts.OfJsonl(Jsonl).Should().HaveCount(afterMassRead.Length);
        Reads(demo.ActiveStaff, day).Should().Be(1200);

        // A late row: 5 minutes before the newest at, inserted now, inside the window: counted once, over two cycles.
        var newest = eight.AddSeconds(1199);
        Insert(connectionFile, [(demo.Dormant, demo.FileIds[0], newest.AddMinutes(-5))]);
        Alerts.Run(args).Exit.Should().Be(0);
        Alerts.Run(args).Exit.Should().Be(0);
        Reads(demo.Dormant, day).Should().Be(1);
        var alerts = Alerts.OfJsonl(Jsonl);
        alerts.Should().HaveCount(afterMassRead.Length + 1);
        alerts[^1].Rule().Should().Be(UsageRules.ActivityFromDormantAccount);
        alerts[^1].GetProperty("account").GetString().Should().Be(demo.Dormant);

        // Two identical rows are two reads, counted once each however often the window re-reads them.
        Insert(connectionFile, [(demo.ActiveStaff, demo.FileIds[0], newest.AddSeconds(1)), (demo.ActiveStaff, demo.FileIds[0], newest.AddSeconds(1))]);
        Alerts.Run(args).Exit.Should().Be(0);
        Alerts.Run(args).Exit.Should().Be(0);
        Reads(demo.ActiveStaff, day).Should().Be(1202);

        // A row older than the window when it arrives is missed, as the docs and --status say.
        Insert(connectionFile, [(demo.ActiveStaff, demo.FileIds[1], newest.AddHours(-1))]);
        Alerts.Run(args).Exit.Should().Be(0);
        Reads(demo.ActiveStaff, day).Should().Be(1202);
        var status = Alerts.Run("monitor", "--status", "--state", State);
        status.Out.Should().Contain($"watermark: at {newest.AddSeconds(1):yyyy-MM-ddTHH:mm:ss}.000000Z")
            .And.Contain("late window 600 s").And.Contain("not counted");
        Alerts.OfJsonl(Jsonl).Should().HaveCount(afterMassRead.Length + 1);
        Alerts.OfJsonl(Jsonl).Count(a => a.Rule() == UsageRules.MassRead).Should().Be(1);
    }

    [PostgresFact]
    public void Should_refuse_a_log_whose_newest_rows_were_deleted_and_leave_the_state_as_it_was()
    {
        var connectionFile = LoadDemo();
        string[] args = ["monitor", "--source", "postgres", "--connection-file", connectionFile, "--state", State, "--once", "--alert", $"jsonl:{Jsonl}"];
        Alerts.Run(args).Exit.Should().Be(0);
        var day = demo.LastDay.AddDays(1);
        var eight = day.ToDateTime(new TimeOnly(8, 0));
        Insert(connectionFile, demo.FileIds.Take(600).Select((file, i) => (demo.ActiveStaff, file, eight.AddSeconds(i))));
        Alerts.Run(args).Exit.Should().Be(0);
        Reads(demo.ActiveStaff, day).Should().Be(600);
        using (var connection = new NpgsqlConnection(File.ReadAllText(connectionFile)))
        {
            connection.Open();
            using var delete = connection.CreateCommand();
            delete.CommandText = $"DELETE FROM aa.access_events WHERE at >= '{eight.AddSeconds(300):yyyy-MM-ddTHH:mm:ss}Z'";
            delete.ExecuteNonQuery();
        }

        var refused = Alerts.Run(args);
        refused.Exit.Should().Be(2);
        refused.Error.Trim().Split('\n').Where(l => !l.StartsWith("warning:", StringComparison.Ordinal)).Should().ContainSingle().Which.Should().Contain("newest rows deleted").And.NotContain("Host=");
        Reads(demo.ActiveStaff, day).Should().Be(600);
    }

    [PostgresFact]
    public void Should_read_a_backlog_in_steps_ending_on_whole_timestamps_each_row_once()
    {
        var connectionFile = LoadDemo();
        var connectionString = File.ReadAllText(connectionFile);
        using var feed = new PostgresEventFeed(
            () =>
            {
                var c = new NpgsqlConnection(connectionString);
                c.Open();
                return c;
            },
            new PostgresDialect(), "postgres", TimeSpan.FromMinutes(10), maxRows: 997);
        var digests = new HashSet<long>();
        IReadOnlyDictionary<string, string> position = new Dictionary<string, string>();
        long fresh = 0, steps = 0;
        bool More()
        {
            var batch = feed.ReadAfter(position);
            batch.RowKeys!.Keys.Should().HaveCount(batch.Events.Count);
            fresh += batch.RowKeys.Keys.Count(k => digests.Add(k.Key));
            position = batch.Position;
            steps++;
            return batch.More;
        }

        while (More())
        {
        }

        using (var connection = new NpgsqlConnection(connectionString))
        {
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM aa.access_events";
            fresh.Should().Be(Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture));
        }

        steps.Should().BeGreaterThan(2);

        // Five identical rows, then one more: a step of 3 rows past the watermark takes the five whole, numbered 1 to 5.
        var at = demo.LastDay.AddDays(1).ToDateTime(new TimeOnly(9, 0));
        Insert(connectionFile, [.. Enumerable.Repeat((demo.ActiveStaff, demo.FileIds[0], at), 5), (demo.ActiveStaff, demo.FileIds[1], at.AddSeconds(1))]);
        using var small = new PostgresEventFeed(
            () =>
            {
                var c = new NpgsqlConnection(connectionString);
                c.Open();
                return c;
            },
            new PostgresDialect(), "postgres", TimeSpan.FromMinutes(10), maxRows: 3);
        var first = small.ReadAfter(position);
        first.More.Should().BeTrue();
        first.RowKeys!.Keys.Count(k => digests.Add(k.Key)).Should().Be(5);
        var second = small.ReadAfter(first.Position);
        second.RowKeys!.Keys.Count(k => digests.Add(k.Key)).Should().Be(1);
        second.More.Should().BeFalse();
    }

    /// <summary>A connection file naming the server's own database, where a state schema of the test's own is created.</summary>
    private string ConnectionFile()
    {
        var connectionFile = Path.Combine(_root, "state-connection");
        File.WriteAllText(connectionFile, server.ConnectionString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return connectionFile;
    }

    [PostgresFact]
    public void Should_keep_the_state_of_a_csv_source_in_a_postgres_schema_and_alert_once_on_a_mass_read()
    {
        var connectionFile = ConnectionFile();
        var schema = PostgresServer.NewSchema("mon");
        var csv = Path.Combine(_root, "csv");
        string[] args = ["monitor", "--source", csv, "--state", "postgres", "--state-schema", schema, "--state-connection-file", connectionFile, "--once", "--alert", $"jsonl:{Jsonl}"];
        var baseline = Alerts.Run(args);
        baseline.Exit.Should().Be(0, baseline.Error);
        baseline.Error.Should().Contain("baseline");
        Alerts.OfJsonl(Jsonl).Should().BeEmpty();
        File.Exists(State).Should().BeFalse();

        // 1,200 distinct files read in 20 minutes, appended to the log: one mass-read.
        var day = demo.LastDay.AddDays(1);
        File.AppendAllText(Path.Combine(csv, "access_events.csv"), MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(1200), day));
        var first = Alerts.Run(args);
        first.Exit.Should().Be(0, first.Error);
        var massRead = Alerts.OfJsonl(Jsonl).Single(a => a.Rule() == UsageRules.MassRead);
        massRead.GetProperty("account").GetString().Should().Be(demo.ActiveStaff);
        massRead.GetProperty("count").GetInt64().Should().Be(1200);
        var day0 = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Convert.ToInt64(server.Scalar($"SELECT reads FROM {schema}.principal_day WHERE principal = '{demo.ActiveStaff}' AND day = '{day0}'"), CultureInfo.InvariantCulture)
            .Should().Be(1200);
        Convert.ToInt64(server.Scalar($"SELECT COUNT(*) FROM {schema}.delivery WHERE delivered_at IS NULL"), CultureInfo.InvariantCulture).Should().Be(0);

        // Nothing new: no alert, the mass read not counted twice.
        var again = Alerts.Run(args);
        again.Exit.Should().Be(0, again.Error);
        again.Error.Should().Contain("monitor: 0 new events");
        Alerts.OfJsonl(Jsonl).Count(a => a.Rule() == UsageRules.MassRead).Should().Be(1);
        Convert.ToInt64(server.Scalar($"SELECT reads FROM {schema}.principal_day WHERE principal = '{demo.ActiveStaff}' AND day = '{day0}'"), CultureInfo.InvariantCulture)
            .Should().Be(1200);

        var status = Alerts.Run("monitor", "--status", "--state", "postgres", "--state-schema", schema, "--state-connection-file", connectionFile);
        status.Exit.Should().Be(0, status.Error);
        status.Out.Should().Contain($"(schema {schema})").And.Contain("byte offset").And.Contain("cycles: 3;")
            .And.Contain("mass-read (level 1) " + demo.ActiveStaff).And.Contain("delivered").And.NotContain("Password");
    }

    [PostgresFact]
    public void Should_keep_the_state_of_a_postgres_source_in_the_aa_monitor_schema_of_its_database_by_default()
    {
        var connectionFile = LoadDemo();
        var baseline = Alerts.Run("monitor", "--source", "postgres", "--connection-file", connectionFile, "--state", "postgres", "--once");
        baseline.Exit.Should().Be(0, baseline.Error);
        baseline.Error.Should().Contain("baseline");
        File.Exists(State).Should().BeFalse();

        var status = Alerts.Run("monitor", "--status", "--state", "postgres", "--connection-file", connectionFile);
        status.Exit.Should().Be(0, status.Error);
        status.Out.Should().Contain("(schema aa_monitor)").And.Contain("watermark: at ").And.Contain("cycles: 1;");
    }

    [PostgresFact]
    public void Should_refuse_the_status_of_a_postgres_schema_holding_no_state()
    {
        var status = Alerts.Run("monitor", "--status", "--state", "postgres", "--state-schema", PostgresServer.NewSchema("none"), "--state-connection-file", ConnectionFile());
        status.Exit.Should().Be(2);
        status.Error.Should().Contain("no monitor state in this schema").And.NotContain("Password");
    }

    [Fact]
    public void Should_refuse_a_state_schema_for_an_sqlite_state()
    {
        var (exit, _, error) = Alerts.Run("monitor", "--source", Path.Combine(_root, "csv"), "--state", State, "--state-schema", "x", "--once");
        exit.Should().Be(2);
        error.Should().Contain("--state-schema: only with --state postgres");
        File.Exists(State).Should().BeFalse();
    }

    [Fact]
    public void Should_refuse_a_sql_server_source_in_one_line()
    {
        var connectionFile = Path.Combine(_root, "mssql-connection");
        File.WriteAllText(connectionFile, "Server=127.0.0.1,1;Database=x;User ID=u;Password=p");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var (exit, _, error) = Alerts.Run("monitor", "--source", "sqlserver", "--connection-file", connectionFile, "--state", State, "--once");
        exit.Should().Be(2);
        error.Trim().Should().Be("error: --source: the monitor reads a CSV directory, an SQLite file or PostgreSQL (SQL Server: not supported)");
        File.Exists(State).Should().BeFalse();
    }
}
