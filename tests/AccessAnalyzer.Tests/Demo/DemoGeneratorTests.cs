using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Demo;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Demo;

public sealed class DemoGeneratorTests : IDisposable
{
    private static readonly DateOnly AsOf = new(2026, 3, 31);
    private static readonly string[] Tables =
    [
        "org_units", "principals", "groups", "memberships", "roles", "assignments",
        "files", "caseload", "shares", "access_events", "account_policy", "justifications",
    ];

    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-demo-tests-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Same_seed_gives_byte_identical_csv()
    {
        var a = GenerateCsv("a", seed: 7);
        var b = GenerateCsv("b", seed: 7);

        foreach (var table in Tables)
        {
            File.ReadAllBytes(Path.Combine(a, table + ".csv"))
                .Should().Equal(File.ReadAllBytes(Path.Combine(b, table + ".csv")), $"{table}.csv must not depend on anything but the seed");
        }
    }

    [Fact]
    public void Different_seed_gives_different_data()
    {
        var a = GenerateCsv("a", seed: 7);
        var b = GenerateCsv("b", seed: 8);

        File.ReadAllBytes(Path.Combine(a, "caseload.csv"))
            .Should().NotEqual(File.ReadAllBytes(Path.Combine(b, "caseload.csv")));
        File.ReadAllBytes(Path.Combine(a, "files.csv"))
            .Should().NotEqual(File.ReadAllBytes(Path.Combine(b, "files.csv")));
    }

