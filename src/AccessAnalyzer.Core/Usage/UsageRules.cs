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

    /// <summary>The usage findings of the access log, read through its interned form.</summary>
    /// <param name="asOf">Days after it are left out of the daily rules.</param>
    /// <param name="figures">Every principal's figures, indexed like the snapshot (what the report and the gate hold).</param>
    /// <param name="usage">The snapshot's <see cref="Model.Snapshot.UsageIndex"/>.</param>
    /// <param name="options">Thresholds.</param>
    public static IEnumerable<Finding> Evaluate(DateOnly asOf, IReadOnlyList<PrincipalFigures> figures, UsageIndex usage, UsageOptions options) =>
        Evaluate(asOf, figures, usage, options, flagged: null);

    /// <summary>
    /// The days the daily rules (<c>mass-read</c>, <c>read-spike</c>) flag, per principal index, in day order: what a
    /// chart of an account's daily reads marks. The same evaluation as the findings, so a marked day is always one a
    /// finding names (or counts among its "more days").
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<DateOnly>> FlaggedDays(DateOnly asOf, IReadOnlyList<PrincipalFigures> figures, UsageIndex usage, UsageOptions options)
    {
        var flagged = new List<(int Principal, DateOnly Day)>();
        foreach (var _ in Evaluate(asOf, figures, usage, options, flagged))
        {
        }

        return flagged.GroupBy(f => f.Principal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<DateOnly>)[.. g.Select(f => f.Day).Distinct().Order()]);
    }

    private static IEnumerable<Finding> Evaluate(
        DateOnly asOf, IReadOnlyList<PrincipalFigures> figures, UsageIndex usage, UsageOptions options, List<(int Principal, DateOnly Day)>? flagged)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(options);
        // The rules read figures by principal index: a list in another order would give one account another's figures.
        var indexed = figures.Count == usage.PrincipalCount;
        for (var p = 0; p < figures.Count && indexed; p++)
        {
            indexed = string.Equals(figures[p].PrincipalId, usage.PrincipalIdOf(p), StringComparison.Ordinal);
        }

        if (!indexed)
        {
            throw new ArgumentException("figures must be indexed like the snapshot's principals", nameof(figures));
        }

        // Days after the analysis date are a suffix of each principal's days: the rules read the prefix before it.
        var logged = new int[figures.Count];
        for (var p = 0; p < logged.Length; p++)
        {
            var found = usage.DaysOf(p).BinarySearch(asOf);
            logged[p] = found >= 0 ? found + 1 : ~found;
        }

        // Principal indices follow the ids' ordinal order: walking them in order gives the findings in id order.
        for (var p = 0; p < logged.Length; p++)
        {
            if (MassReadOf(usage, p, logged[p], figures[p], options, flagged) is { } finding)
            {
                yield return finding;
            }
        }

        foreach (var finding in Spikes(usage, logged, figures, options, flagged))
        {
            yield return finding;
        }

        for (var p = 0; p < figures.Count; p++)
        {
            if (usage.ActivityOf(p) is not { } activity)
            {
                continue;
            }

            var org = Org(figures[p]);
            var share = activity.DistinctFiles == 0 ? 0 : activity.DistinctOutsideCaseload / (double)activity.DistinctFiles;
            if (share > options.OutsideShareThreshold && activity.DistinctOutsideCaseload >= options.OutsideMinFiles)
            {
                yield return new(ReadsOutsideCaseload, Severity.Medium,
                    $"Account '{activity.PrincipalId}'{org} read {N(activity.DistinctOutsideCaseload)} of {N(activity.DistinctFiles)} distinct files " +
                    $"({share.ToString("0%", CultureInfo.InvariantCulture)}) outside its caseload {Period(activity.FirstDay, activity.LastDay)} " +
                    $"(threshold {options.OutsideShareThreshold.ToString("0%", CultureInfo.InvariantCulture)}).",
                    "principal", [activity.PrincipalId]);
            }

            if (activity.DistinctSensitiveOutsideCaseload > options.SensitiveOutsideThreshold)
            {
                yield return new(SensitiveReadsOutsideCaseload, Severity.High,
                    $"Account '{activity.PrincipalId}'{org} read {N(activity.DistinctSensitiveOutsideCaseload)} sensitive files outside its caseload " +
                    $"{Period(activity.FirstDay, activity.LastDay)} (threshold {N(options.SensitiveOutsideThreshold)}).",
                    "principal", [activity.PrincipalId]);
            }

            if (!figures[p].Active)
            {
                yield return new(ActivityFromDormantAccount, Severity.High,
                    $"Inactive account '{activity.PrincipalId}'{org} made {N(activity.Reads)} accesses {Period(activity.FirstDay, activity.LastDay)}.",
                    "principal", [activity.PrincipalId]);
            }
        }

        for (var p = 0; p < figures.Count; p++)
        {
            var f = figures[p];
            if (f.Active && f.ReachableFiles > 0 && usage.ActivityOf(p) is null)
            {
                yield return new(NoActivityLogged, Severity.Low,
                    $"Active account '{f.PrincipalId}' ({f.Organization}) reaches {N(f.ReachableFiles)} files but has no logged access at all.",
                    "principal", [f.PrincipalId]);
            }
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

    /// <summary><c>mass-read</c> of principal p over its first <paramref name="logged"/> days, or null.</summary>
    private static Finding? MassReadOf(UsageIndex usage, int p, int logged, PrincipalFigures figures, UsageOptions options, List<(int Principal, DateOnly Day)>? flagged)
    {
        var days = usage.DaysOf(p)[..logged];
        var distinct = usage.DistinctFilesOf(p)[..logged];
        List<(long DistinctFiles, DateOnly Day)>? heavy = null;
        for (var i = 0; i < days.Length; i++)
        {
            if (distinct[i] > options.MassReadThreshold)
            {
                (heavy ??= []).Add((distinct[i], days[i]));
                flagged?.Add((p, days[i]));
            }
        }

        return heavy is null ? null : new(MassRead, Severity.Critical,
            $"Account '{figures.PrincipalId}'{Org(figures)} read {DayList(heavy)} (threshold {N(options.MassReadThreshold)} distinct files a day).",
            "principal", [figures.PrincipalId]);
    }

    private static IEnumerable<Finding> Spikes(
        UsageIndex usage, int[] logged, IReadOnlyList<PrincipalFigures> figures, UsageOptions options, List<(int Principal, DateOnly Day)>? flagged)
    {
        var peerKeys = new string[logged.Length];
        var peerGroups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var p = 0; p < logged.Length; p++)
        {
            if (logged[p] == 0)
            {
                continue;
            }

            peerKeys[p] = PeerKey(figures[p]);
            if (!peerGroups.TryGetValue(peerKeys[p], out var members))
            {
                peerGroups[peerKeys[p]] = members = [];
            }

            members.Add(p);
        }

        var peers = new Dictionary<string, (double Median, double Scale)>(StringComparer.Ordinal);
        foreach (var (key, members) in peerGroups)
        {
            peers[key] = RobustOfPeers(usage, logged, members);
        }

        for (var p = 0; p < logged.Length; p++)
        {
            if (logged[p] > 0 && SpikeOf(usage, p, logged[p], figures[p], peerKeys[p], peers[peerKeys[p]], options, flagged) is { } finding)
            {
                yield return finding;
            }
        }
    }

    /// <summary><c>read-spike</c> of principal p over its first <paramref name="logged"/> days against its peers, or null.</summary>
    private static Finding? SpikeOf(
        UsageIndex usage, int p, int logged, PrincipalFigures figures, string peerKey, (double Median, double Scale) peer, UsageOptions options,
        List<(int Principal, DateOnly Day)>? flagged)
    {
        var days = usage.DaysOf(p)[..logged];
        var distinctFiles = usage.DistinctFilesOf(p)[..logged];
        var peerThreshold = peer.Median + (options.SpikeFactor * peer.Scale);

        // The account's own median and scale matter only for days above the peers' threshold: most accounts have
        // none, and skip the two sorts.
        var candidate = false;
        for (var i = 0; i < distinctFiles.Length && !candidate; i++)
        {
            candidate = distinctFiles[i] >= options.SpikeMinFiles && distinctFiles[i] > peerThreshold;
        }

        if (!candidate)
        {
            return null;
        }

        var own = new double[distinctFiles.Length];
        for (var i = 0; i < own.Length; i++)
        {
            own[i] = distinctFiles[i];
        }

        var (ownMedian, ownScale) = Robust(own);
        var ownUsable = own.Length >= options.SpikeMinHistoryDays;
        List<(long DistinctFiles, DateOnly Day)>? spikes = null;
        for (var i = 0; i < distinctFiles.Length; i++)
        {
            long distinct = distinctFiles[i];
            if (distinct >= options.SpikeMinFiles &&
                distinct > peerThreshold &&
                (!ownUsable || distinct > ownMedian + (options.SpikeFactor * ownScale)))
            {
                (spikes ??= []).Add((distinct, days[i]));
                flagged?.Add((p, days[i]));
            }
        }

        if (spikes is null)
        {
            return null;
        }

        var ownText = ownUsable ? $"its own median of {N((long)ownMedian)} a day" : "a history too short to compare with";
        return new(ReadSpike, Severity.High,
            $"Account '{figures.PrincipalId}'{Org(figures)} read far above {ownText} and its peers' ({peerKey}: median {N((long)peer.Median)} a day) " +
            $"on {spikes.Count} day(s) from {spikes[0].Day:yyyy-MM-dd} to {spikes[^1].Day:yyyy-MM-dd}: {DayList(spikes)}.",
            "principal", [figures.PrincipalId]);
    }

    /// <summary>Median and robust scale max(1.4826 × MAD, 0.1 × median, 1).</summary>
    internal static (double Median, double Scale) Robust(double[] values)
    {
        if (values.Length == 0)
        {
            return (0, 1);
        }

        double median, mad;
        if (!TryRobustOfCounts(values, out median, out mad))
        {
            median = Median(values);
            var deviations = values.Select(v => Math.Abs(v - median)).ToArray();
            mad = Median(deviations);
        }

        return (median, Scale(median, mad));
    }

    /// <summary><see cref="Robust"/> over all days of a peer group (millions of values at national scale).</summary>
    private static (double Median, double Scale) RobustOfPeers(UsageIndex usage, int[] logged, List<int> members)
    {
        var total = 0;
        foreach (var p in members)
        {
            total += logged[p];
        }

        var values = new double[total];
        var k = 0;
        foreach (var p in members)
        {
            foreach (var distinct in usage.DistinctFilesOf(p)[..logged[p]])
            {
                values[k++] = distinct;
            }
        }

        return Robust(values);
    }

    /// <summary>The peer group <c>read-spike</c> compares an account with: its kind within its organisation.</summary>
    internal static string PeerKey(PrincipalFigures f) => $"{Spellings.Of(f.Kind)} of {f.Organization}";

    internal static double Scale(double median, double mad) => Math.Max(Math.Max(1.4826 * mad, 0.1 * median), 1);

    /// <summary>Below this many values sorting is as fast as a histogram and allocates less.</summary>
    private const int HistogramMinValues = 4096;

    /// <summary>Largest value a histogram may have to hold for n values: memory stays O(n).</summary>
    private static long HistogramLimit(long n) => (4 * n) + 1024;

    /// <summary>
    /// Median and MAD of many small whole numbers (daily distinct files) from a histogram in O(n + max) instead of two
    /// sorts. Exact: the values and the deviations from a median (a whole or half number) are the same doubles the
    /// sorting path picks. False when the values do not fit.
    /// </summary>
    private static bool TryRobustOfCounts(double[] values, out double median, out double mad)
    {
        median = mad = 0;
        if (values.Length < HistogramMinValues)
        {
            return false;
        }

        var limit = HistogramLimit(values.Length);
        var max = 0L;
        foreach (var v in values)
        {
            if (!(v >= 0 && v <= limit && v == Math.Floor(v)))
            {
                return false;
            }

            max = Math.Max(max, (long)v);
        }

        var counts = new int[max + 1];
        foreach (var v in values)
        {
            counts[(long)v]++;
        }

        (median, mad) = RobustOfHistogram(counts, values.Length);
        return true;
    }

    /// <summary>Median and MAD of the n values counted in a histogram (value → how many times).</summary>
    private static (double Median, double Mad) RobustOfHistogram(int[] counts, int n)
    {
        var mid = n / 2;
        var median = n % 2 == 1 ? Kth(counts, mid) : (Kth(counts, mid - 1) + (double)Kth(counts, mid)) / 2;

        // Twice the deviation is a whole number: |2v - 2 × median|.
        var twiceMedian = (long)(2 * median);
        var deviations = new int[(2 * counts.Length) + 2];
        for (var v = 0L; v < counts.Length; v++)
        {
            deviations[Math.Abs((2 * v) - twiceMedian)] += counts[v];
        }

        var mad = n % 2 == 1 ? Kth(deviations, mid) / 2.0 : ((Kth(deviations, mid - 1) / 2.0) + (Kth(deviations, mid) / 2.0)) / 2;
        return (median, mad);

        // The k-th smallest value (from 0) of a histogram.
        static long Kth(int[] histogram, int k)
        {
            var seen = 0L;
            for (var v = 0; v < histogram.Length; v++)
            {
                seen += histogram[v];
                if (seen > k)
                {
                    return v;
                }
            }

            throw new InvalidOperationException("k beyond the histogram");
        }
    }

    internal static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string DayList(List<(long DistinctFiles, DateOnly Day)> days)
    {
        var shown = days.OrderByDescending(d => d.DistinctFiles).Take(5).OrderBy(d => d.Day)
            .Select(d => $"{N(d.DistinctFiles)} files on {d.Day:yyyy-MM-dd}");
        var more = days.Count > 5 ? $" and {days.Count - 5} more day(s)" : string.Empty;
        return string.Join(", ", shown) + more;
    }

    private static string Org(PrincipalFigures f) => $" ({Spellings.Of(f.Kind)}, {f.Organization})";


    /// <summary>"on 2026-11-20" for one day, "between 2026-11-20 and 2026-11-23" for several.</summary>
    private static string Period(DateOnly first, DateOnly last) =>
        first == last ? $"on {first:yyyy-MM-dd}" : $"between {first:yyyy-MM-dd} and {last:yyyy-MM-dd}";

    private static string N(long value) => Numbers.Grouped(value);
}
