using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources;

/// <summary>
/// What identifies a source's content in the evidence pack, so a reader can tell later whether the same input would give
/// the same figures. A CSV directory: the SHA-256 of each canonical file it holds (what <c>sha256sum</c> prints). A
/// database: the row count of each canonical table, counted in the database, and <see cref="RowsDigest"/> over what the
/// tool read. An SQLite file gets both: its own SHA-256, and the counts and digest.
/// </summary>
public static class InputFingerprinter
{
    public static InputFingerprints Of(ISource source, SourceTables tables)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tables);
        switch (source.Kind)
        {
            case SourceKind.Csv:
                return new InputFingerprints("csv", CsvFiles(source.Name), [], null);
            case SourceKind.Sqlite:
                return new InputFingerprints("sqlite", [HashFile(source.Name, Path.GetFileName(source.Name))], RowCounts(source), RowsDigest(tables));
            default:
                return new InputFingerprints(source.Kind == SourceKind.Postgres ? "postgres" : "sqlserver", [], RowCounts(source), RowsDigest(tables));
        }
    }

    /// <summary>Every canonical table's file in the directory (<c>&lt;table&gt;.csv</c>, regular files only), by name.</summary>
    public static IReadOnlyList<FileFingerprint> CsvFiles(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return
        [
            .. CanonicalSchema.TableNames
                .Select(t => t + ".csv")
                .Order(StringComparer.Ordinal)
                .Where(name => IsRegularFile(Path.Combine(directory, name)))
                .Select(name => HashFile(Path.Combine(directory, name), name)),
        ];
    }

    // A FIFO or device named like a table is not input (the source reports it) and would block a read.
    private static bool IsRegularFile(string path) => Csv.CsvFile.Kind(path) == Csv.CsvFileKind.File;

    private static FileFingerprint HashFile(string path, string name)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var hash = SHA256.HashData(stream);
        return new FileFingerprint(name, stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>Rows of each canonical table present in the database, counted there; a table absent is left out.</summary>
    public static IReadOnlyList<TableRowCount> RowCounts(ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Store is not { } target)
        {
            return [];
        }

        var dialect = target.Dialect;
        using var connection = target.Open();
        try
        {
            var present = CanonicalLoader.RelationNames(connection, dialect);

            var counts = new List<TableRowCount>();
            foreach (var table in CanonicalSchema.TableNames.Where(present.Contains))
            {
                using var command = connection.CreateCommand();
                command.CommandText = dialect.CountRowsSql(table);
                counts.Add(new TableRowCount(table, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture)));
            }

            return counts;
        }
        catch (DbException ex)
        {
            throw new InputErrorException(target.Name, null, null, $"cannot count the rows of the canonical tables: {ex.Message}");
        }
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of what the tool read, in a text form that does not depend on the order the database
    /// returned rows in: for each table in the order org_units, principals, groups, memberships, roles, assignments,
    /// files, caseload, shares, account_policy, justifications, one line per row read, made of the table name and the
    /// row's fields separated by tabs, the table's lines sorted ordinally (UTF-16 code units), each line ended by LF.
    /// Fields: text with backslash, tab, CR and LF written <c>\\</c>, <c>\t</c>, <c>\r</c>, <c>\n</c>; a null as <c>\N</c>;
    /// booleans <c>true</c>/<c>false</c>; dates <c>yyyy-MM-dd</c>; kinds as the canonical tables spell them. The big
    /// tables are the aggregates the tool reads: files as (unit_id, sensitive, closed, count), caseload as
    /// (principal_id, file found, unit_id, sensitive, closed, count), shares as (principal_id, valid_until, file found,
    /// unit_id, sensitive, closed, in caseload). access_events is identified by its row count only.
    /// </summary>
    public static string RowsDigest(SourceTables tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Table<T>(string name, IEnumerable<T>? rows, Func<T, object?[]> fields)
        {
            var lines = (rows ?? []).Select(r => name + "\t" + string.Join('\t', fields(r).Select(Field)) + "\n").ToList();
            lines.Sort(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(line));
            }
        }

        static bool S(FileClass c) => (c & FileClass.Sensitive) != 0;
        static bool C(FileClass c) => (c & FileClass.Closed) != 0;
        Table("org_units", tables.OrgUnits, r => [r.Id, r.ParentId, r.Kind, r.Name]);
        Table("principals", tables.Principals, r => [r.Id, Spellings.Of(r.Kind), r.Organization, r.UnitId, r.Name, r.Active, r.Mfa, r.LastLogin]);
        Table("groups", tables.Groups, r => [r.Id, r.Name]);
        Table("memberships", tables.Memberships, r => [r.GroupId, r.MemberId, Spellings.Of(r.MemberType)]);
        Table("roles", tables.Roles, r => [r.Id, r.Name, r.FileAccess, r.Sensitive]);
        Table("assignments", tables.Assignments, r => [r.Id, r.RoleId, r.HolderId, Spellings.Of(r.HolderType), Spellings.Of(r.Scope), r.ScopeUnitId, r.ValidUntil]);
        Table("files", tables.FileCounts, r => [r.UnitId, S(r.Class), C(r.Class), r.Count]);
        Table("caseload", tables.CaseloadCounts, r => [r.PrincipalId, r.FileFound, r.UnitId, S(r.Class), C(r.Class), r.Count]);
        Table("shares", tables.Shares, r => [r.PrincipalId, r.ValidUntil, r.FileFound, r.UnitId, S(r.Class), C(r.Class), r.InCaseload]);
        Table("account_policy", tables.AccountPolicies, r => [r.Organization, (long)r.LockoutThreshold, r.MfaRequired]);
        Table("justifications", tables.Justifications, r => [Spellings.Of(r.SubjectType), r.SubjectId, r.Reason, r.Owner, r.Expires]);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Field(object? value) => value switch
    {
        null => "\\N",
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        long n => n.ToString(CultureInfo.InvariantCulture),
        string s => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "\\N",
    };
}
