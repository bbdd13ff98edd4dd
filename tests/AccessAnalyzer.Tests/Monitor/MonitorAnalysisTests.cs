using System.Text.Json;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Sinks.Alerts;
using AccessAnalyzer.Sources.Monitor;
using AccessAnalyzer.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// <c>monitor --analyze-every</c> on a copy of the demo: the first analysis run is a baseline, a grant widened straight
/// in the SQLite database raises one alert naming the assignment on the next run and nothing after, new files make
/// excess-grew fire once, and an alert re-delivered after a crash between append and record is not written twice.
/// </summary>
public sealed class MonitorAnalysisTests(MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    private readonly string _root = demo.Copy();

    private string Csv => Path.Combine(_root, "csv");

    private string State => Path.Combine(_root, "state.db");

    private string Jsonl => Path.Combine(_root, "alerts.jsonl");

    private (int Exit, string Out, string Error) Run(string source, params string[] more) =>
        Alerts.Run([.. new[] { "monitor", "--source", source, "--state", State, "--once", "--analyze-every", "1ms", "--alert", $"jsonl:{Jsonl}" }, .. more]);

    private static void Sql(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static bool Names(JsonElement alert) => alert.TryGetProperty("assignment", out _);

    [Fact]
    public void Should_raise_one_alert_naming_a_grant_widened_in_the_database_and_none_after()
    {
        var database = CsvToSqlite.Copy(Csv, Path.Combine(_root, "agency.db"));
        var first = Run(database, "--policy", Repository.ExamplePolicy);
        first.Exit.Should().Be(0, first.Error);
        first.Error.Should().Contain("analysis run 1").And.Contain("baseline");
        Alerts.OfJsonl(Jsonl).Should().BeEmpty("the first analysis run is the baseline");

        // Straight in production, no reviewed change: the department managers' supervision now covers the whole country.
        Sql(database, "UPDATE assignments SET scope_unit_id = 'NAT' WHERE id = 'AS00004'");
        var second = Run(database, "--policy", Repository.ExamplePolicy);
        second.Exit.Should().Be(0, second.Error);
        var alerts = Alerts.OfJsonl(Jsonl);
        var grant = alerts.Where(Names).Should().ContainSingle().Which;
        grant.Rule().Should().Be(ExposureDrift.GrantWidened);
        grant.GetProperty("assignment").GetString().Should().Be("AS00004");
        grant.GetProperty("subject").GetString().Should().Be("AS00004");
        grant.GetProperty("role").GetString().Should().Be("department-supervision");
        grant.GetProperty("holder_type").GetString().Should().Be("group");
        grant.GetProperty("holder").GetString().Should().Be("grp-managers-R01-D01");
        grant.GetProperty("scope_before").GetString().Should().Contain("R01-D01");
        grant.GetProperty("scope_after").GetString().Should().Contain("NAT");
        grant.GetProperty("run").GetInt64().Should().Be(2);
        grant.GetProperty("count").GetInt64().Should().BeGreaterThan(grant.GetProperty("threshold").GetInt64());
        grant.TryGetProperty("day", out _).Should().BeFalse("an analysis alert carries no usage field");
        alerts.Where(a => a.Rule() != ExposureDrift.GrantWidened).Where(Names).Should().BeEmpty();
        alerts.Select(a => a.Id()).Should().OnlyHaveUniqueItems();

        // No beneficiary file id in any alert.
        var text = File.ReadAllText(Jsonl);
        demo.FileIds.Where(f => text.Contains(f, StringComparison.Ordinal)).Should().BeEmpty();

        // Killed after the append, before the delivery was recorded: delivered again, written once.
        Sql(State, "UPDATE delivery SET delivered_at = NULL");
        var third = Run(database, "--policy", Repository.ExamplePolicy);
        third.Exit.Should().Be(0, third.Error);
        third.Error.Should().Contain("analysis run 3").And.Contain(", 0 alerts");
        Alerts.OfJsonl(Jsonl).Select(a => a.Id()).Should().Equal(alerts.Select(a => a.Id()), "nothing changed since, and nothing is written twice");

        var status = Alerts.Run("monitor", "--status", "--state", State);
        status.Exit.Should().Be(0);
        status.Out.Should().Contain("last analysis: run 3").And.Contain("accounts").And.Contain("0 alerts")
            .And.Contain("grant-widened (analysis run 2) assignment AS00004");
    }

    [Fact]
    public void Should_raise_excess_grew_once_when_files_arrive_in_a_unit_many_reach()
    {
        Run(Csv).Exit.Should().Be(0);
        Alerts.OfJsonl(Jsonl).Should().BeEmpty("the first analysis run is the baseline");

        // 600 new files in one agency: every account reaching it beyond its caseload grows by 600, with no grant changed.
        File.AppendAllLines(Path.Combine(Csv, "files.csv"), Enumerable.Range(1, 600).Select(i => $"FNEW{i:D5},R01-D01-A01,false,false"));
        var (exit, _, error) = Run(Csv);
        exit.Should().Be(0, error);
        var grew = Alerts.OfJsonl(Jsonl);
        grew.Should().NotBeEmpty().And.OnlyContain(a => a.Rule() == ExposureDrift.ExcessGrew);
        grew.Should().OnlyContain(a => a.GetProperty("count").GetInt64() == 600 && a.GetProperty("threshold").GetInt64() == ExposureDrift.DefaultExcessGrowth);
        grew.Select(a => a.GetProperty("account").GetString()).Should().OnlyHaveUniqueItems().And.Contain("S000003", "the department manager reaches every agency of R01-D01");

        Run(Csv).Exit.Should().Be(0);
        Alerts.OfJsonl(Jsonl).Should().HaveCount(grew.Length, "the excess grew once, not at every run");

        // Above the threshold set: nothing.
        File.AppendAllLines(Path.Combine(Csv, "files.csv"), Enumerable.Range(601, 600).Select(i => $"FNEW{i:D5},R01-D01-A01,false,false"));
        Run(Csv, "--excess-growth", "600").Exit.Should().Be(0);
        Alerts.OfJsonl(Jsonl).Should().HaveCount(grew.Length);
    }

    [Fact]
    public void Should_refuse_bad_analysis_options_in_one_line()
    {
        foreach (var args in new[] { new[] { "--analyze-every", "1d" }, ["--excess-growth", "-1"], ["--policy", Path.Combine(_root, "missing.json")], ["--late-window", "5m"] })
        {
            var (exit, _, error) = Alerts.Run([.. new[] { "monitor", "--source", Csv, "--state", State, "--once" }, .. args]);
            exit.Should().Be(2, string.Join(' ', args));
            error.Trim().Should().StartWith("error: " + args[0]).And.NotContain("\n");
        }

        File.Exists(State).Should().BeFalse("bad options are refused before anything is read or written");
    }

    [Fact]
    public void Should_put_the_grant_in_syslog_structured_data_escaped_and_leave_usage_alerts_as_they_were()
    {
        var grant = new MonitorAlert
        {
            Id = "0123",
            Rule = ExposureDrift.GrantWidened,
            Severity = "high",
            Level = 1,
            Count = 10,
            Threshold = 2,
            DetectedAt = "2026-11-24T09:00:01.000Z",
            Run = 2,
            SubjectKind = "assignment",
            Subject = "A\"1]",
            Assignment = "A\"1]",
            Role = "r\\x",
            HolderType = "group",
            Holder = "g",
            ScopeBefore = "b",
            ScopeAfter = "a",
            GateRules = ["forbidden-scope-level", "max-grant-excess"],
            Message = "line\nbreak",
        };
        var message = SyslogAlertSink.Format(grant, "host");
        message.Should().StartWith("<35>1 2026-11-24T09:00:01.000Z host accessanalyzer - grant-widened [alert@32473 id=\"0123\"")
            .And.Contain("assignment=\"A\\\"1\\]\"").And.Contain("role=\"r\\\\x\"").And.Contain("gate_rules=\"forbidden-scope-level,max-grant-excess\"")
            .And.EndWith("grant-widened: line break").And.NotContain("account=");
        var json = JsonDocument.Parse(grant.ToJson()).RootElement;
        json.GetProperty("assignment").GetString().Should().Be("A\"1]");
        json.TryGetProperty("account", out _).Should().BeFalse();

        // A usage alert serializes field for field as before the analysis fields existed.
        var usage = new MonitorAlert
        {
            Id = "1",
            Rule = "mass-read",
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
            WindowStart = "s",
            WindowEnd = "e",
            DetectedAt = "t",
        };
        usage.ToJson().Should().Be("""
            {"id":"1","rule":"mass-read","severity":"critical","level":1,"account":"S1","organization":"agency","unit":null,"day":"2026-11-24","count":1001,"threshold":1000,"reads":1001,"distinct_files":1001,"distinct_outside_caseload":0,"distinct_sensitive_outside_caseload":0,"window_start":"s","window_end":"e","detected_at":"t"}
            """);
    }
}
