using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sinks.Alerts;
using AccessAnalyzer.Sources.Monitor;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// <c>monitor</c> end to end on a copy of the demo: cycles read only what was appended, a mass read raises one alert
/// on every sink (a file, a webhook on 127.0.0.1, a UDP syslog collector), more reads of the same day raise nothing
/// until the count is ten times further past the threshold, and a truncated or replaced log is refused.
/// </summary>
public sealed class MonitorTests(MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    private readonly string _root = demo.Copy();

    private string Csv => Path.Combine(_root, "csv");

    private string State => Path.Combine(_root, "state.db");

    private string Events => Path.Combine(Csv, "access_events.csv");

    private (int Exit, string Out, string Error) Cycle(params string[] alerts) =>
        Alerts.Run([.. new[] { "monitor", "--source", Csv, "--state", State, "--once" }, .. alerts.SelectMany(a => new[] { "--alert", a })]);

    [Fact]
    public void Should_raise_one_mass_read_alert_on_each_sink_and_again_only_on_escalation()
    {
        using var webhook = new WebhookReceiver();
        using var syslog = new SyslogReceiver();
        var jsonl = Path.Combine(_root, "alerts.jsonl");
        string[] sinks = [$"jsonl:{jsonl}", $"webhook:{webhook.Url}", $"syslog:127.0.0.1:{syslog.Port}"];
        var tokenFile = Path.Combine(_root, "token");
        File.WriteAllText(tokenFile, "s3cret-token\n");
        (int, string, string) Run() => Alerts.Run([.. new[] { "monitor", "--source", Csv, "--state", State, "--once", "--webhook-token-file", tokenFile },
            .. sinks.SelectMany(a => new[] { "--alert", a })]);

        // The first cycle records the history: the demo's planted mass reads are the past, not news.
        Run().Item1.Should().Be(0);
        Alerts.OfJsonl(jsonl).Should().BeEmpty();

        var day = demo.LastDay.AddDays(1);
        var files = demo.FileIds;
        File.AppendAllText(Events, MonitorDemo.Reads(demo.ActiveStaff, files.Take(1200), day));
        var (exit, _, error) = Run();
        exit.Should().Be(0, error);
        var fileAlerts = Alerts.OfJsonl(jsonl);
        fileAlerts.Count(a => a.Rule() == UsageRules.MassRead).Should().Be(1);
        var massRead = fileAlerts.Single(a => a.Rule() == UsageRules.MassRead);
        massRead.GetProperty("account").GetString().Should().Be(demo.ActiveStaff);
        massRead.GetProperty("day").GetString().Should().Be(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        massRead.GetProperty("count").GetInt64().Should().Be(1200);
        massRead.GetProperty("threshold").GetInt64().Should().Be(1000);
        massRead.GetProperty("organization").GetString().Should().NotBeNullOrEmpty();
        webhook.Received.Count(r => r.Body.Contains("\"rule\":\"mass-read\"", StringComparison.Ordinal)).Should().Be(1);
        webhook.Received.Should().OnlyContain(r => r.Authorization == "Bearer s3cret-token" && r.Key.Length == 32);
        webhook.Received.Single(r => r.Body.Contains("\"rule\":\"mass-read\"", StringComparison.Ordinal)).Key.Should().Be(massRead.Id());
        var messages = syslog.Drain();
        messages.Count(m => m.Contains(" mass-read [alert@32473", StringComparison.Ordinal)).Should().Be(1);
        messages.Should().OnlyContain(m => m.StartsWith('<') && m.Contains(">1 ", StringComparison.Ordinal));

        // More reads of the same day, still below ten times the threshold: nothing new for mass-read.
        File.AppendAllText(Events, MonitorDemo.Reads(demo.ActiveStaff, files.Skip(1200).Take(800), day, 5000));
        Run().Item1.Should().Be(0);
        Alerts.OfJsonl(jsonl).Count(a => a.Rule() == UsageRules.MassRead).Should().Be(1);
        webhook.Received.Count(r => r.Body.Contains("\"rule\":\"mass-read\"", StringComparison.Ordinal)).Should().Be(1);

        // Past ten times the threshold: one escalation, at level 2.
        File.AppendAllText(Events, MonitorDemo.Reads(demo.ActiveStaff, files.Skip(2000).Take(8100), day, 10_000));
        Run().Item1.Should().Be(0);
        var escalated = Alerts.OfJsonl(jsonl).Where(a => a.Rule() == UsageRules.MassRead).ToArray();
        escalated.Select(a => a.GetProperty("level").GetInt32()).Should().Equal(1, 2);
        escalated[1].GetProperty("count").GetInt64().Should().Be(10_100);
        webhook.Received.Count(r => r.Body.Contains("\"rule\":\"mass-read\"", StringComparison.Ordinal)).Should().Be(2);
        syslog.Drain().Count(m => m.Contains(" mass-read [alert@32473", StringComparison.Ordinal)).Should().Be(2);

        // No beneficiary file id in any alert, on any sink.
        var everything = File.ReadAllText(jsonl) + string.Concat(webhook.Received.Select(r => r.Body)) + string.Concat(syslog.Messages);
        files.Take(10_100).Where(f => everything.Contains(f, StringComparison.Ordinal)).Should().BeEmpty();

        var status = Alerts.Run("monitor", "--status", "--state", State);
        status.Exit.Should().Be(0);
        status.Out.Should().Contain("watermark: byte offset " + new FileInfo(Events).Length.ToString(CultureInfo.InvariantCulture))
            .And.Contain("mass-read (level 2) " + demo.ActiveStaff).And.Contain("delivered");
    }

    [Fact]
    public void Should_read_only_whole_lines_and_count_a_line_once()
    {
        var jsonl = Path.Combine(_root, "alerts.jsonl");
        Cycle($"jsonl:{jsonl}").Exit.Should().Be(0);
        var day = demo.LastDay.AddDays(1);
        var lines = MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(1001), day);
        var cut = lines.Length - 10;

        // The last line is half written: it waits, and is read once it is whole.
        File.AppendAllText(Events, lines[..cut]);
        Cycle($"jsonl:{jsonl}").Exit.Should().Be(0);
        Alerts.OfJsonl(jsonl).Should().NotContain(a => a.Rule() == UsageRules.MassRead, "1,000 distinct files is not above the threshold");
        File.AppendAllText(Events, lines[cut..]);
        Cycle($"jsonl:{jsonl}").Exit.Should().Be(0);
        Alerts.OfJsonl(jsonl).Single(a => a.Rule() == UsageRules.MassRead).GetProperty("count").GetInt64().Should().Be(1001);
    }

    [Fact]
    public void Should_refuse_a_truncated_log_in_one_line_and_keep_the_state()
    {
        Cycle().Exit.Should().Be(0);
        var offset = Alerts.Run("monitor", "--status", "--state", State).Out;
        var bytes = File.ReadAllBytes(Events);
        File.WriteAllBytes(Events, bytes[..(bytes.Length / 2)]);

        var (exit, _, error) = Cycle();
        exit.Should().Be(2);
        error.Trim().Should().Contain("truncated").And.NotContain("\n").And.NotContain("   at ");
        Alerts.Run("monitor", "--status", "--state", State).Out.Should().Contain(offset.Split('\n')[1]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Should_refuse_a_replaced_log_of_the_same_or_greater_size(bool changeHead)
    {
        Cycle().Exit.Should().Be(0);
        var text = File.ReadAllText(Events);

        // Same bytes count, one character changed near the start or just before the stored offset, then grown: what
        // was read is no longer what is there.
        var at = changeHead ? text.IndexOf('\n', StringComparison.Ordinal) + 1 : text.LastIndexOf('\n', text.Length - 2) + 1;
        var replaced = text[..at] + (text[at] == 'X' ? "Y" : "X") + text[(at + 1)..] +
            MonitorDemo.Reads(demo.ActiveStaff, demo.FileIds.Take(5), demo.LastDay.AddDays(1));
        File.WriteAllText(Events, replaced);

        var (exit, _, error) = Cycle();
        exit.Should().Be(2);
        error.Trim().Should().Contain("replaced").And.NotContain("\n");
    }

    [Fact]
    public void Should_refuse_bad_sinks_in_one_line()
    {
        foreach (var spec in new[] { "smtp:x", "syslog:localhost", "webhook:http://user:pw@127.0.0.1/x", "jsonl:" })
        {
            var (exit, _, error) = Cycle(spec);
            exit.Should().Be(2, spec);
            error.Trim().Should().StartWith("error: --alert").And.NotContain("\n");
        }

        File.Exists(State).Should().BeFalse("bad options are refused before anything is read or written");
    }

    [Fact]
    public void Should_alert_on_rows_inserted_past_the_watermark_of_an_sqlite_source()
    {
        var database = Path.Combine(_root, "agency.db");
        using (var writer = new AccessAnalyzer.Demo.SqliteCanonicalWriter(database))
        {
            AccessAnalyzer.Demo.DemoGenerator.Generate(new AccessAnalyzer.Demo.DemoOptions(AccessAnalyzer.Demo.DemoScale.Small, 42, new DateOnly(2026, 11, 23)), [writer]);
        }

        var jsonl = Path.Combine(_root, "alerts.jsonl");
        string[] args = ["monitor", "--source", database, "--state", State, "--once", "--alert", $"jsonl:{jsonl}"];
        Alerts.Run(args).Exit.Should().Be(0);

        // A late-arriving row (yesterday's date, inserted now) is read once, by rowid; the dormant account's access alerts.
        var day = demo.LastDay.AddDays(1);
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO access_events (principal_id, file_id, at, action) VALUES ($p, $f, $at, 'read')";
            insert.Parameters.AddWithValue("$p", demo.Dormant);
            insert.Parameters.AddWithValue("$f", demo.FileIds[0]);
            insert.Parameters.AddWithValue("$at", $"{day:yyyy-MM-dd}T09:00:00Z");
            insert.ExecuteNonQuery();
        }

        var (exit, _, error) = Alerts.Run(args);
        exit.Should().Be(0, error);
        var dormant = Alerts.OfJsonl(jsonl).Single();
        dormant.Rule().Should().Be(UsageRules.ActivityFromDormantAccount);
        dormant.GetProperty("account").GetString().Should().Be(demo.Dormant);
        Alerts.Run("monitor", "--status", "--state", State).Out.Should().Contain("watermark: rowid");

        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM access_events";
            delete.ExecuteNonQuery();
        }

        var emptied = Alerts.Run(args);
        emptied.Exit.Should().Be(2);
        emptied.Error.Should().Contain("emptied or recreated");
    }

    [Fact]
    public void Should_not_append_an_alert_the_jsonl_file_already_holds()
    {
        var path = Path.Combine(_root, "alerts.jsonl");
        var alert = new MonitorAlert
        {
            Id = MonitorState.AlertId(UsageRules.MassRead, "S1", new DateOnly(2026, 11, 24), 1),
            Rule = UsageRules.MassRead,
            Severity = "critical",
            Level = 1,
            Account = "S1",
            Organization = "agency",
            Day = "2026-11-24",
            Count = 1001,
            Threshold = 1000,
            Reads = 1001,
            DistinctFiles = 1001,
            OutsideCaseload = 0,
            SensitiveOutsideCaseload = 0,
            WindowStart = "2026-11-24T08:00:00Z",
            WindowEnd = "2026-11-24T09:00:00Z",
            DetectedAt = "2026-11-24T09:00:01.000Z",
        };
        using var sink = new JsonlAlertSink("jsonl:" + path, path);

        // As after a crash between the append and its record: delivered again, written once.
        sink.TryDeliver(alert, out _).Should().BeTrue();
        sink.TryDeliver(alert, out _).Should().BeTrue();
        File.ReadAllLines(path).Should().ContainSingle().Which.Should().Contain(alert.Id);

        // A line torn by a crash holds the id but not the alert: the alert is appended whole, on a line of its own.
        File.WriteAllText(path, alert.ToJson()[..40]);
        sink.TryDeliver(alert, out _).Should().BeTrue();
        File.ReadAllLines(path).Should().Equal(alert.ToJson()[..40], alert.ToJson());
    }

    [Fact]
    public void Should_escape_syslog_structured_data()
    {
        var alert = new MonitorAlert
        {
            Id = "0123",
            Rule = UsageRules.MassRead,
            Severity = "critical",
            Level = 1,
            Account = "a\"b]c\\d",
            Organization = "org",
            Day = "2026-11-24",
            Count = 2,
            Threshold = 1,
            Reads = 2,
            DistinctFiles = 2,
            OutsideCaseload = 0,
            SensitiveOutsideCaseload = 0,
            WindowStart = "s",
            WindowEnd = "e",
            DetectedAt = "2026-11-24T09:00:01.000Z",
        };
        var message = SyslogAlertSink.Format(alert, "host");
        message.Should().StartWith("<34>1 2026-11-24T09:00:01.000Z host accessanalyzer - mass-read [alert@32473 id=\"0123\"");
        message.Should().Contain("account=\"a\\\"b\\]c\\\\d\"");
    }

    [Theory]
    [InlineData(1000, 1000, 0)]
    [InlineData(1001, 1000, 1)]
    [InlineData(10_000, 1000, 1)]
    [InlineData(10_001, 1000, 2)]
    [InlineData(100_001, 1000, 3)]
    [InlineData(1, 0, 1)]
    public void Should_escalate_one_level_per_ten_times_the_threshold(long count, long threshold, int level) =>
        MonitorRules.Level(count, threshold).Should().Be(level);

    [Fact]
    public void Should_apply_the_usage_rules_thresholds_to_a_day()
    {
        var options = new UsageOptions();
        MonitorRules.Evaluate(new DayCounts(5000, 1001, 0, 11, 11), active: false, spike: true, options)
            .Select(a => (a.Rule, a.Severity)).Should().Equal(
                (UsageRules.MassRead, Severity.Critical), (UsageRules.ReadSpike, Severity.High),
                (UsageRules.SensitiveReadsOutsideCaseload, Severity.High), (UsageRules.ActivityFromDormantAccount, Severity.High));
        MonitorRules.Evaluate(new DayCounts(5000, 1000, 0, 10, 10), active: true, spike: false, options).Should().BeEmpty();
    }
}

