using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Usage;

/// <summary>One account's counts on one day so far, as the monitor aggregates them (distinct files, except reads).</summary>
public readonly record struct DayCounts(long Reads, long DistinctFiles, long OutsideCaseload, long Sensitive, long SensitiveOutsideCaseload);

/// <summary>A usage rule crossed by one account on one day: the level says how far (1 at the threshold, +1 per ×10).</summary>
public readonly record struct DayAlert(string Rule, Severity Severity, int Level, long Count, long Threshold);

/// <summary>
/// The usage rules applied to one account's day as it happens, with the thresholds of <see cref="UsageRules"/>:
/// <c>mass-read</c> (distinct files above <see cref="UsageOptions.MassReadThreshold"/>), <c>read-spike</c> (the day
/// flagged by <see cref="UsageRules.FlaggedDays"/> itself), <c>sensitive-reads-outside-caseload</c> (distinct
/// sensitive files outside the caseload above <see cref="UsageOptions.SensitiveOutsideThreshold"/>, counted per day
/// rather than over the whole log so that the alert names a day) and <c>activity-from-dormant-account</c> (any
/// access by an inactive account). An alert is raised again only when its level rises: a count ten times further
/// past the threshold.
/// </summary>
public static class MonitorRules
{
    /// <summary>Each step of escalation is this factor further past the threshold.</summary>
    public const long EscalationFactor = 10;

    /// <summary>The rules the day crosses, with their level.</summary>
    /// <param name="counts">The day so far.</param>
    /// <param name="active">Whether the account is active (principals.active).</param>
    /// <param name="spike">Whether <see cref="UsageRules.FlaggedDays"/> flags the day as a <c>read-spike</c> and not only as a <c>mass-read</c>.</param>
    /// <param name="options">The usage rules' thresholds.</param>
    public static IEnumerable<DayAlert> Evaluate(DayCounts counts, bool active, bool spike, UsageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Level(counts.DistinctFiles, options.MassReadThreshold) is > 0 and var mass)
        {
            yield return new(UsageRules.MassRead, Severity.Critical, mass, counts.DistinctFiles, options.MassReadThreshold);
        }

        if (spike)
        {
            yield return new(UsageRules.ReadSpike, Severity.High, 1, counts.DistinctFiles, options.SpikeMinFiles);
        }

        if (Level(counts.SensitiveOutsideCaseload, options.SensitiveOutsideThreshold) is > 0 and var sensitive)
        {
            yield return new(UsageRules.SensitiveReadsOutsideCaseload, Severity.High, sensitive, counts.SensitiveOutsideCaseload,
                options.SensitiveOutsideThreshold);
        }

        if (!active && counts.Reads > 0)
        {
            yield return new(UsageRules.ActivityFromDormantAccount, Severity.High, 1, counts.Reads, 0);
        }
    }

    /// <summary>
    /// The days <see cref="UsageRules.FlaggedDays"/> flags as <c>read-spike</c>, per principal index: the same
    /// evaluation with <c>mass-read</c> switched off, so that a day is a spike by the spike rule alone.
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<DateOnly>> SpikeDays(
        DateOnly asOf, IReadOnlyList<PrincipalFigures> figures, UsageIndex usage, UsageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return UsageRules.FlaggedDays(asOf, figures, usage, options with { MassReadThreshold = long.MaxValue });
    }

    /// <summary>0 at or below the threshold (the rules flag counts strictly above it), then 1, 2, … per ×10 further.</summary>
    public static int Level(long count, long threshold)
    {
        if (count <= threshold)
        {
            return 0;
        }

        var level = 1;
        var bound = Math.Max(threshold, 1);
        while (bound <= long.MaxValue / EscalationFactor && count > bound * EscalationFactor)
        {
            bound *= EscalationFactor;
            level++;
        }

        return level;
    }
}
