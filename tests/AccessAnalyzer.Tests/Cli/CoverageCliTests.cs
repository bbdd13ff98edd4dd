using System.Diagnostics;
using System.Text.Json;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>
/// Coverage: <c>analyze</c> says, for each check that depends on an optional input, whether it ran and why not. An
/// absent, header-only or unreadable table is never silent, and a directory named like a table no longer reads as
/// "no such table".
/// </summary>
public sealed class CoverageCliTests
{
    private static readonly string[] Checks = ["access-log", "account-policy", "last-login", "shares", "justifications"];

    /// <summary>Every table present: an account policy, a share, access events and a last login.</summary>
    private static AgencyFixture Complete() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Files("a", "A1", 3)
        .Role("read")
        .Principal("S1", unit: "A1", lastLogin: "2026-06-01").Principal("S2", unit: "A1")
        .Assign("X1", "read", "S1", scope: "caseload").Caseload("a1", "S1").Caseload("a2", "S2")
        .Share("a3", "S2")
        .Policy("agency", 5, mfaRequired: true)
        .Event("S1", "a1", "2026-06-01T10:00:00Z").Event("S1", "a2", "2026-06-02")
        .Justify("assignment", "X1", "2026-12-31").Justify("principal", "S2", "2026-06-30").Justify("role", "read", "2026-06-29");

    /// <summary>The same agency without any optional table.</summary>
    private static AgencyFixture Bare() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Files("a", "A1", 3)
        .Role("read")
        .Principal("S1", unit: "A1").Principal("S2", unit: "A1")
        .Assign("X1", "read", "S1", scope: "caseload").Caseload("a1", "S1").Caseload("a2", "S2");

