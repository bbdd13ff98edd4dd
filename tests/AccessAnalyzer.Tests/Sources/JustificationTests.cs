using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Sources;

/// <summary>
/// The optional justifications table: read by every source alike, resolved against roles, resolved assignments and
/// principals, a missing subject a dangling reference, a bad value bad input naming table, line, column and value.
/// </summary>
public sealed class JustificationTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-justif-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Roles read and audit, principals S1 and S2; X1 resolves, X2 names a missing role so it is no assignment of the
    /// snapshot. Justifications: several on X1 (not keyed), spellings in any case, a date-time, three missing subjects.
    /// </summary>
    internal static AgencyFixture Agency() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Files("a", "A1", 2)
        .Role("read").Role("audit", sensitive: true)
        .Principal("S1", unit: "A1").Principal("S2", unit: "A1")
        .Assign("X1", "read", "S1", scopeUnit: "A1").Assign("X2", "gone", "S2", scopeUnit: "A1")
        .Caseload("a1", "S1")
        .Justify("assignment", "X1", "2026-12-31", "covers the unit during leave", "head of unit")
        .Justify("Role", "audit", "2026-01-01", "legal hold, case 12", "legal department")
        .Justify("principal", "S2", "2026-06-30T09:00:00Z", "national statistics", "dpo")
        .Justify("principal", "GHOST", "2026-12-31")
        .Justify("role", "nope", "2026-12-31")
        .Justify("assignment", "X2", "2026-12-31")
        .Justify("ASSIGNMENT", "X1", "2027-03-31", "renewed", "head of unit");

    /// <summary>What <see cref="Agency"/> resolves to, lines as in its CSV file (header on line 1).</summary>
    internal static Justification[] Expected(Snapshot s) =>
    [
        new(JustificationSubject.Assignment, 0, "X1", "covers the unit during leave", "head of unit", new(2026, 12, 31), 2),
        new(JustificationSubject.Role, s.Roles.Ids.IndexOf("audit"), "audit", "legal hold, case 12", "legal department", new(2026, 1, 1), 3),
        new(JustificationSubject.Principal, s.Principals.Ids.IndexOf("S2"), "S2", "national statistics", "dpo", new(2026, 6, 30), 4),
        new(JustificationSubject.Assignment, 0, "X1", "renewed", "head of unit", new(2027, 3, 31), 8),
    ];

    internal static readonly DanglingReference[] ExpectedDangling =
    [
        new("justifications", "subject_id", "GHOST", "principals", "principal justification", 1),
        new("justifications", "subject_id", "X2", "assignments", "assignment justification", 1),
        new("justifications", "subject_id", "nope", "roles", "role justification", 1),
    ];

    [Fact]
    public void Csv_resolves_every_subject_in_source_order_and_reports_missing_ones_as_dangling()
    {
        using var f = Agency();
        var snapshot = f.Load();

        snapshot.Justifications.Should().Equal(Expected(snapshot));
        snapshot.DanglingReferences.Where(d => d.Table == "justifications").Should().Equal(ExpectedDangling);
        snapshot.Inputs.Justifications.Should().Be(new TableStatus(OptionalTables.Justifications, TablePresence.Rows, 7));
        snapshot.Justifications.Count(j => j.IsInForce(new DateOnly(2026, 6, 30))).Should().Be(3, "the expiry day itself is still in force");
    }

    [Fact]
    public void Sqlite_copy_and_db_load_into_sqlite_give_the_justifications_of_the_csv()
    {
        using var f = Agency();
        var csv = f.WriteCsv();
        var fromCsv = TestSources.Load(csv);
        var copy = TestSources.Load(CsvToSqlite.Copy(csv, Path.Combine(_root, "copy.db")));

        var loadedPath = Path.Combine(_root, "loaded.db");
        var load = DbCommandTests.Db("db", "load", "--dialect", "sqlite", "--database", loadedPath, "--from", csv);
        load.Exit.Should().Be(0, load.Err);
        load.Out.Should().Contain("justifications 7");
        var loaded = TestSources.Load(loadedPath);

        foreach (var fromDatabase in new[] { copy, loaded })
        {
            // A database numbers rows from 1; the CSV file counts its header line.
            fromDatabase.Justifications.Should().Equal(fromCsv.Justifications.Select(j => j with { Line = j.Line - 1 }));
            SnapshotComparer.Describe(fromDatabase, emptyTablesAsAbsent: true).Should().Be(SnapshotComparer.Describe(fromCsv, emptyTablesAsAbsent: true));
        }
    }

    [Fact]
    public void Absent_and_header_only_tables_resolve_to_no_justification_and_say_which()
    {
        using var f = CoverageFixture();
        var directory = f.WriteCsv();
        var absent = TestSources.Load(directory);
        absent.Justifications.Should().BeEmpty();
        absent.Inputs.Justifications.Presence.Should().Be(TablePresence.Absent);

        File.WriteAllText(Path.Combine(directory, "justifications.csv"), "subject_type,subject_id,reason,owner,expires\n");
        var empty = TestSources.Load(directory);
        empty.Justifications.Should().BeEmpty();
        empty.Inputs.Justifications.Should().Be(new TableStatus(OptionalTables.Justifications, TablePresence.Empty, 0));
        Core.Reporting.Coverage.Of(empty, AgencyFixture.AsOf).Single(c => c.Check == "justifications").Ran.Should().BeFalse();
    }

    [Theory]
    [InlineData("group,S1,r,o,2026-12-31", "subject_type (column 1)", "'group' is not one of role, assignment, principal", false)]
    [InlineData(",S1,r,o,2026-12-31", "subject_type (column 1)", "'' is not one of role, assignment, principal", false)]
    [InlineData("principal,,r,o,2026-12-31", "subject_id (column 2)", "empty subject_id", false)]
    [InlineData("principal,S1,r,o,31/08/2026", "expires (column 5)", "'31/08/2026' is not an ISO 8601 date (expected YYYY-MM-DD)", true)]
    [InlineData("principal,S1,r,o,", "expires (column 5)", "empty date (expected YYYY-MM-DD)", true)]
    public void Bad_values_are_bad_input_naming_table_line_column_and_value(string row, string column, string problem, bool loaderRefuses)
    {
        using var f = CoverageFixture();
        var directory = f.WriteCsv();
        File.WriteAllText(Path.Combine(directory, "justifications.csv"), "subject_type,subject_id,reason,owner,expires\n" + row + "\n");

        var read = () => TestSources.Load(directory);
        read.Should().Throw<InputErrorException>().Which.Message.Should().Be($"justifications.csv:2: {column}: {problem}");

        // A database holding the same text is refused with its row number and the same words.
        var databaseMessage = $"justifications:1: {column.Split(' ')[0]}: {problem}";
        var database = CsvToSqlite.Copy(directory, Path.Combine(_root, "bad-copy.db"));
        var fromSqlite = () => TestSources.Load(database);
        fromSqlite.Should().Throw<InputErrorException>().Which.Message.Should().Be(databaseMessage);

        // db load types dates as it loads them, so a bad date never reaches the database; other values, as in every
        // table, are text until the analysis reads them.
        var loaded = Path.Combine(_root, "loaded.db");
        var load = DbCommandTests.Db("db", "load", "--dialect", "sqlite", "--database", loaded, "--from", directory);
        if (loaderRefuses)
        {
            load.Exit.Should().Be(2);
            load.Err.Should().Contain($"justifications.csv:2: {column}: {problem}");
        }
        else
        {
            load.Exit.Should().Be(0, load.Err);
            var fromLoaded = () => TestSources.Load(loaded);
            fromLoaded.Should().Throw<InputErrorException>().Which.Message.Should().Be(databaseMessage);
        }
    }

    [Fact]
    public void Canonical_schema_lists_the_table_as_optional_with_a_required_expiry_date()
    {
        var table = CanonicalSchema.Get("justifications");
        table.Required.Should().BeFalse();
        table.Personal.Should().BeFalse("justifications describe grants and accounts, not beneficiaries: values may be shown");
        table.Columns.Select(c => c.Name).Should().Equal("subject_type", "subject_id", "reason", "owner", "expires");
        table.Columns[^1].Should().Be(new CanonicalColumn("expires", ColumnKind.Date));
    }

    private static AgencyFixture CoverageFixture() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Files("a", "A1", 1)
        .Role("read")
        .Principal("S1", unit: "A1")
        .Assign("X1", "read", "S1", scope: "caseload").Caseload("a1", "S1");
}

