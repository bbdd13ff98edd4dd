using AccessAnalyzer.Demo;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Sources.SqlServer;
using AccessAnalyzer.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// The dialect layer's SQL as text. SQL Server cannot run on this machine: what it would be sent is checked here,
/// statement by statement, against the T-SQL rules it must follow.
/// </summary>
public sealed class DialectTests
{
    private static readonly SqlServerDialect SqlServer = new();

    [Fact]
    public void Sql_server_names_are_bracket_quoted_and_schema_qualified()
    {
        SqlServer.Schema.Should().Be("aa");
        SqlServer.Table("files").Should().Be("[aa].[files]");
        new SqlServerDialect("agency_x").Table("caseload").Should().Be("[agency_x].[caseload]");
        SqlServer.Quote("we]ird").Should().Be("[we]]ird]");
        SqlServer.DisplayName("files").Should().Be("aa.files");
        SqlServer.ColumnsSql("shares").Should().Be("SELECT * FROM [aa].[shares] WHERE 1 = 0");
    }

    [Fact]
    public void Sql_server_aggregations_use_count_big_and_no_boolean_expressions_or_select_aliases_in_group_by()
    {
        SqlServer.FileCountsSql.Should().StartWith("SELECT unit_id, sensitive, closed, COUNT_BIG(*) AS n,")
            .And.EndWith("FROM [aa].[files] GROUP BY unit_id, sensitive, closed");

        var caseload = SqlServer.CaseloadCountsSql;
        caseload.Should().Contain("FROM (SELECT DISTINCT file_id, principal_id FROM [aa].[caseload]) AS c")
            .And.Contain("LEFT JOIN [aa].[files] AS f ON f.id = c.file_id")
            .And.Contain("GROUP BY c.principal_id, CASE WHEN f.id IS NULL THEN 0 ELSE 1 END, f.unit_id, f.sensitive, f.closed")
            .And.Contain("COUNT_BIG(*) AS n")
            .And.NotContain("LIMIT").And.NotContain(" IS NOT NULL AS ").And.NotContain("GROUP BY found");

        SqlServer.SharesSql(hasValidUntil: false).Should().Contain("NULL AS valid_until")
            .And.Contain("CASE WHEN EXISTS (SELECT 1 FROM [aa].[caseload] AS c WHERE c.file_id = s.file_id AND c.principal_id = s.principal_id) THEN 1 ELSE 0 END AS in_caseload");
        SqlServer.SharesSql(hasValidUntil: true).Should().Contain("s.valid_until AS valid_until");

        // The access log in one statement of plain GROUP BYs (Synapse refuses GROUPING SETS), no LATERAL or FILTER.
        var grouped = SqlServer.AccessEventsGroupedSql;
        grouped.Should().Contain("SELECT 1 AS g, e.principal_id, e.day, NULL AS unit_id,")
            .And.Contain("FROM e GROUP BY e.principal_id, e.day").And.Contain("FROM e GROUP BY e.principal_id, e.unit_id")
            .And.NotContain("GROUPING")
            .And.Contain("LEFT(CONVERT(VARCHAR(40), a.at, 126), 10) AS day")
            .And.Contain("COUNT_BIG(*) AS reads")
            .And.NotContain("LATERAL").And.NotContain("FILTER").And.NotContain("LIMIT");
        SqlServer.AccessEventCountsSql.Should().Contain("COUNT_BIG(*) AS events")
            .And.Contain("LEFT JOIN [aa].[principals] AS p ON p.id = a.principal_id");
        SqlServer.FileIdDeclaredUniqueSql.Should().Contain("sys.indexes").And.Contain("@schema").And.Contain("is_unique = 1")
            .And.Contain("is_hypothetical = 0");
    }

    [Fact]
    public void Sql_server_id_checks_count_trailing_spaces_and_never_read_an_id()
    {
        SqlServer.FileCountsSql.Should().Contain(
            "SUM(CASE WHEN id IS NULL OR (LEN(id + N'.') - 1) = 0 OR (LEN(id + N'.') - 1) > @max THEN 1 ELSE 0 END) AS bad_ids")
            .And.Contain("FROM [aa].[files] GROUP BY unit_id, sensitive, closed").And.NotContain("SELECT id");
        SqlServer.DuplicateFileIdSql.Should().Be(
            "SELECT CASE WHEN EXISTS (SELECT id FROM [aa].[files] GROUP BY id HAVING COUNT(*) > 1) THEN 1 ELSE 0 END");
    }

