namespace AccessAnalyzer.Core.Usage;

/// <summary>One principal's activity on one day. Counts are distinct files, except <see cref="Reads"/> (every event).</summary>
public sealed record PrincipalDay(
    string PrincipalId, DateOnly Day, long Reads, long DistinctFiles, long DistinctOutsideCaseload,
    long DistinctSensitive, long DistinctSensitiveOutsideCaseload);

/// <summary>One principal's activity over the whole period (distinct over the period, not a sum of days).</summary>
public sealed record PrincipalActivity(
    string PrincipalId, long Reads, long DistinctFiles, long DistinctOutsideCaseload, long DistinctSensitiveOutsideCaseload,
    DateOnly FirstDay, DateOnly LastDay);

/// <summary>When a principal last read a file of a unit, and last read one outside its caseload there.</summary>
public sealed record UnitActivity(string PrincipalId, string UnitId, DateOnly LastRead, DateOnly? LastReadOutsideCaseload);

/// <summary>
/// The access_events table, aggregated where it lives (GROUP BY in a database, an external sort over CSV): what the
/// usage rules need, in rows that grow with principals × days and principals × units, never with events. Ids are
/// strings, as the source has them; <see cref="UsageIndex"/> interns them once for every consumer.
/// </summary>
public sealed record UsageTables(
    PrincipalDayTable Days,
    IReadOnlyList<PrincipalActivity> Principals,
    IReadOnlyList<UnitActivity> Units,
    long Events,
    DateOnly? FirstDay,
    DateOnly? LastDay,
    long EventsNamingMissingPrincipal,
    long EventsNamingMissingFile);