/// <summary>A backlog read in bounded steps, each committed on its own, ends with the aggregates of one read.</summary>
public sealed class MonitorStepTests(MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    [Fact]
    public void Should_aggregate_a_backlog_read_in_steps_as_in_one_read()
    {
        var csv = Path.Combine(demo.Copy(), "csv");
        var snapshot = Fixtures.TestSources.Load(csv);
        var figures = ReportBuilder.AllFigures(Core.Engine.Analysis.Run(snapshot, new Core.Engine.AnalysisOptions { AsOf = demo.LastDay }));

        List<string> Aggregate(int maxBytes, out int reads)
        {
            var path = Path.Combine(Path.GetDirectoryName(csv)!, $"state-{maxBytes}.db");
            using var state = MonitorState.Open(path, create: true);
            using var feed = new CsvEventFeed(csv, maxBytes);
            reads = 0;
            EventBatch batch;
            do
            {
                batch = feed.ReadAfter(state.Meta());
                state.Commit(batch, snapshot, figures, new UsageOptions(), ["jsonl:x"], DateTimeOffset.UnixEpoch).Baseline.Should().BeTrue();
                reads++;
            }
            while (batch.More);

            state.Meta().Should().ContainKey("caught_up");
            state.Pending("jsonl:x").Should().BeEmpty("a baseline queues nothing, however many steps it takes");
            return MonitorDemo.DayAggregates(path);
        }

        var whole = Aggregate(CsvEventFeed.MaxBytesPerRead, out var one);
        var stepped = Aggregate(100_000, out var many);
        one.Should().Be(1);
        many.Should().BeGreaterThan(10);
        stepped.Should().NotBeEmpty().And.Equal(whole);
    }
}
