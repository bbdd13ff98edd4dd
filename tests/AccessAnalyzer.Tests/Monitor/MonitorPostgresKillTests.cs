using AccessAnalyzer.Tests.Fixtures;
using Npgsql;

namespace AccessAnalyzer.Tests.Monitor;

/// <summary>
/// Crash safety with <c>--state postgres</c>: the same growing log and the same random kills as
/// <see cref="MonitorKillTests"/>, the state in a PostgreSQL schema, end with the aggregates and alerts of an
/// uninterrupted run keeping its state in SQLite: the transaction and the per-sink delivery records hold on both.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MonitorPostgresKillTests(PostgresServer server, MonitorDemo demo) : IClassFixture<MonitorDemo>
{
    [PostgresFact]
    public void Should_end_like_an_uninterrupted_sqlite_run_when_killed_at_random_points_with_the_state_in_postgres()
    {
        var cli = MonitorKillTests.Cli();
        var random = new Random(20261201);
        var pieces = MonitorKillTests.Pieces(demo, random);

        using var calmHook = new WebhookReceiver();
        using var calmSyslog = new SyslogReceiver();
        var calm = demo.Copy();
        foreach (var piece in pieces)
        {
            File.AppendAllText(Path.Combine(calm, "csv", "access_events.csv"), piece);
            var (exit, _, error) = Alerts.Run(MonitorKillTests.Arguments(calm, calmHook, calmSyslog));
            exit.Should().Be(0, error);
        }

        var killed = demo.Copy();
        var connectionFile = Path.Combine(killed, "state-connection");
        File.WriteAllText(connectionFile, server.ConnectionString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var schema = PostgresServer.NewSchema("kill");
        string[] state = ["--state", "postgres", "--state-schema", schema, "--state-connection-file", connectionFile];
        using var killedHook = new WebhookReceiver();
        using var killedSyslog = new SyslogReceiver();
        var kills = 0;
        foreach (var piece in pieces)
        {
            File.AppendAllText(Path.Combine(killed, "csv", "access_events.csv"), piece);
            using (var victim = MonitorKillTests.Start(cli, MonitorKillTests.Arguments(killed, killedHook, killedSyslog, state)))
            {
                if (!victim.WaitForExit(random.Next(150, 1300)))
                {
                    victim.Kill();
                    kills++;
                }

                victim.WaitForExit();
            }

            using var restart = MonitorKillTests.Start(cli, MonitorKillTests.Arguments(killed, killedHook, killedSyslog, state));
            restart.WaitForExit(60_000).Should().BeTrue();
            restart.ExitCode.Should().Be(0, restart.StandardError.ReadToEnd());
        }

        kills.Should().BeGreaterThan(MonitorKillTests.Steps / 3, "most runs must actually be killed for the test to mean anything");

        DayAggregates(schema).Should().Equal(MonitorDemo.DayAggregates(Path.Combine(calm, "state.db")).Order(StringComparer.Ordinal), "no event lost or counted twice");
        var calmFile = Alerts.OfJsonl(Path.Combine(calm, "alerts.jsonl")).Select(a => a.Id()).ToArray();
        var killedFile = Alerts.OfJsonl(Path.Combine(killed, "alerts.jsonl")).Select(a => a.Id()).ToArray();
        calmFile.Should().NotBeEmpty().And.OnlyHaveUniqueItems();
        killedFile.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(calmFile);
        killedHook.Received.Select(r => r.Key).Distinct().Should().BeEquivalentTo(calmFile);
        MonitorKillTests.SyslogIds(killedSyslog).Distinct().Should().BeEquivalentTo(MonitorKillTests.SyslogIds(calmSyslog));
    }

    /// <summary>The schema's aggregates in the form of <see cref="MonitorDemo.DayAggregates"/>, in ordinal order (the server's collation may sort otherwise).</summary>
    private List<string> DayAggregates(string schema)
    {
        using var connection = new NpgsqlConnection(server.ConnectionString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT principal || ' ' || day || ' ' || reads || ' ' || distinct_files || ' ' || outside || ' ' || sensitive_outside FROM {schema}.principal_day";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return [.. rows.Order(StringComparer.Ordinal)];
    }
}
