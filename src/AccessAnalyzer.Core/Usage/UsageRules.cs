using System.Globalization;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Usage;

/// <summary>Thresholds of the usage rules. Defaults are the documented ones.</summary>
public sealed record UsageOptions
{
    /// <summary><c>mass-read</c>: distinct files one account reads in one day above this.</summary>
    public long MassReadThreshold { get; init; } = 1000;

    /// <summary><c>read-spike</c>: how many robust deviations above the median a day must be (own history and peers).</summary>
    public double SpikeFactor { get; init; } = 10;

    /// <summary><c>read-spike</c>: days with fewer distinct files than this are never a spike.</summary>
    public long SpikeMinFiles { get; init; } = 100;

    /// <summary><c>read-spike</c>: with fewer active days than this, an account's own history is too short to compare with.</summary>
    public int SpikeMinHistoryDays { get; init; } = 10;

    /// <summary><c>reads-outside-caseload</c>: share of distinct files read that lie outside the caseload, above this.</summary>
    public double OutsideShareThreshold { get; init; } = 0.5;

    /// <summary><c>reads-outside-caseload</c>: accounts with fewer distinct files read outside their caseload are not flagged.</summary>
    public long OutsideMinFiles { get; init; } = 20;

    /// <summary><c>sensitive-reads-outside-caseload</c>: distinct sensitive files read outside the caseload above this.</summary>
    public long SensitiveOutsideThreshold { get; init; } = 10;

    /// <summary>Unused access: a grant is unused when no holder read outside its caseload in its scope for this many days.</summary>
    public int UnusedDays { get; init; } = 90;

    /// <summary><c>log-retention-too-short</c>: event history must cover at least this many days (6 months).</summary>
    public int RetentionDays { get; init; } = 183;
}

/// <summary>
/// Rules over what accounts did (access_events), next to what they could do. <c>read-spike</c> uses a robust statistic:
/// a day is a spike when its distinct files exceed median + k × scale both of the account's own active days and of all
/// active days of its peers (same kind and organisation), where scale = max(1.4826 × MAD, 0.1 × median, 1) and
/// k = <see cref="UsageOptions.SpikeFactor"/>; an account with too short a history is compared with its peers only.
/// Median and MAD ignore the few extreme days a leak adds, so a slow leak over weeks stands out where an absolute
/// threshold would not see it.
/// </summary>
public static class UsageRules
{
    public const string MassRead = "mass-read";
    public const string ReadSpike = "read-spike";
    public const string ReadsOutsideCaseload = "reads-outside-caseload";
    public const string SensitiveReadsOutsideCaseload = "sensitive-reads-outside-caseload";
    public const string ActivityFromDormantAccount = "activity-from-dormant-account";
    public const string NoActivityLogged = "no-activity-logged";
    public const string LogRetentionTooShort = "log-retention-too-short";

    public static IReadOnlyList<(string Id, Severity Severity, string Description)> Catalog { get; } =
    [
        (MassRead, Severity.Critical, "An account read more distinct files in one day than anyone's work needs (the breach: 13 million in a day)."),
        (ReadSpike, Severity.High, "An account read far more than its own history and its peers on some days: a slow leak shows here."),
        (SensitiveReadsOutsideCaseload, Severity.High, "An account read sensitive files (health, disability) outside its caseload."),
        (ActivityFromDormantAccount, Severity.High, "An inactive account is still being used."),
        (ReadsOutsideCaseload, Severity.Medium, "Most of what an account reads lies outside its caseload."),
        (LogRetentionTooShort, Severity.Medium, "The access log covers less than the retention period a regulator expects."),
        (NoActivityLogged, Severity.Low, "An active account with reach has no logged access at all: its activity is invisible."),
    ];

