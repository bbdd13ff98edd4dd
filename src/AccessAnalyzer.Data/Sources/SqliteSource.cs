using System.Data.Common;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Data.Sources.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Data.Sources;

/// <summary>
/// An SQLite database holding the canonical tables (or views of those names). The big tables never leave the
/// database as rows: files are counted per unit and class, distinct caseload pairs per principal, unit and class,
/// by GROUP BY inside SQLite. Opened read-only: the tool needs nothing but SELECT.
/// </summary>
public static class SqliteSource
{
    public static Snapshot Load(string databasePath, IProgress<string>? progress = null) =>
        SnapshotBuilder.Build(Read(databasePath, progress));

    public static SourceTables Read(string databasePath, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        if (!File.Exists(databasePath))
        {
            throw new InputErrorException(databasePath, null, null, "database file not found");
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var tables = ExistingTables(connection);
            return Read(connection, tables, databasePath, progress);
        }
        catch (SqliteException ex)
        {
            throw new InputErrorException(databasePath, null, null, $"cannot read the database: {ex.Message}");
        }
    }

    private static SourceTables Read(SqliteConnection connection, HashSet<string> tables, string name, IProgress<string>? progress)
    {
        progress?.Report("reading org units, principals, groups, roles, assignments");
        var orgUnits = ReadTable(connection, tables, "org_units", CanonicalTableReader.OrgUnits)!;
        var principals = ReadTable(connection, tables, "principals", CanonicalTableReader.Principals)!;
        var groups = ReadTable(connection, tables, "groups", CanonicalTableReader.Groups)!;
        var memberships = ReadTable(connection, tables, "memberships", CanonicalTableReader.Memberships)!;
        var roles = ReadTable(connection, tables, "roles", CanonicalTableReader.Roles)!;
        var assignments = ReadTable(connection, tables, "assignments", CanonicalTableReader.Assignments)!;
        var policies = ReadTable(connection, tables, "account_policy", CanonicalTableReader.AccountPolicies, required: false);

        Require(tables, "files");
        Require(tables, "caseload");
        RequireColumns(connection, "files", "id", "unit_id", "sensitive", "closed");
        RequireColumns(connection, "caseload", "file_id", "principal_id");

        progress?.Report("checking file ids");
        CheckFileIds(connection);
        progress?.Report("counting files per unit");
        var fileCounts = FileCounts(connection);
        progress?.Report("counting caseload per principal and unit");
        var caseloadCounts = CaseloadCounts(connection);
        var shares = tables.Contains("shares") ? Shares(connection) : [];

        return new SourceTables
        {
            SourceName = name,
            TableDisplayName = t => t,
            OrgUnits = orgUnits,
            Principals = principals,
            Groups = groups,
            Memberships = memberships,
            Roles = roles,
            Assignments = assignments,
            FileCounts = fileCounts,
            CaseloadCounts = caseloadCounts,
            Shares = shares,
            AccountPolicies = policies,
        };
    }

    private static HashSet<string> ExistingTables(SqliteConnection connection) =>
        new(connection.Query<string>("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"), StringComparer.OrdinalIgnoreCase);

    private static void Require(HashSet<string> tables, string table)
    {
        if (!tables.Contains(table))
        {
            throw new InputErrorException(table, null, null, $"required table '{table}' is missing");
        }
    }

    private static HashSet<string> Columns(SqliteConnection connection, string table)
    {
        using var reader = connection.ExecuteReader($"SELECT * FROM \"{table}\" LIMIT 0");
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private static void RequireColumns(SqliteConnection connection, string table, params string[] columns)
    {
        var present = Columns(connection, table);
        foreach (var column in columns)
        {
            if (!present.Contains(column))
            {
                throw new InputErrorException(table, null, column, $"required column '{column}' is missing");
            }
        }
    }

    private static List<T>? ReadTable<T>(
        SqliteConnection connection, HashSet<string> tables, string table, Func<ITableCursor, List<T>> read, bool required = true)
    {
        if (!tables.Contains(table))
        {
            return required ? throw new InputErrorException(table, null, null, $"required table '{table}' is missing") : null;
        }

        using var cursor = new DbTableCursor((DbDataReader)connection.ExecuteReader($"SELECT * FROM \"{table}\""), table);
        return read(cursor);
    }

    /// <summary>Files is keyed by id: a duplicate or malformed id is bad input. The id itself is personal data and is not shown.</summary>
    private static void CheckFileIds(SqliteConnection connection)
    {
        // No rowid here: files may be a view over the agency's own table (mapping template).
        var bad = connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM (SELECT 1 FROM files WHERE id IS NULL OR id = '' OR length(id) > @max LIMIT 1)",
            new { max = CanonicalValues.MaxIdLength });
        if (bad > 0)
        {
            throw new InputErrorException("files", null, "id", $"an empty id or an id longer than {CanonicalValues.MaxIdLength} characters");
        }

        var duplicates = connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM (SELECT 1 FROM files GROUP BY id HAVING COUNT(*) > 1 LIMIT 1)");
        if (duplicates > 0)
        {
            throw new InputErrorException("files", null, "id", $"duplicate id {CanonicalValues.RedactedFileId}");
        }
    }

