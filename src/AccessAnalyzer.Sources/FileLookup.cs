using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources.Csv;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Sources;

/// <summary>
/// Looks up one beneficiary file for <c>explain --file</c>: its unit and class, its caseload holders and its shares.
/// This is the only read of per-file rows, and it is asked for explicitly; the id is never logged.
/// </summary>
public static class FileLookup
{
    /// <summary>The file's facts, or null when no file has this id.</summary>
    public static FileFacts? Find(string source, string fileId)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fileId);
        return Directory.Exists(source) ? FromCsv(source, fileId) : FromSqlite(source, fileId);
    }

    private static FileFacts? FromCsv(string directory, string fileId)
    {
        string? unitId = null;
        bool sensitive = false, closed = false;
        using (var t = CsvTableCursor.Open(directory, "files", required: true)!)
        {
            int id = t.Column("id"), unit = t.Column("unit_id"), s = t.Column("sensitive"), c = t.Column("closed");
            while (t.Read())
            {
                if (string.Equals(t.Get(id), fileId, StringComparison.Ordinal))
                {
                    unitId = t.Reference(unit);
                    sensitive = t.Boolean(s);
                    closed = t.Boolean(c);
                    break;
                }
            }
        }

        if (unitId is null)
        {
            return null;
        }

        var caseload = new List<string>();
        using (var t = CsvTableCursor.Open(directory, "caseload", required: true)!)
        {
            int file = t.Column("file_id"), principal = t.Column("principal_id");
            while (t.Read())
            {
                if (string.Equals(t.Get(file), fileId, StringComparison.Ordinal))
                {
                    caseload.Add(t.Reference(principal));
                }
            }
        }

        var shares = new List<(string, DateOnly?)>();
        using (var t = CsvTableCursor.Open(directory, "shares", required: false))
        {
            if (t is not null)
            {
                int file = t.Column("file_id"), principal = t.Column("principal_id"), until = t.Column("valid_until", required: false);
                while (t.Read())
                {
                    if (string.Equals(t.Get(file), fileId, StringComparison.Ordinal))
                    {
                        shares.Add((t.Reference(principal), t.OptionalDate(until)));
                    }
                }
            }
        }

        return new FileFacts(fileId, unitId, sensitive, closed, [.. caseload.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], shares);
    }

    private static FileFacts? FromSqlite(string path, string fileId)
    {
        if (!File.Exists(path))
        {
            throw new InputErrorException(path, null, null, "database file not found");
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var row = connection.QueryFirstOrDefault<(string? Unit, object? Sensitive, object? Closed)>(
            "SELECT unit_id, sensitive, closed FROM files WHERE id = @fileId LIMIT 1", new { fileId });
        if (row == default)
        {
            return null;
        }

        if (!CanonicalValues.TryParseBoolean(Text(row.Sensitive), out var sensitive) || !CanonicalValues.TryParseBoolean(Text(row.Closed), out var closed))
        {
            throw new InputErrorException("files", null, "sensitive/closed", "<value withheld> is not a boolean (expected true or false)");
        }

        var caseload = connection.Query<string>(
            "SELECT DISTINCT principal_id FROM caseload WHERE file_id = @fileId AND principal_id IS NOT NULL ORDER BY principal_id", new { fileId }).ToList();
        var shares = new List<(string, DateOnly?)>();
        var hasShares = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table','view') AND name = 'shares'") > 0;
        if (hasShares)
        {
            var hasValidUntil = connection.Query<string>("SELECT name FROM pragma_table_info('shares')").Contains("valid_until", StringComparer.OrdinalIgnoreCase);
            var sql = $"SELECT principal_id, {(hasValidUntil ? "valid_until" : "NULL")} FROM shares WHERE file_id = @fileId";
            foreach (var (principal, until) in connection.Query<(string? Principal, object? Until)>(sql, new { fileId }))
            {
                if (!CanonicalValues.TryParseOptionalDate(Text(until), out var date))
                {
                    throw new InputErrorException("shares", null, "valid_until", "<value withheld> is not an ISO 8601 date (expected YYYY-MM-DD)");
                }

                shares.Add((principal ?? string.Empty, date));
            }
        }

        return new FileFacts(fileId, row.Unit ?? string.Empty, sensitive, closed, caseload, shares);
    }

    private static string? Text(object? value) => value switch
    {
        null or DBNull => null,
        string s => s,
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