    public static IEnumerable<Finding> Evaluate(ExposureResult result, IReadOnlyList<PrincipalFigures> figures, UsageTables usage, UsageOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(options);
        var asOf = result.Options.AsOf;
        var byId = figures.ToDictionary(f => f.PrincipalId, StringComparer.Ordinal);
        var days = usage.Days.Where(d => d.Day <= asOf).GroupBy(d => d.PrincipalId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(d => d.Day).ToList(), StringComparer.Ordinal);

        foreach (var (principalId, list) in days)
        {
            var heavy = list.Where(d => d.DistinctFiles > options.MassReadThreshold).ToList();
            if (heavy.Count > 0)
            {
                yield return new(MassRead, Severity.Critical,
                    $"Account '{principalId}'{Org(byId, principalId)} read {DayList(heavy)} (threshold {N(options.MassReadThreshold)} distinct files a day).",
                    "principal", [principalId]);
            }
        }

        foreach (var finding in Spikes(days, byId, options))
        {
            yield return finding;
        }

        foreach (var activity in usage.Principals.OrderBy(a => a.PrincipalId, StringComparer.Ordinal))
        {
            var org = Org(byId, activity.PrincipalId);
            var share = activity.DistinctFiles == 0 ? 0 : activity.DistinctOutsideCaseload / (double)activity.DistinctFiles;
            if (share > options.OutsideShareThreshold && activity.DistinctOutsideCaseload >= options.OutsideMinFiles)
            {
                yield return new(ReadsOutsideCaseload, Severity.Medium,
                    $"Account '{activity.PrincipalId}'{org} read {N(activity.DistinctOutsideCaseload)} of {N(activity.DistinctFiles)} distinct files " +
                    $"({share.ToString("0%", CultureInfo.InvariantCulture)}) outside its caseload between {activity.FirstDay:yyyy-MM-dd} and {activity.LastDay:yyyy-MM-dd} " +
                    $"(threshold {options.OutsideShareThreshold.ToString("0%", CultureInfo.InvariantCulture)}).",
                    "principal", [activity.PrincipalId]);
            }

            if (activity.DistinctSensitiveOutsideCaseload > options.SensitiveOutsideThreshold)
            {
                yield return new(SensitiveReadsOutsideCaseload, Severity.High,
                    $"Account '{activity.PrincipalId}'{org} read {N(activity.DistinctSensitiveOutsideCaseload)} sensitive files outside its caseload " +
                    $"between {activity.FirstDay:yyyy-MM-dd} and {activity.LastDay:yyyy-MM-dd} (threshold {N(options.SensitiveOutsideThreshold)}).",
                    "principal", [activity.PrincipalId]);
            }

            if (byId.TryGetValue(activity.PrincipalId, out var f) && !f.Active)
            {
                yield return new(ActivityFromDormantAccount, Severity.High,
                    $"Inactive account '{activity.PrincipalId}'{org} made {N(activity.Reads)} accesses between {activity.FirstDay:yyyy-MM-dd} and {activity.LastDay:yyyy-MM-dd}.",
                    "principal", [activity.PrincipalId]);
            }
        }

        var logged = usage.Principals.Select(a => a.PrincipalId).ToHashSet(StringComparer.Ordinal);
        foreach (var f in figures.Where(f => f.Active && f.ReachableFiles > 0 && !logged.Contains(f.PrincipalId)).OrderBy(f => f.PrincipalId, StringComparer.Ordinal))
        {
            yield return new(NoActivityLogged, Severity.Low,
                $"Active account '{f.PrincipalId}' ({f.Organization}) reaches {N(f.ReachableFiles)} files but has no logged access at all.",
                "principal", [f.PrincipalId]);
        }

        var covered = usage.FirstDay is { } first && usage.LastDay is { } last ? last.DayNumber - first.DayNumber + 1 : 0;
        if (covered < options.RetentionDays)
        {
            yield return new(LogRetentionTooShort, Severity.Medium,
                covered == 0
                    ? $"The access log is empty (retention expected: {options.RetentionDays} days)."
                    : $"The access log covers {covered} days, {usage.FirstDay:yyyy-MM-dd} to {usage.LastDay:yyyy-MM-dd}, less than the {options.RetentionDays} days expected.",
                "table", ["access_events"]);
        }

        if (usage.EventsNamingMissingPrincipal > 0)
        {
            yield return new(FindingRules.DanglingReference, Severity.Low,
                $"access_events.principal_id: {N(usage.EventsNamingMissingPrincipal)} events name principals missing from principals.", "access_events", ["principal_id"]);
        }

        if (usage.EventsNamingMissingFile > 0)
        {
            yield return new(FindingRules.DanglingReference, Severity.Low,
                $"access_events.file_id: {N(usage.EventsNamingMissingFile)} events name files missing from files.", "access_events", ["file_id"]);
        }
    }

    private static IEnumerable<Finding> Spikes(Dictionary<string, List<PrincipalDay>> days, Dictionary<string, PrincipalFigures> byId, UsageOptions options)
    {
        string PeerKey(string id) => byId.TryGetValue(id, out var f) ? $"{f.Kind.ToString().ToLowerInvariant()} of {f.Organization}" : "unknown accounts";
        var peers = days.GroupBy(kv => PeerKey(kv.Key), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Robust(g.SelectMany(kv => kv.Value.Select(d => (double)d.DistinctFiles)).ToArray()), StringComparer.Ordinal);

        foreach (var (principalId, list) in days.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var peerKey = PeerKey(principalId);
            var (peerMedian, peerScale) = peers[peerKey];
            var (ownMedian, ownScale) = Robust([.. list.Select(d => (double)d.DistinctFiles)]);
            var ownUsable = list.Count >= options.SpikeMinHistoryDays;
            var spikes = list.Where(d =>
                    d.DistinctFiles >= options.SpikeMinFiles &&
                    d.DistinctFiles > peerMedian + (options.SpikeFactor * peerScale) &&
                    (!ownUsable || d.DistinctFiles > ownMedian + (options.SpikeFactor * ownScale)))
                .ToList();
            if (spikes.Count == 0)
            {
                continue;
            }

            var own = ownUsable ? $"its own median of {N((long)ownMedian)} a day" : "a history too short to compare with";
            yield return new(ReadSpike, Severity.High,
                $"Account '{principalId}'{Org(byId, principalId)} read far above {own} and its peers' ({peerKey}: median {N((long)peerMedian)} a day) " +
                $"on {spikes.Count} day(s) from {spikes[0].Day:yyyy-MM-dd} to {spikes[^1].Day:yyyy-MM-dd}: {DayList(spikes)}.",
                "principal", [principalId]);
        }
    }

    /// <summary>Median and robust scale max(1.4826 × MAD, 0.1 × median, 1).</summary>
    internal static (double Median, double Scale) Robust(double[] values)
    {
        if (values.Length == 0)
        {
            return (0, 1);
        }

        var median = Median(values);
        var deviations = values.Select(v => Math.Abs(v - median)).ToArray();
        var mad = Median(deviations);
        return (median, Math.Max(Math.Max(1.4826 * mad, 0.1 * median), 1));
    }

    internal static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string DayList(List<PrincipalDay> days)
    {
        var shown = days.OrderByDescending(d => d.DistinctFiles).Take(5).OrderBy(d => d.Day)
            .Select(d => $"{N(d.DistinctFiles)} files on {d.Day:yyyy-MM-dd}");
        var more = days.Count > 5 ? $" and {days.Count - 5} more day(s)" : string.Empty;
        return string.Join(", ", shown) + more;
    }

    private static string Org(Dictionary<string, PrincipalFigures> byId, string id) =>
        byId.TryGetValue(id, out var f) ? $" ({f.Kind.ToString().ToLowerInvariant()}, {f.Organization})" : string.Empty;

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