    [Fact]
    public void Sql_server_privilege_check_asks_has_perms_by_name_for_insert_update_and_delete()
    {
        var sql = SqlServer.WritableTablesSql(["files", "caseload"])!;
        sql.Should().Contain("WHERE s.name = @schema AND o.name IN ('files', 'caseload') AND o.type IN ('U', 'V')");
        foreach (var permission in new[] { "INSERT", "UPDATE", "DELETE" })
        {
            sql.Should().Contain($"HAS_PERMS_BY_NAME(QUOTENAME(s.name) + N'.' + QUOTENAME(o.name), N'OBJECT', N'{permission}') = 1");
        }

        SqlServer.ListRelationsSql.Should().Contain("sys.objects").And.Contain("@schema");
        SqlServer.MaxParameters.Should().BeLessThan(2100);
        var inject = () => SqlServer.WritableTablesSql(["files'; DROP TABLE x; --"]);
        inject.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Postgres_privilege_check_uses_has_table_privilege()
    {
        new PostgresDialect().WritableTablesSql(["files"]).Should()
            .Contain("has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')").And.Contain("n.nspname = @schema");
        SqliteDialect.Instance.WritableTablesSql(["files"]).Should().BeNull("SQLite has no logins; the source opens the file read-only");
    }

    [Fact]
    public void Dialects_state_what_the_reader_branches_on_rather_than_being_told_apart_by_type()
    {
        ISqlDialect sqlite = SqliteDialect.Instance, postgres = new PostgresDialect(), sqlServer = SqlServer;
        sqlite.AggregatesAccessLogInProcess.Should().BeTrue();
        postgres.AggregatesAccessLogInProcess.Should().BeFalse();
        sqlServer.AggregatesAccessLogInProcess.Should().BeFalse();

        // SQLite's timeout is the wait for a lock: the driver's default stays; servers run long aggregations unbounded.
        sqlite.CommandTimeoutSeconds.Should().BeNull();
        postgres.CommandTimeoutSeconds.Should().Be(0);
        sqlServer.CommandTimeoutSeconds.Should().Be(0);

        postgres.UtcSessionSql.Should().Be("SET TIME ZONE 'UTC'");
        sqlite.UtcSessionSql.Should().BeNull();
        sqlServer.UtcSessionSql.Should().BeNull();
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("semi;colon")]
    [InlineData("x\"y")]
    [InlineData("")]
    public void Schema_names_are_plain_lower_case_identifiers(string schema)
    {
        var postgres = () => new PostgresDialect(schema);
        postgres.Should().Throw<ArgumentException>();
        var sqlServer = () => new SqlServerDialect(schema);
        sqlServer.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Values_are_stored_as_each_database_types_them()
    {
        var date = new DateOnly(2026, 6, 30);
        SqliteDialect.Instance.ToDbBoolean(true).Should().Be("true");
        SqliteDialect.Instance.ToDbDate(date).Should().Be("2026-06-30");
        new PostgresDialect().ToDbBoolean(false).Should().Be(false);
        new PostgresDialect().ToDbDate(date).Should().Be(date);
        SqlServer.ToDbDate(date).Should().Be(new DateTime(2026, 6, 30));
        SqlServer.ToDbBoolean(true).Should().Be(true);
    }

    public static TheoryData<string, string> Scripts()
    {
        var data = new TheoryData<string, string>();
        foreach (var dialect in new[] { "sqlite", "postgres", "sqlserver" })
        {
            foreach (var script in new[] { SqlScripts.Schema, SqlScripts.ReportTables, SqlScripts.Views, SqlScripts.Grants, SqlScripts.MappingTemplate })
            {
                data.Add(dialect, script);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Every_script_exists_and_a_configured_schema_replaces_aa_everywhere(string dialect, string script)
    {
        var text = SqlScripts.Text(dialect, script);
        text.Should().StartWith("-- AccessAnalyzer");
        var moved = SqlScripts.Text(dialect, script, "agency_x");
        moved.Should().NotMatchRegex(@"(?<![\w$])aa\.").And.NotContain("'aa'").And.NotMatchRegex(@"SCHEMA (IF NOT EXISTS )?aa\b");
        if (dialect != "sqlite" && script is not SqlScripts.MappingTemplate)
        {
            moved.Should().Contain("agency_x.");
        }

        // Role names are not schema names.
        moved.Contains("aa_reader", StringComparison.Ordinal).Should().Be(text.Contains("aa_reader", StringComparison.Ordinal));
    }

    [Fact]
    public void Sql_server_scripts_split_on_go_and_keep_each_view_alone_in_its_batch()
    {
        var schema = SqlScripts.Statements("sqlserver", SqlScripts.Schema);
        schema.Should().NotContain(s => s.Equals("GO", StringComparison.OrdinalIgnoreCase));
        schema.Count(SqlScripts.IsIndex).Should().Be(5);
        schema.Count(s => s.Contains("CREATE TABLE", StringComparison.Ordinal)).Should().Be(12);
        schema.Should().OnlyContain(s => !s.Contains("--", StringComparison.Ordinal));

        var views = SqlScripts.Statements("sqlserver", SqlScripts.Views);
        views.Should().HaveCount(5).And.OnlyContain(v => v.StartsWith("CREATE OR ALTER VIEW aa.report_", StringComparison.Ordinal));
        views.Should().NotContain(v => v.Contains("RECURSIVE", StringComparison.Ordinal) || v.Contains("LIMIT", StringComparison.Ordinal));

        var reportTables = SqlScripts.Statements("sqlserver", SqlScripts.ReportTables);
        reportTables.Where(s => s.Contains("CREATE TABLE", StringComparison.Ordinal)).Should().HaveCount(7)
            .And.OnlyContain(s => s.StartsWith("IF OBJECT_ID(N'aa.report_", StringComparison.Ordinal));

        // A store made by an earlier version gets each later column once: every ADD is its own guarded statement.
        var added = reportTables.Where(s => s.Contains("ALTER TABLE", StringComparison.Ordinal)).ToList();
        added.Should().HaveCount(CanonicalLoader.AddedReportColumns.Count)
            .And.OnlyContain(s => s.StartsWith("IF COL_LENGTH(N'aa.report_", StringComparison.Ordinal) && s.EndsWith(" bigint;", StringComparison.Ordinal));
        foreach (var (table, column) in CanonicalLoader.AddedReportColumns)
        {
            added.Should().Contain($"IF COL_LENGTH(N'aa.{table}', N'{column}') IS NULL ALTER TABLE aa.{table} ADD {column} bigint;");
        }

        SqlScripts.Statements("sqlserver", SqlScripts.Grants).Should().Contain("GRANT INSERT ON aa.report_coverage TO aa_writer;")
            .And.Contain("GRANT INSERT ON aa.report_organizations TO aa_writer;");
        SqlServer.ListColumnsSql.Should().Contain("sys.columns").And.Contain("@table").And.Contain("@schema");
        SqlScripts.Statements("sqlserver", SqlScripts.Grants).Should().Contain("GRANT SELECT ON aa.files TO aa_reader;")
            .And.Contain("GRANT INSERT ON aa.report_runs TO aa_writer;")
            .And.NotContain(s => s.Contains("UPDATE", StringComparison.Ordinal) || s.Contains("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public void Postgres_do_blocks_stay_one_statement()
    {
        var grants = SqlScripts.Statements("postgres", SqlScripts.Grants);
        grants[0].Should().StartWith("DO $$").And.EndWith("$$;");
        grants.Should().HaveCount(4);
    }

    /// <summary>
    /// sql/sqlite/schema.sql run the way the demo writer runs it (its tables, then its indexes) in a real in-memory
    /// SQLite database: every canonical table and column of the source's contract is there, with the declared type,
    /// nullability and key the loader relies on, the aggregation indexes cover the columns they group by, and the
    /// source reads a filled copy of that schema.
    /// </summary>
    [Fact]
    public void Sqlite_schema_script_creates_every_canonical_table_and_column_the_source_reads()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        foreach (var statement in SqliteSchema.TableStatements.Concat(SqliteSchema.IndexStatements))
        {
            Sqlite(connection, statement);
        }

        var tables = SqliteRows(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").Select(r => (string)r[0]!).ToList();
        tables.Should().BeEquivalentTo(CanonicalSchema.TableNames, "the script creates the canonical tables and nothing else");

        static string Expected(CanonicalTableDefinition table, CanonicalColumn column) =>
            $"{table.Name}.{column.Name} {(column.Kind == ColumnKind.Integer ? "INTEGER" : "TEXT")}" +
            $"{(column.Nullable ? "" : " NOT NULL")}{(column.Name == "id" ? " PRIMARY KEY" : "")}";
        foreach (var table in CanonicalSchema.Tables)
        {
            var actual = SqliteRows(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table.Name}') ORDER BY cid")
                .Select(r => $"{table.Name}.{r[0]} {r[1]}{((long)r[2]! == 1 ? " NOT NULL" : "")}{((long)r[3]! == 1 ? " PRIMARY KEY" : "")}");
            actual.Should().Equal(table.Columns.Select(c => Expected(table, c)), $"{table.Name} has the contract's columns in order");
        }

        var indexes = SqliteRows(connection, """
            SELECT m.name, m.tbl_name, group_concat(i.name, ',')
            FROM sqlite_master AS m, pragma_index_info(m.name) AS i
            WHERE m.type = 'index' AND m.sql IS NOT NULL GROUP BY m.name ORDER BY m.name
            """).Select(r => $"{r[0]} ON {r[1]} ({r[2]})");
        indexes.Should().Equal(
            "ix_caseload_file_principal ON caseload (file_id,principal_id)",
            "ix_caseload_principal ON caseload (principal_id)",
            "ix_files_unit_class ON files (unit_id,sensitive,closed)",
            "ix_shares_file ON shares (file_id)");

        // One row in every table, named column by column: the source's queries run against what the script created.
        Sqlite(connection, """
            INSERT INTO org_units (id, parent_id, kind, name) VALUES ('NAT', NULL, 'national', 'National'), ('A1', 'NAT', 'agency', 'Agency 1');
            INSERT INTO principals (id, kind, organization, unit_id, name, active, mfa, last_login) VALUES ('P1', 'staff', 'agency', 'A1', 'Pat', 'true', 'false', '2026-06-01');
            INSERT INTO groups (id, name) VALUES ('G1', 'Agency 1');
            INSERT INTO memberships (group_id, member_id, member_type) VALUES ('G1', 'P1', 'principal');
            INSERT INTO roles (id, name, file_access, sensitive) VALUES ('read', 'Read', 'true', 'true');
            INSERT INTO assignments (id, role_id, holder_id, holder_type, scope, scope_unit_id, valid_until) VALUES ('X1', 'read', 'G1', 'group', 'unit', 'A1', NULL);
            INSERT INTO files (id, unit_id, sensitive, closed) VALUES ('F1', 'A1', 'false', 'false'), ('F2', 'A1', 'true', 'false'), ('F3', 'NAT', 'false', 'true');
            INSERT INTO caseload (file_id, principal_id) VALUES ('F1', 'P1');
            INSERT INTO shares (file_id, principal_id, valid_until) VALUES ('F3', 'P1', NULL);
            INSERT INTO access_events (principal_id, file_id, at, action) VALUES ('P1', 'F2', '2026-06-02T09:30:00Z', 'read');
            INSERT INTO account_policy (organization, lockout_threshold, mfa_required) VALUES ('agency', 5, 'true');
            """);
        var read = new DatabaseReader(connection, SqliteDialect.Instance, "memory").Read();
        read.AccountPolicies.Should().ContainSingle();
        read.Usage!.Events.Should().Be(1);
        var snapshot = Core.Model.SnapshotBuilder.Build(read);
        snapshot.FileCount.Should().Be(3);
        var p1 = Core.Engine.Analysis.Run(snapshot, new Core.Engine.AnalysisOptions { AsOf = new DateOnly(2026, 6, 30) }).Principals.Single();
        (p1.ReachableFiles, p1.CaseloadFiles, p1.ExcessFiles, p1.SensitiveExcessFiles, p1.ClosedFilesInReach).Should().Be((3L, 1L, 2L, 1L, 1L),
            "P1 reaches A1's two files through G1's sensitive role and the closed F3 by its share; F1 is its caseload");
    }

    private static void Sqlite(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<object?[]> SqliteRows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public void Resolver_knows_the_three_databases_and_sql_server_describes_itself_without_credentials()
    {
        var resolver = new SourceResolver(SqlServerProvider.Instance);
        resolver.DatabaseNames.Should().BeEquivalentTo(["postgres", "sqlserver"]);
        resolver.Provider("sqlite").Should().BeSameAs(SqliteProvider.Instance);
        SqlServerProvider.Instance.Describe("Server=db.agency.local;Database=iam;User Id=analyst;Password=hunter2")
            .Should().Be("sqlserver:db.agency.local/iam");
        PostgresProvider.Instance.Describe("Host=pg.agency.local;Port=6432;Database=iam;Username=analyst;Password=hunter2")
            .Should().Be("postgres:pg.agency.local:6432/iam");
    }

    [Fact]
    public void Sqlite_rows_read_are_the_small_tables_the_aggregates_and_the_caseload_pairs()
    {
        var dataset = Reference.RandomDataset.Create(9);
        var directory = Path.Combine(Path.GetTempPath(), "aa-rows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            dataset.WriteCsv(directory);
            var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));
            var (tables, rows, _) = TestSources.Read(database, TransferMode.Pushdown);
            long small = dataset.Units.Count + dataset.Principals.Count + dataset.Groups.Count + dataset.Memberships.Count +
                dataset.Roles.Count + dataset.Assignments.Count;
            // Plus one row per distinct caseload pair whose file exists: the distinct figures need the files' identity.
            var caseloadPairs = dataset.Caseload.Distinct().Count(c => dataset.Files.Any(f => f.Id == c.FileId));
            rows.Should().Be(small + 2 + tables.FileCounts.Count + tables.CaseloadCounts.Count + caseloadPairs + tables.Shares.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