/// <summary>The justifications table through a real PostgreSQL server, loaded with db load: the same snapshot as the CSV.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJustificationTests(PostgresServer server)
{
    [PostgresFact]
    public void Db_load_into_postgres_gives_the_justifications_of_the_csv()
    {
        using var f = JustificationTests.Agency();
        var csv = f.WriteCsv();
        var schema = PostgresServer.NewSchema("justif");
        using (var connection = server.Open())
        {
            var loaded = CanonicalLoader.LoadCsv(PostgresProvider.Instance, connection, new PostgresDialect(schema), csv);
            loaded.RowsPerTable["justifications"].Should().Be(7);
        }

        var connectionString = server.ConnectionString();
        var fromPostgres = new SourceResolver()
            .Resolve("postgres", new SourceOptions { Schema = schema, Environment = _ => connectionString }).Read().Snapshot();
        var fromCsv = TestSources.Load(csv);

        fromPostgres.Justifications.Should().Equal(fromCsv.Justifications.Select(j => j with { Line = j.Line - 1 }));
        fromPostgres.Justifications.Select(j => j with { Line = 0 })
            .Should().Equal(JustificationTests.Expected(fromPostgres).Select(j => j with { Line = 0 }));
        fromPostgres.DanglingReferences.Where(d => d.Table == "justifications").Should().Equal(JustificationTests.ExpectedDangling);
        SnapshotComparer.Describe(fromPostgres, emptyTablesAsAbsent: true).Should().Be(SnapshotComparer.Describe(fromCsv, emptyTablesAsAbsent: true));
    }
}
