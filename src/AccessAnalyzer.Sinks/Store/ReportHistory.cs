using System.Data.Common;
using System.Globalization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sinks.Store;

/// <summary>
/// Reads the stored runs back from <c>report_runs</c>, oldest first (by run_seq, the order the database numbered them):
/// the trend across runs. Read-only: a store without report tables has no runs, and nothing is created. Columns added
/// to report_runs after a run was stored (the distinct figures) are read only when the table has them, and are null
/// for the rows stored before they existed.
/// </summary>
public static class ReportHistory
{
    /// <summary>The distinct-figure columns, which older stores lack.</summary>
    private static readonly string[] DistinctColumns =
        ["distinct_reachable_files", "distinct_excess_files", "distinct_sensitive_excess_files", "distinct_phishable_files"];

    private static readonly string[] Columns =
    [
        "run_id", "stored_at", "as_of", "source_name", "tool_version", "principals", "files", "exposure", "excess_exposure",
        "sensitive_excess_exposure", "principals_with_excess", "findings",
    ];

    /// <summary>The runs stored in <paramref name="target"/>; a database error is bad input naming it (exit 2).</summary>
    public static IReadOnlyList<TrendPoint> Read(StoreTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var connection = target.Open();
        try
        {
            return Read(connection, target.Dialect);
        }
        catch (DbException ex)
        {
            throw new InputErrorException(target.Name, null, null, $"cannot read the stored runs: {ex.Message}");
        }
    }

    /// <summary>The runs of the report tables reached through an open connection (not owned).</summary>
    public static IReadOnlyList<TrendPoint> Read(DbConnection connection, ISqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        if (!HasRunsTable(connection, dialect))
        {
            return [];
        }

        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var probe = connection.CreateCommand())
        {
            probe.CommandText = dialect.ColumnsSql("report_runs");
            using var reader = probe.ExecuteReader();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                present.Add(reader.GetName(i));
            }
        }

        var distinct = DistinctColumns.Select(present.Contains).ToArray();
        var selected = Columns.Concat(DistinctColumns.Where(present.Contains)).Select(dialect.Quote);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", selected)} FROM {dialect.Table("report_runs")} ORDER BY {dialect.Quote("run_seq")}";
        var points = new List<TrendPoint>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var next = Columns.Length;
                long? Distinct(int k) => distinct[k] ? NullableLong(reader, next++) : null;
                var point = new TrendPoint(
                    RunId: Guid.Parse(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!),
                    StoredAt: Instant(reader.GetValue(1)),
                    AsOf: Day(reader.GetValue(2)),
                    Source: reader.GetString(3),
                    ToolVersion: reader.GetString(4),
                    Principals: (int)Long(reader, 5),
                    Files: Long(reader, 6),
                    Exposure: Long(reader, 7),
                    ExcessExposure: Long(reader, 8),
                    SensitiveExcessExposure: Long(reader, 9),
                    PrincipalsWithExcess: (int)Long(reader, 10),
                    Findings: (int)Long(reader, 11),
                    DistinctReachableFiles: Distinct(0),
                    DistinctExcessFiles: Distinct(1),
                    DistinctSensitiveExcessFiles: Distinct(2),
                    DistinctPhishableFiles: Distinct(3));
                points.Add(point);
            }
        }

        return points;
    }

    private static bool HasRunsTable(DbConnection connection, ISqlDialect dialect) =>
        CanonicalLoader.RelationNames(connection, dialect).Contains("report_runs");

    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Long(reader, ordinal);

    /// <summary>A stored instant: text in SQLite (ISO 8601, UTC), a UTC DateTime in PostgreSQL, a DateTimeOffset in SQL Server.</summary>
    private static DateTimeOffset Instant(object value) => value switch
    {
        DateTimeOffset o => o.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        _ => DateTimeOffset.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
    };

    /// <summary>A stored date: text in SQLite, a DateOnly or DateTime elsewhere.</summary>
    private static DateOnly Day(object value) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        DateTimeOffset o => DateOnly.FromDateTime(o.Date),
        _ => DateOnly.ParseExact(Convert.ToString(value, CultureInfo.InvariantCulture)![..10], "yyyy-MM-dd", CultureInfo.InvariantCulture),
    };
}