    private static List<FileCount> FileCounts(SqliteConnection connection)
    {
        var result = new List<FileCount>();
        using var reader = connection.ExecuteReader(
            "SELECT unit_id, sensitive, closed, COUNT(*) FROM files GROUP BY unit_id, sensitive, closed");
        while (reader.Read())
        {
            var unitId = DbTableCursor.ToText(reader.GetValue(0)) ?? string.Empty;
            var cls = Class("files", DbTableCursor.ToText(reader.GetValue(1)), DbTableCursor.ToText(reader.GetValue(2)));
            result.Add(new FileCount(unitId, cls, reader.GetInt64(3)));
        }

        return result;
    }

    private static List<CaseloadCount> CaseloadCounts(SqliteConnection connection)
    {
        // DISTINCT first: caseload is a set, a repeated row counts once. LEFT JOIN keeps rows naming a missing file.
        const string sql = """
            SELECT c.principal_id, f.id IS NOT NULL AS found, f.unit_id, f.sensitive, f.closed, COUNT(*)
            FROM (SELECT DISTINCT file_id, principal_id FROM caseload) AS c
            LEFT JOIN files AS f ON f.id = c.file_id
            GROUP BY c.principal_id, found, f.unit_id, f.sensitive, f.closed
            """;
        var result = new List<CaseloadCount>();
        using var reader = connection.ExecuteReader(sql);
        while (reader.Read())
        {
            var principalId = DbTableCursor.ToText(reader.GetValue(0)) ?? string.Empty;
            var found = reader.GetInt64(1) != 0;
            var unitId = DbTableCursor.ToText(reader.GetValue(2)) ?? string.Empty;
            var cls = found
                ? Class("files", DbTableCursor.ToText(reader.GetValue(3)), DbTableCursor.ToText(reader.GetValue(4)))
                : FileClass.None;
            result.Add(new CaseloadCount(principalId, found, unitId, cls, reader.GetInt64(5)));
        }

        return result;
    }

    private static List<ShareRow> Shares(SqliteConnection connection)
    {
        RequireColumns(connection, "shares", "file_id", "principal_id");
        var validUntil = Columns(connection, "shares").Contains("valid_until") ? "s.valid_until" : "NULL";
        var sql = $"""
            SELECT s.file_id, s.principal_id, {validUntil} AS valid_until,
                   f.id IS NOT NULL AS found, f.unit_id, f.sensitive, f.closed,
                   EXISTS (SELECT 1 FROM caseload AS c WHERE c.file_id = s.file_id AND c.principal_id = s.principal_id) AS in_caseload
            FROM shares AS s LEFT JOIN files AS f ON f.id = s.file_id
            """;
        // Shares are few; with the schema's caseload(file_id, principal_id) index each probe is one index seek.
        // (A join to DISTINCT caseload instead would scan the whole caseload table for a handful of shares.)
        var rows = new List<ShareRow>();
        using var cursor = new DbTableCursor((DbDataReader)connection.ExecuteReader(sql), "shares");
        while (cursor.Read())
        {
            var until = cursor.OptionalDate(2);
            var found = cursor.Get(3) == "1";
            rows.Add(new ShareRow(
                cursor.Reference(0), cursor.Reference(1), until, found,
                found ? cursor.Reference(4) : string.Empty,
                found ? Class("files", cursor.Get(5), cursor.Get(6)) : FileClass.None,
                cursor.Get(7) == "1", cursor.Line));
        }

        return rows;
    }

    private static FileClass Class(string table, string? sensitive, string? closed)
    {
        if (!CanonicalValues.TryParseBoolean(sensitive, out var s))
        {
            throw new InputErrorException(table, null, "sensitive", "<value withheld> is not a boolean (expected true or false)");
        }

        if (!CanonicalValues.TryParseBoolean(closed, out var c))
        {
            throw new InputErrorException(table, null, "closed", "<value withheld> is not a boolean (expected true or false)");
        }

        return CanonicalValues.ToFileClass(s, c);
    }
}