    private static Dictionary<string, (bool Ran, string Reason)> Coverage(string directory)
    {
        var (exit, output, error) = AnalyzeCliTests.Run("analyze", "--source", directory, "--as-of", "2026-06-30", "--format", "json");
        exit.Should().Be(0, error);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        names.IndexOf("coverage").Should().Be(names.IndexOf("totals") + 1, "coverage follows totals in the contract");
        var items = json.RootElement.GetProperty("coverage").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("check").GetString()).Should().Equal(Checks);
        items.Should().OnlyContain(i => i.GetProperty("reason").GetString()!.Length > 0);
        return items.ToDictionary(
            i => i.GetProperty("check").GetString()!,
            i => (i.GetProperty("ran").GetBoolean(), i.GetProperty("reason").GetString()!));
    }

    [Fact]
    public void Should_say_every_check_ran_when_every_optional_input_is_there()
    {
        using var f = Complete();
        var coverage = Coverage(f.WriteCsv());
        coverage["access-log"].Should().Be((true, "access_events: 2 events from 2026-06-01 to 2026-06-02; usage rules ran"));
        coverage["account-policy"].Should().Be((true, "account_policy: 1 row(s); lockout-threshold-too-high, mfa-not-required ran"));
        coverage["last-login"].Should().Be((true, "principals.last_login is set for 1 of 2 accounts; dormancy counts days since the last login"));
        coverage["shares"].Should().Be((true, "shares: 1 row(s); files shared to single accounts count in reach"));
        coverage["justifications"].Should().Be((true,
            "justifications: 3 row(s), 2 in force on 2026-06-30, 1 expired; reach they cover is reported as justified, not excess"));
    }

    [Fact]
    public void Should_count_justifications_of_missing_subjects_apart_and_report_them_as_dangling()
    {
        using var f = Complete().Justify("principal", "GHOST", "2026-12-31");
        var directory = f.WriteCsv();
        Coverage(directory)["justifications"].Should().Be((true,
            "justifications: 4 row(s), 2 in force on 2026-06-30, 1 expired, 1 naming no existing subject; reach they cover is reported as justified, not excess"));
        TestSources.Load(directory).DanglingReferences.Should().ContainSingle()
            .Which.Should().Be(new Core.Model.DanglingReference("justifications", "subject_id", "GHOST", "principals", "principal justification", 1));
    }

    [Fact]
    public void Should_say_which_checks_did_not_run_when_the_optional_tables_are_absent()
    {
        using var f = Bare();
        var coverage = Coverage(f.WriteCsv());
        coverage.Values.Should().OnlyContain(c => !c.Ran);
        coverage["access-log"].Reason.Should().StartWith("access_events is absent: the usage rules (mass-read, read-spike,")
            .And.EndWith("did not run, and no exercised excess is shown");
        coverage["account-policy"].Reason.Should().Be(
            "account_policy is absent: lockout thresholds and MFA requirements were not checked (lockout-threshold-too-high, mfa-not-required)");
        coverage["last-login"].Reason.Should().Be("principals.last_login is empty in every row: dormancy is judged on the active flag only");
        coverage["shares"].Reason.Should().Be("shares is absent: files shared to single accounts are not counted in reach");
    }

    [Fact]
    public void Should_tell_a_header_only_table_from_an_absent_one()
    {
        using var f = Complete();
        var directory = f.WriteCsv();
        File.WriteAllText(Path.Combine(directory, "access_events.csv"), "principal_id,file_id,at,action\n");
        File.WriteAllText(Path.Combine(directory, "account_policy.csv"), "organization,lockout_threshold,mfa_required\n");
        File.WriteAllText(Path.Combine(directory, "shares.csv"), "file_id,principal_id,valid_until\n");
        File.WriteAllText(Path.Combine(directory, "justifications.csv"), "subject_type,subject_id,reason,owner,expires\n");
        var coverage = Coverage(directory);
        coverage["justifications"].Should().Be((false, "justifications is empty (no rows): every reach beyond the caseload counts as excess"));
        coverage["access-log"].Ran.Should().BeFalse();
        coverage["access-log"].Reason.Should().StartWith("access_events is empty (no rows): the usage rules");
        coverage["account-policy"].Should().Be((false,
            "account_policy is empty (no rows): lockout thresholds and MFA requirements were not checked (lockout-threshold-too-high, mfa-not-required)"));
        coverage["shares"].Should().Be((false, "shares is empty (no rows): files shared to single accounts are not counted in reach"));
        coverage["last-login"].Ran.Should().BeTrue();
    }

    [Fact]
    public void Should_say_the_same_of_an_sqlite_copy_with_empty_tables()
    {
        using var f = Complete();
        var directory = f.WriteCsv();
        File.WriteAllText(Path.Combine(directory, "access_events.csv"), "principal_id,file_id,at,action\n");
        File.Delete(Path.Combine(directory, "account_policy.csv"));
        File.WriteAllText(Path.Combine(directory, "justifications.csv"), "subject_type,subject_id,reason,owner,expires\n");
        var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));
        Coverage(database).Should().BeEquivalentTo(Coverage(directory), "an empty or missing table reads the same from CSV and SQLite");
        Coverage(database)["access-log"].Reason.Should().StartWith("access_events is empty (no rows)");
        Coverage(database)["account-policy"].Reason.Should().StartWith("account_policy is absent");
        Coverage(database)["justifications"].Reason.Should().StartWith("justifications is empty (no rows)");
    }

    [Fact]
    public void Should_report_a_directory_named_like_a_table_as_not_a_regular_file_and_still_analyze()
    {
        using var f = Complete();
        var directory = f.WriteCsv();
        foreach (var table in new[] { "access_events", "shares", "justifications" })
        {
            File.Delete(Path.Combine(directory, table + ".csv"));
            Directory.CreateDirectory(Path.Combine(directory, table + ".csv"));
        }

        var coverage = Coverage(directory);
        coverage["access-log"].Should().Be((false,
            "access_events.csv is not a regular file (a directory or special file): the usage rules (mass-read, read-spike, " +
            "sensitive-reads-outside-caseload, activity-from-dormant-account, reads-outside-caseload, log-retention-too-short, " +
            "no-activity-logged) did not run, and no exercised excess is shown"));
        coverage["shares"].Should().Be((false, "shares.csv is not a regular file (a directory or special file): files shared to single accounts are not counted in reach"));
        coverage["justifications"].Should().Be((false,
            "justifications.csv is not a regular file (a directory or special file): every reach beyond the caseload counts as excess"));
        coverage["account-policy"].Ran.Should().BeTrue();
    }

    [Fact]
    public void Should_report_a_fifo_named_like_a_table_without_waiting_on_it()
    {
        using var f = Complete();
        var directory = f.WriteCsv();
        var fifo = Path.Combine(directory, "account_policy.csv");
        File.Delete(fifo);
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
            mkfifo.ExitCode.Should().Be(0);
        }

        // Read as a file, a FIFO with no writer would block the analysis for ever.
        Coverage(directory)["account-policy"].Reason.Should().StartWith("account_policy.csv is not a regular file (a directory or special file)");
    }

    [Fact]
    public void Should_refuse_a_required_table_that_is_a_directory_naming_it()
    {
        using var f = Bare();
        var directory = f.WriteCsv();
        File.Delete(Path.Combine(directory, "roles.csv"));
        Directory.CreateDirectory(Path.Combine(directory, "roles.csv"));
        var (exit, _, error) = AnalyzeCliTests.Run("analyze", "--source", directory, "--as-of", "2026-06-30", "--format", "json");
        exit.Should().Be(2);
        error.Should().Contain("roles.csv: required table 'roles' cannot be read: roles.csv in").And.Contain("is a directory, not a regular file");
    }

    [Fact]
    public void Should_tell_a_missing_last_login_column_from_an_empty_one()
    {
        using var f = Bare();
        var directory = f.WriteCsv();
        File.WriteAllText(Path.Combine(directory, "principals.csv"),
            "id,kind,organization,unit_id,name,active,mfa\nS1,staff,agency,A1,One,true,true\nS2,staff,agency,A1,Two,true,true\n");
        Coverage(directory)["last-login"].Should().Be((false, "principals has no last_login column: dormancy is judged on the active flag only"));
    }

    [Fact]
    public void Should_refuse_a_justifications_table_without_its_columns()
    {
        using var f = Bare();
        var directory = f.WriteCsv();
        File.WriteAllText(Path.Combine(directory, "justifications.csv"), "principal_id,unit_id,reason\nS1,A1,audit\n");
        var (exit, _, error) = AnalyzeCliTests.Run("analyze", "--source", directory, "--as-of", "2026-06-30");
        exit.Should().Be(2);
        error.Should().Contain("justifications.csv").And.Contain("required column 'subject_type' is missing");
    }

    [Fact]
    public void Should_list_what_was_not_checked_before_the_figures_in_the_table_output()
    {
        using var f = Bare();
        var (exit, output, error) = AnalyzeCliTests.Run("analyze", "--source", f.WriteCsv(), "--as-of", "2026-06-30");
        exit.Should().Be(0, error);
        var notChecked = output.IndexOf("Not checked", StringComparison.Ordinal);
        notChecked.Should().BePositive();
        notChecked.Should().BeLessThan(output.IndexOf("Principals", StringComparison.Ordinal), "coverage comes before the figures");
        output.Should().Contain("access-log").And.Contain("account_policy is absent").And.Contain("justifications");

        using var complete = Complete();
        var (_, full, _) = AnalyzeCliTests.Run("analyze", "--source", complete.WriteCsv(), "--as-of", "2026-06-30");
        full.Should().NotContain("Not checked", "every optional input is there").And.NotContain("access-log");
    }
}
