using AccessAnalyzer.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Cli;

/// <summary><c>check</c>: every problem of a source in one run, the same for CSV and SQLite; analyze still stops at the first.</summary>
public sealed class CheckCliTests : IDisposable
{
    private readonly AgencyFixture _agency = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _agency.Dispose();
    }

    private static AgencyFixture Clean(AgencyFixture f) => f
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Files("a", "A1", 3).Role("read")
        .Principal("P1", unit: "A1").Principal("P2", unit: "A1")
        .Assign("X1", "read", "P1", scopeUnit: "NAT").Assign("X2", "read", "P2", scope: "caseload")
        .Caseload("a1", "P1").Caseload("a2", "P2");

    /// <summary>
    /// Bad values in three tables (principals: two ACTIF flags; assignments: a French date; files: an OUI flag, a
    /// beneficiary table) and roles without its sensitive column: a CSV directory.
    /// </summary>
    private string BadCsv()
    {
        Clean(_agency)
            .Row("principals", "P3", "staff", "agency", "A1", "Person P3", "ACTIF", "true", "")
            .Row("principals", "P4", "staff", "agency", "A1", "Person P4", "ACTIF", "true", "")
            .Row("assignments", "X3", "read", "P3", "principal", "unit", "A1", "31/08/2026")
            .Row("files", "b1", "A1", "OUI", "false");
        var directory = _agency.WriteCsv();
        File.WriteAllText(Path.Combine(directory, "roles.csv"), "id,name,file_access\nread,Read,true\n");
        return directory;
    }

    [Fact]
    public void A_csv_source_with_three_bad_tables_and_a_missing_column_gives_all_four_problems_in_one_run()
    {
        var directory = BadCsv();
        var (exit, output, error) = AnalyzeCliTests.Run("check", "--source", directory);

        exit.Should().Be(2, error);
        error.Should().BeEmpty();
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Equal(
            "principals.csv: active (column 6): not a boolean (expected true or false): 2 rows (lines 4, 5): 'ACTIF'",
            "  hint: flags written ACTIF: the canonical booleans are true/false (or 1/0); rewrite them in the export",
            "roles.csv:1: sensitive: required column 'sensitive' is missing from the header",
            "  hint: the export must have a header cell 'sensitive' (docs/semantics.md, \"The canonical tables\")",
            "assignments.csv: valid_until (column 7): not an ISO 8601 date (expected YYYY-MM-DD): 1 row (line 4): '31/08/2026'",
            "  hint: dates written DD/MM/YYYY: the canonical form is ISO 8601, YYYY-MM-DD (27/11/2026 is 2026-11-27); rewrite them in the export",
            "files.csv: sensitive (column 3): not a boolean (expected true or false): 1 row (line 5), values withheld (beneficiary data)",
            "  hint: flags written OUI: the canonical booleans are true/false (or 1/0); rewrite them in the export",
            $"4 problem(s) in 4 table(s) of {directory}: fix them, then run check again");
        output.Should().NotContain("OUI'", "values of beneficiary tables are never shown");

        // analyze keeps failing fast, on the first of them.
        var analyze = AnalyzeCliTests.Run("analyze", "--source", directory, "--as-of", "2026-06-30");
        analyze.Exit.Should().Be(2);
        analyze.Err.Should().Be($"error: principals.csv:4: active (column 6): 'ACTIF' is not a boolean (expected true or false){Environment.NewLine}");
    }

    [Fact]
    public void An_sqlite_source_with_the_same_problems_gives_all_four_with_row_numbers_and_sql_hints()
    {
        var directory = BadCsv();
        var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "agency.db"));
        var (exit, output, error) = AnalyzeCliTests.Run("check", "--source", database);

        exit.Should().Be(2, error);
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Equal(
            "principals: active: not a boolean (expected true or false): 2 rows (rows 3, 4): 'ACTIF'",
            "  hint: flags written ACTIF: map them in the view, CASE WHEN upper(trim(active)) IN ('O', 'OUI', 'Y', 'YES', 'ACTIF') THEN 'true' ELSE 'false' END AS active",
            "roles: sensitive: required column 'sensitive' is missing",
            "  hint: name the agency's column 'sensitive' in the view (mapping template: accessanalyzer db template --dialect sqlite, or sql/sqlite/mapping-template.sql)",
            "assignments: valid_until: not an ISO 8601 date (expected YYYY-MM-DD): 1 row (row 3): '31/08/2026'",
            "  hint: dates written DD/MM/YYYY: rewrite them in the view, substr(valid_until, 7, 4) || '-' || substr(valid_until, 4, 2) || '-' || substr(valid_until, 1, 2) AS valid_until",
            "files: sensitive: not a boolean (expected true or false): 1 row (row 4), values withheld (beneficiary data)",
            "  hint: flags written OUI: map them in the view, CASE WHEN upper(trim(sensitive)) IN ('O', 'OUI', 'Y', 'YES', 'ACTIF') THEN 'true' ELSE 'false' END AS sensitive",
            $"4 problem(s) in 4 table(s) of {database}: fix them, then run check again");
    }

    [Fact]
    public void A_clean_source_passes_with_one_line_of_row_counts_and_dangling_references_as_warnings()
    {
        var directory = Clean(_agency).Member("G9", "P1").Group("G1").Member("G1", "0012").WriteCsv();
        var (exit, output, error) = AnalyzeCliTests.Run("check", "--source", directory);

        exit.Should().Be(0, error);
        output.Should().Be(
            "warning: memberships.group_id: 1 row(s) name no row of groups: 'G9'" + Environment.NewLine +
            "warning: memberships.member_id: 1 row(s) name no row of principals: '0012' (ids are compared as text: cast integer keys the same way on both sides, without '.0' or leading zeros)" + Environment.NewLine +
            $"OK {directory}: org_units.csv 2, principals.csv 2, groups.csv 1, memberships.csv 2, roles.csv 1, assignments.csv 2, files.csv 3, caseload.csv 2 rows; analyze can read it" + Environment.NewLine);
    }

    [Fact]
    public void What_only_the_whole_input_shows_is_found_once_the_values_are_clean()
    {
        var directory = Clean(_agency).Principal("P1", unit: "A1").WriteCsv();
        var (exit, output, _) = AnalyzeCliTests.Run("check", "--source", directory);

        exit.Should().Be(2);
        output.Should().StartWith("principals.csv:4: id: duplicate id 'P1' (first at line 2)" + Environment.NewLine);
    }

    [Fact]
    public void A_malformed_csv_row_is_counted_and_the_rest_of_the_table_still_checked()
    {
        var directory = Clean(_agency).WriteCsv();
        File.AppendAllText(Path.Combine(directory, "principals.csv"), "P5,staff,agency\nP6,staff,agency,A1,Person P6,O,true,\n");
        var (exit, output, _) = AnalyzeCliTests.Run("check", "--source", directory);

        exit.Should().Be(2);
        output.Should().StartWith(
            "principals.csv: field count differs from the header's: 1 row (line 4)" + Environment.NewLine +
            "principals.csv: active (column 6): not a boolean (expected true or false): 1 row (line 5): 'O'" + Environment.NewLine);
    }

    [Fact]
    public void An_unmapped_database_names_every_missing_table_and_points_analyze_to_the_template()
    {
        var database = Path.Combine(_agency.Directory, "agency.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE agents (matricule INTEGER, actif TEXT)";
            command.ExecuteNonQuery();
        }

        var analyze = AnalyzeCliTests.Run("analyze", "--source", database, "--as-of", "2026-06-30");
        analyze.Exit.Should().Be(2);
        analyze.Err.Should().Be("error: org_units: required table 'org_units' is missing: create it, or a view of that name over the agency's own table " +
            $"(mapping template: accessanalyzer db template --dialect sqlite, or sql/sqlite/mapping-template.sql){Environment.NewLine}");

        var (exit, output, _) = AnalyzeCliTests.Run("check", "--source", database);
        exit.Should().Be(2);
        output.Split(Environment.NewLine).Where(l => l.Contains("required table", StringComparison.Ordinal)).Select(l => l.Split(':')[0])
            .Should().Equal("org_units", "principals", "groups", "memberships", "roles", "assignments", "files", "caseload");
        output.Should().Contain("  hint: create a view principals (id, kind, organization, unit_id, name, active, mfa, [last_login]) over the agency's own table");
    }

    [Fact]
    public void Db_template_prints_the_mapping_template_of_a_dialect()
    {
        var (exit, output, error) = AnalyzeCliTests.Run("db", "template", "--dialect", "postgres", "--schema", "iam");
        exit.Should().Be(0, error);
        output.Should().StartWith("-- AccessAnalyzer mapping template for PostgreSQL").And.Contain("CREATE OR REPLACE VIEW iam.principals AS");
    }
}