    [Fact]
    public void Small_scale_has_the_expected_shape_and_sizes()
    {
        var dir = Path.Combine(_root, "csv");
        DemoSummary summary;
        using (var writer = new CsvCanonicalWriter(dir))
        {
            summary = DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, AsOf), [writer]);
        }

        var data = CsvData.Load(dir);
        foreach (var table in Tables)
        {
            data[table].Count.Should().Be((int)summary.Counts.ByTable()[table], $"the summary counts the rows of {table}");
        }

        var units = data["org_units"];
        units.Should().HaveCount(1 + 3 + 9 + 27);
        units.Count(u => u["kind"] == "national").Should().Be(1);
        units.Count(u => u["kind"] == "region").Should().Be(3);
        units.Count(u => u["kind"] == "department").Should().Be(9);
        units.Count(u => u["kind"] == "agency").Should().Be(27);
        units.Single(u => u["kind"] == "national")["parent_id"].Should().BeEmpty();

        data["files"].Count.Should().BeInRange(15_000, 25_000);
        data["principals"].Count.Should().BeInRange(250, 350);
        var partners = data["principals"].Count(p => p["kind"] == "partner");
        ((double)partners / data["principals"].Count).Should().BeInRange(0.02, 0.07);
        data["principals"].Should().Contain(p => p["kind"] == "service");

        var sensitiveShare = data["files"].Count(f => f["sensitive"] == "true") / (double)data["files"].Count;
        var closedShare = data["files"].Count(f => f["closed"] == "true") / (double)data["files"].Count;
        sensitiveShare.Should().BeInRange(0.07, 0.13);
        closedShare.Should().BeInRange(0.16, 0.24);

        // Caseloads: 100 to 600 files each, never a closed file, never the same pair twice.
        var closed = data["files"].Where(f => f["closed"] == "true").Select(f => f["id"]).ToHashSet(StringComparer.Ordinal);
        var caseload = data["caseload"];
        caseload.Should().NotContain(c => closed.Contains(c["file_id"]));
        caseload.Select(c => c["file_id"] + "|" + c["principal_id"]).Should().OnlyHaveUniqueItems();
        caseload.GroupBy(c => c["principal_id"]).Select(g => g.Count()).Should().OnlyContain(n => n >= 100 && n <= 600);

        data["roles"].Should().Contain(r => r["id"] == "hr-admin" && r["file_access"] == "false");
        data["roles"].Should().Contain(r => r["id"] == "health-advisor" && r["sensitive"] == "true");
        data["roles"].Should().Contain(r => r["id"] == "advisor" && r["file_access"] == "true" && r["sensitive"] == "false");
        data["account_policy"].Should().Contain(p => p["organization"] == "agency" && p["lockout_threshold"] == "5" && p["mfa_required"] == "true");
        data["account_policy"].Should().Contain(p => p["organization"] == "capemploi" && p["lockout_threshold"] == "50" && p["mfa_required"] == "false");
        data["files"].Should().OnlyContain(f => f["id"].StartsWith('F') && f["id"].Length == 8);
    }

    [Fact]
    public void Every_planted_id_exists_in_the_written_data()
    {
        var dir = Path.Combine(_root, "csv");
        DemoSummary summary;
        using (var writer = new CsvCanonicalWriter(dir))
        {
            summary = DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 3, AsOf), [writer]);
        }

        var data = CsvData.Load(dir);
        var units = data["org_units"].ToDictionary(u => u["id"], StringComparer.Ordinal);
        var principals = data["principals"].ToDictionary(p => p["id"], StringComparer.Ordinal);
        var groups = data["groups"].Select(g => g["id"]).ToHashSet(StringComparer.Ordinal);
        var assignments = data["assignments"].ToDictionary(a => a["id"], StringComparer.Ordinal);
        var roles = data["roles"].ToDictionary(r => r["id"], StringComparer.Ordinal);
        var memberships = data["memberships"].Select(m => (m["group_id"], m["member_id"], m["member_type"])).ToHashSet();

        units[summary.NationalUnitId]["kind"].Should().Be("national");

        // (a) Region-wide sensitive read role on a partner group whose members are partner advisors.
        units[summary.PartnerRegionId]["kind"].Should().Be("region");
        groups.Should().Contain(summary.PartnerRegionalGroupId);
        var regional = assignments[summary.PartnerRegionalAssignmentId];
        regional["holder_id"].Should().Be(summary.PartnerRegionalGroupId);
        regional["holder_type"].Should().Be("group");
        regional["scope"].Should().Be("unit");
        regional["scope_unit_id"].Should().Be(summary.PartnerRegionId);
        regional["valid_until"].Should().BeEmpty();
        roles[regional["role_id"]]["file_access"].Should().Be("true");
        roles[regional["role_id"]]["sensitive"].Should().Be("true");
        summary.PartnerRegionalMemberIds.Should().HaveCountGreaterThanOrEqualTo(2);
        foreach (var id in summary.PartnerRegionalMemberIds)
        {
            principals[id]["kind"].Should().Be("partner");
            memberships.Should().Contain((summary.PartnerRegionalGroupId, id, "principal"));
        }

        // (b) National consultation through three nested groups.
        var nested = summary.NestedConsultationGroupIds;
        nested.Should().HaveCount(3).And.OnlyContain(g => groups.Contains(g));
        memberships.Should().Contain((nested[1], nested[0], "group"));
        memberships.Should().Contain((nested[2], nested[1], "group"));
        var national = assignments[summary.NationalConsultationAssignmentId];
        national["holder_id"].Should().Be(nested[2]);
        national["scope_unit_id"].Should().Be(summary.NationalUnitId);
        roles[national["role_id"]]["file_access"].Should().Be("true");
        assignments.Values.Should().NotContain(a => a["holder_id"] == nested[0] || a["holder_id"] == nested[1]);
        summary.NationalConsultationMemberIds.Should().NotBeEmpty();
        foreach (var id in summary.NationalConsultationMemberIds)
        {
            principals.Should().ContainKey(id);
            memberships.Should().Contain((nested[0], id, "principal"));
        }

        // (c) A cycle of three groups that holds an assignment.
        var cycle = summary.CycleGroupIds;
        cycle.Should().HaveCount(3).And.OnlyContain(g => groups.Contains(g));
        memberships.Should().Contain((cycle[1], cycle[0], "group"));
        memberships.Should().Contain((cycle[2], cycle[1], "group"));
        memberships.Should().Contain((cycle[0], cycle[2], "group"));
        assignments[summary.CycleAssignmentId]["holder_id"].Should().BeOneOf(cycle);
        summary.CycleMemberIds.Should().NotBeEmpty();
        foreach (var id in summary.CycleMemberIds)
        {
            memberships.Should().Contain((cycle[0], id, "principal"));
        }

        // (d) Dormant accounts keeping a unit-scope assignment with file access; cleaned-up ones keep nothing.
        summary.DormantAccountIds.Should().HaveCountGreaterThanOrEqualTo(3);
        foreach (var id in summary.DormantAccountIds)
        {
            principals[id]["active"].Should().Be("false");
            DateOnly.Parse(principals[id]["last_login"], CultureInfo.InvariantCulture).Should().BeBefore(AsOf.AddDays(-365));
            assignments.Values.Should().Contain(a =>
                a["holder_id"] == id && a["holder_type"] == "principal" && a["scope"] == "unit" &&
                units.ContainsKey(a["scope_unit_id"]) && roles[a["role_id"]]["file_access"] == "true");
        }

        summary.InactiveWithoutAccessIds.Should().NotBeEmpty();
        foreach (var id in summary.InactiveWithoutAccessIds)
        {
            principals[id]["active"].Should().Be("false");
            assignments.Values.Should().NotContain(a => a["holder_id"] == id);
            memberships.Should().NotContain(m => m.Item2 == id);
        }

        // (e) Partner accounts without MFA, and most staff with it.
        summary.PartnerAccountsWithoutMfaIds.Should().NotBeEmpty();
        foreach (var id in summary.PartnerAccountsWithoutMfaIds)
        {
            principals[id]["kind"].Should().Be("partner");
            principals[id]["mfa"].Should().Be("false");
            principals[id]["organization"].Should().Be("capemploi");
        }

        var staff = principals.Values.Where(p => p["kind"] == "staff").ToList();
        staff.Count(p => p["mfa"] == "true").Should().BeGreaterThan(staff.Count * 9 / 10);

        // (f) One expired assignment (must not count) and one dated in the future (counts).
        var expired = assignments[summary.ExpiredAssignmentId];
        DateOnly.Parse(expired["valid_until"], CultureInfo.InvariantCulture).Should().BeBefore(AsOf);
        expired["scope_unit_id"].Should().Be(summary.NationalUnitId);
        var future = assignments[summary.FutureAssignmentId];
        DateOnly.Parse(future["valid_until"], CultureInfo.InvariantCulture).Should().BeAfter(AsOf);
        future["holder_id"].Should().Be(summary.FutureAssignmentHolderId);
        principals.Should().ContainKey(summary.FutureAssignmentHolderId);

        // (g) Shares to advisors outside the file's agency, some expired.
        var fileUnits = data["files"].ToDictionary(f => f["id"], f => f["unit_id"], StringComparer.Ordinal);
        var shares = data["shares"];
        shares.Should().HaveCount(summary.ExpiredShares + summary.SharesInForce);
        summary.ExpiredShares.Should().BeGreaterThan(0);
        shares.Count(s => s["valid_until"].Length > 0 && DateOnly.Parse(s["valid_until"], CultureInfo.InvariantCulture) < AsOf)
            .Should().Be(summary.ExpiredShares);
        foreach (var share in shares)
        {
            fileUnits.Should().ContainKey(share["file_id"]);
            principals[share["principal_id"]]["unit_id"].Should().NotBe(fileUnits[share["file_id"]]);
        }

        // Service account with national read, and the bulk reader's day in access_events.
        principals[summary.NationalServiceAccountId]["kind"].Should().Be("service");
        assignments.Values.Should().Contain(a => a["holder_id"] == summary.NationalServiceAccountId && a["scope_unit_id"] == summary.NationalUnitId);
        principals[summary.BulkReaderId]["kind"].Should().Be("partner");
        data["access_events"].Count(e => e["principal_id"] == summary.BulkReaderId).Should().BeGreaterThanOrEqualTo(summary.BulkReadEvents);
        summary.BulkReadEvents.Should().BeGreaterThan(500);

        // (h) Justifications: the regional director's supervision grant and the statistics account in force, the
        // expired partner grant's justification expired; each names a subject that exists.
        var justifications = data["justifications"];
        justifications.Should().HaveCount(3);
        var supervision = justifications.Single(j => j["subject_id"] == summary.JustifiedAssignmentId);
        supervision["subject_type"].Should().Be("assignment");
        assignments[summary.JustifiedAssignmentId]["role_id"].Should().Be("regional-supervision");
        DateOnly.Parse(supervision["expires"], CultureInfo.InvariantCulture).Should().BeAfter(AsOf);
        var statistics = justifications.Single(j => j["subject_id"] == summary.JustifiedPrincipalId);
        statistics["subject_type"].Should().Be("principal");
        summary.JustifiedPrincipalId.Should().Be(summary.NationalServiceAccountId);
        DateOnly.Parse(statistics["expires"], CultureInfo.InvariantCulture).Should().BeAfter(AsOf);
        var expiredJustification = justifications.Single(j => j["subject_id"] == summary.ExpiredJustificationAssignmentId);
        expiredJustification["subject_type"].Should().Be("assignment");
        DateOnly.Parse(expiredJustification["expires"], CultureInfo.InvariantCulture).Should().BeBefore(AsOf);
        justifications.Should().OnlyContain(j => j["reason"].Length > 0 && j["owner"].Length > 0);

        // Every reference in the generated data resolves: the demo has no dangling rows of its own.
        data["memberships"].Should().OnlyContain(m => groups.Contains(m["group_id"]) &&
            (m["member_type"] == "group" ? groups.Contains(m["member_id"]) : principals.ContainsKey(m["member_id"])));
        assignments.Values.Should().OnlyContain(a => roles.ContainsKey(a["role_id"]) &&
            (a["holder_type"] == "group" ? groups.Contains(a["holder_id"]) : principals.ContainsKey(a["holder_id"])) &&
            (a["scope"] == "caseload" ? a["scope_unit_id"].Length == 0 : units.ContainsKey(a["scope_unit_id"])));
        data["caseload"].Should().OnlyContain(c => fileUnits.ContainsKey(c["file_id"]) && principals.ContainsKey(c["principal_id"]));
        principals.Values.Should().OnlyContain(p => units.ContainsKey(p["unit_id"]));
    }

    [Fact]
    public void Sqlite_database_has_the_canonical_tables_with_the_same_rows_as_the_csv()
    {
        var dir = Path.Combine(_root, "csv");
        var db = Path.Combine(_root, "demo.db");
        File.WriteAllText(db, "not a database: the writer must replace it");
        DemoSummary summary;
        using (var csv = new CsvCanonicalWriter(dir))
        using (var sqlite = new SqliteCanonicalWriter(db))
        {
            summary = DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 11, AsOf), [sqlite, csv]);
        }

        var data = CsvData.Load(dir);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();

        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        tables.Should().BeEquivalentTo(Tables);

        var indexes = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                indexes.Add(reader.GetString(0));
            }
        }

        indexes.Should().BeEquivalentTo(["ix_files_unit_class", "ix_caseload_file_principal", "ix_caseload_principal", "ix_shares_file"]);

        foreach (var table in Tables)
        {
            var csvRows = data[table];
            var columns = data.Columns[table];
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {string.Join(", ", columns)} FROM {table} ORDER BY rowid";
            using var reader = command.ExecuteReader();
            var i = 0;
            while (reader.Read())
            {
                i.Should().BeLessThan(csvRows.Count, $"{table} has no more rows in CSV than in SQLite");
                for (var c = 0; c < columns.Length; c++)
                {
                    var value = reader.IsDBNull(c) ? "" : Convert.ToString(reader.GetValue(c), CultureInfo.InvariantCulture);
                    if (value != csvRows[i][columns[c]])
                    {
                        value.Should().Be(csvRows[i][columns[c]], $"{table} row {i + 1} column {columns[c]}");
                    }
                }

                i++;
            }

            i.Should().Be(csvRows.Count, $"{table} has as many rows in SQLite as in CSV");
            i.Should().Be((int)summary.Counts.ByTable()[table]);
        }
    }

    [Fact]
    public void Writing_twice_to_the_same_database_replaces_it()
    {
        var db = Path.Combine(_root, "demo.db");
        foreach (var seed in new[] { 1, 2 })
        {
            using var sqlite = new SqliteCanonicalWriter(db);
            DemoGenerator.Generate(new DemoOptions(DemoScale.Small, seed, AsOf), [sqlite]);
        }

        // The files of seed 2 only, row for row: neither seed 1's rows kept nor both seeds' rows together.
        var expected = File.ReadAllLines(Path.Combine(GenerateCsv("seed2", seed: 2), "files.csv")).Skip(1).ToList();
        File.ReadAllLines(Path.Combine(GenerateCsv("seed1", seed: 1), "files.csv")).Skip(1).Should().NotEqual(expected, "the two seeds must differ for this test to mean anything");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id || ',' || unit_id || ',' || sensitive || ',' || closed FROM files ORDER BY rowid";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        rows.Should().Equal(expected);
    }

    [Fact]
    public void Csv_writer_quotes_per_rfc_4180_without_bom()
    {
        var dir = Path.Combine(_root, "quoting");
        using (var writer = new CsvCanonicalWriter(dir))
        {
            writer.WriteOrgUnit("U1", null, "agency", "Agence \"Nord\", Lille");
            writer.WriteOrgUnit("U2", "U1", "agency", "line\nbreak");
            writer.WriteOrgUnit("U3", "U1", "agency", "cr\rhere");
            writer.WriteOrgUnit("Été-1", "U1", "agency", "plain");
            writer.WritePrincipal("P1", PrincipalKind.Partner, "capemploi", null, "Name", active: false, mfa: true, lastLogin: new DateOnly(2025, 1, 2));
            writer.WriteAssignment("A1", "r", "g", HolderType.Group, AssignmentScope.Caseload, null, null);
            writer.WriteAccessEvent("P1", "F1", new DateTime(2026, 3, 1, 9, 5, 7, DateTimeKind.Utc), "read");
            writer.Complete();
        }

        var bytes = File.ReadAllBytes(Path.Combine(dir, "org_units.csv"));
        bytes.Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF });
        Encoding.UTF8.GetString(bytes).Should().Be(
            "id,parent_id,kind,name\n" +
            "U1,,agency,\"Agence \"\"Nord\"\", Lille\"\n" +
            "U2,U1,agency,\"line\nbreak\"\n" +
            "U3,U1,agency,\"cr\rhere\"\n" +
            "Été-1,U1,agency,plain\n");
        File.ReadAllText(Path.Combine(dir, "principals.csv")).Should().Be(
            "id,kind,organization,unit_id,name,active,mfa,last_login\nP1,partner,capemploi,,Name,false,true,2025-01-02\n");
        File.ReadAllText(Path.Combine(dir, "assignments.csv")).Should().Be(
            "id,role_id,holder_id,holder_type,scope,scope_unit_id,valid_until\nA1,r,g,group,caseload,,\n");
        File.ReadAllText(Path.Combine(dir, "access_events.csv")).Should().Be(
            "principal_id,file_id,at,action\nP1,F1,2026-03-01T09:05:07Z,read\n");
        File.ReadAllText(Path.Combine(dir, "shares.csv")).Should().Be("file_id,principal_id,valid_until\n");
    }

    [Fact]
    public void Embedded_schema_splits_into_tables_then_indexes()
    {
        SqliteSchema.TableStatements.Should().HaveCount(12)
            .And.OnlyContain(s => s.StartsWith("CREATE TABLE IF NOT EXISTS", StringComparison.Ordinal));
        SqliteSchema.IndexStatements.Should().HaveCount(4)
            .And.OnlyContain(s => s.StartsWith("CREATE INDEX IF NOT EXISTS", StringComparison.Ordinal));
    }

    private string GenerateCsv(string name, int seed)
    {
        var dir = Path.Combine(_root, name);
        using var writer = new CsvCanonicalWriter(dir);
        DemoGenerator.Generate(new DemoOptions(DemoScale.Small, seed, AsOf), [writer]);
        return dir;
    }

    /// <summary>The CSV tables of a directory, parsed with RFC 4180 quoting, rows as column → value.</summary>
    private sealed class CsvData
    {
        private readonly Dictionary<string, List<Dictionary<string, string>>> _tables = new(StringComparer.Ordinal);

        public Dictionary<string, string[]> Columns { get; } = new(StringComparer.Ordinal);

        public List<Dictionary<string, string>> this[string table] => _tables[table];

        public static CsvData Load(string directory)
        {
            var data = new CsvData();
            foreach (var table in Tables)
            {
                var records = Parse(File.ReadAllText(Path.Combine(directory, table + ".csv"), Encoding.UTF8));
                var header = records[0];
                data.Columns[table] = header;
                data._tables[table] = records.Skip(1).Select(r =>
                {
                    r.Should().HaveCount(header.Length, $"every {table} row has {header.Length} fields");
                    return header.Select((h, i) => (h, r[i])).ToDictionary(x => x.h, x => x.Item2, StringComparer.Ordinal);
                }).ToList();
            }

            return data;
        }

        private static List<string[]> Parse(string text)
        {
            var records = new List<string[]>();
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var ch = text[i];
                if (quoted)
                {
                    if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (ch == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(ch);
                    }
                }
                else if (ch == '"')
                {
                    quoted = true;
                }
                else if (ch == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (ch == '\n')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add([.. fields]);
                    fields.Clear();
                }
                else
                {
                    field.Append(ch);
                }
            }

            quoted.Should().BeFalse("every quote is closed");
            (field.Length + fields.Count).Should().Be(0, "every record ends with a line feed");
            return records;
        }
    }
}
