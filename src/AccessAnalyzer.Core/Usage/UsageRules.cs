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

    public static IEnumerable<Finding> Evaluate(DateOnly asOf, IReadOnlyList<PrincipalFigures> figures, UsageTables usage, UsageOptions options)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(options);
        var byId = figures.ToDictionary(f => f.PrincipalId, StringComparer.Ordinal);
        var days = DayGroups.Build(usage.Days, asOf);

        for (var g = 0; g < days.Count; g++)
        {
            List<(long DistinctFiles, DateOnly Day)>? heavy = null;
            for (var i = days.Start[g]; i < days.End[g]; i++)
            {
                if (days.DistinctFiles(i) > options.MassReadThreshold)
                {
                    (heavy ??= []).Add((days.DistinctFiles(i), days.Day[i]));
                }
            }

            if (heavy is not null)
            {
                var principalId = days.Ids[g];
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

    private static IEnumerable<Finding> Spikes(DayGroups days, Dictionary<string, PrincipalFigures> byId, UsageOptions options)
    {
        string PeerKey(string id) => byId.TryGetValue(id, out var f) ? $"{Spellings.Of(f.Kind)} of {f.Organization}" : "unknown accounts";
        var peerKeys = new string[days.Count];
        var peerGroups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var g = 0; g < days.Count; g++)
        {
            peerKeys[g] = PeerKey(days.Ids[g]);
            if (!peerGroups.TryGetValue(peerKeys[g], out var members))
            {
                peerGroups[peerKeys[g]] = members = [];
            }

            members.Add(g);
        }

        var peers = new Dictionary<string, (double Median, double Scale)>(StringComparer.Ordinal);
        foreach (var (key, members) in peerGroups)
        {
            peers[key] = RobustOfPeers(days, members);
        }

        var order = Enumerable.Range(0, days.Count).ToArray();
        Array.Sort(order, (a, b) => string.CompareOrdinal(days.Ids[a], days.Ids[b]));
        foreach (var g in order)
        {
            var principalId = days.Ids[g];
            var peerKey = peerKeys[g];
            var (peerMedian, peerScale) = peers[peerKey];
            var from = days.Start[g];
            var count = days.Length(g);
            var peerThreshold = peerMedian + (options.SpikeFactor * peerScale);

            // The account's own median and scale matter only for days above the peers' threshold: most accounts have
            // none, and skip the two sorts.
            var candidate = false;
            for (var i = from; i < from + count && !candidate; i++)
            {
                var distinct = days.DistinctFiles(i);
                candidate = distinct >= options.SpikeMinFiles && distinct > peerThreshold;
            }

            if (!candidate)
            {
                continue;
            }

            var own = new double[count];
            for (var i = 0; i < count; i++)
            {
                own[i] = days.DistinctFiles(from + i);
            }

            var (ownMedian, ownScale) = Robust(own);
            var ownUsable = count >= options.SpikeMinHistoryDays;
            List<(long DistinctFiles, DateOnly Day)>? spikes = null;
            for (var i = from; i < from + count; i++)
            {
                var distinct = days.DistinctFiles(i);
                if (distinct >= options.SpikeMinFiles &&
                    distinct > peerThreshold &&
                    (!ownUsable || distinct > ownMedian + (options.SpikeFactor * ownScale)))
                {
                    (spikes ??= []).Add((distinct, days.Day[i]));
                }
            }

            if (spikes is null)
            {
                continue;
            }

            var ownText = ownUsable ? $"its own median of {N((long)ownMedian)} a day" : "a history too short to compare with";
            yield return new(ReadSpike, Severity.High,
                $"Account '{principalId}'{Org(byId, principalId)} read far above {ownText} and its peers' ({peerKey}: median {N((long)peerMedian)} a day) " +
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
    private static (double Median, double Scale) RobustOfPeers(DayGroups days, List<int> members)
    {
        var values = new double[members.Sum(days.Length)];
        var k = 0;
        foreach (var g in members)
        {
            for (var i = days.Start[g]; i < days.End[g]; i++)
            {
                values[k++] = days.DistinctFiles(i);
            }
        }

        return Robust(values);
    }

    private static double Scale(double median, double mad) => Math.Max(Math.Max(1.4826 * mad, 0.1 * median), 1);

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

    private static string Org(Dictionary<string, PrincipalFigures> byId, string id) =>
        byId.TryGetValue(id, out var f) ? $" ({Spellings.Of(f.Kind)}, {f.Organization})" : string.Empty;

    private static string N(long value) => Numbers.Grouped(value);

    /// <summary>
    /// The days each principal read on (up to the analysis date), grouped by principal in the order principals first
    /// appear and ordered by day within a principal (the order of a stable sort): principal g's days are rows
    /// [Start[g], End[g]). A <see cref="PrincipalDayTable"/> is used in place (its ranges already have that order, and
    /// the days up to the analysis date are a prefix of each); any other list is grouped once.
    /// </summary>
    private sealed class DayGroups
    {
        private int[]? _distinct32;
        private long[]? _distinct64;

        public string[] Ids { get; private init; } = [];

        public int[] Start { get; private init; } = [];

        public int[] End { get; private init; } = [];

        public DateOnly[] Day { get; private init; } = [];

        public int Count => Ids.Length;

        public int Length(int g) => End[g] - Start[g];

        public long DistinctFiles(int i) => _distinct32 is { } d ? d[i] : _distinct64![i];

        public static DayGroups Build(IReadOnlyList<PrincipalDay> rows, DateOnly asOf) =>
            rows is PrincipalDayTable table ? FromTable(table, asOf) : FromRows(rows, asOf);

        private static DayGroups FromTable(PrincipalDayTable table, DateOnly asOf)
        {
            var ids = new List<string>();
            var start = new List<int>();
            var end = new List<int>();
            var tableStart = table.Start;
            var days = table.Days;
            for (var p = 0; p < table.PrincipalIds.Length; p++)
            {
                var to = tableStart[p];
                while (to < tableStart[p + 1] && days[to] <= asOf)
                {
                    to++;
                }

                if (to > tableStart[p])
                {
                    ids.Add(table.PrincipalIds[p]);
                    start.Add(tableStart[p]);
                    end.Add(to);
                }
            }

            return new DayGroups { Ids = [.. ids], Start = [.. start], End = [.. end], Day = days, _distinct32 = table.DistinctFiles };
        }

        private static DayGroups FromRows(IReadOnlyList<PrincipalDay> rows, DateOnly asOf)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var ids = new List<string>();
            var kept = new List<(int Group, DateOnly Day, int Row)>();
            for (var i = 0; i < rows.Count; i++)
            {
                var d = rows[i];
                if (d.Day > asOf)
                {
                    continue;
                }

                if (!index.TryGetValue(d.PrincipalId, out var g))
                {
                    index.Add(d.PrincipalId, g = ids.Count);
                    ids.Add(d.PrincipalId);
                }

                kept.Add((g, d.Day, i));
            }

            // By group, then day, then position: a stable ordering by day within each principal.
            kept.Sort((a, b) => a.Group != b.Group ? a.Group.CompareTo(b.Group) : a.Day != b.Day ? a.Day.CompareTo(b.Day) : a.Row.CompareTo(b.Row));
            var start = new int[ids.Count + 1];
            var distinct = new long[kept.Count];
            var day = new DateOnly[kept.Count];
            for (var i = 0; i < kept.Count; i++)
            {
                start[kept[i].Group + 1]++;
                distinct[i] = rows[kept[i].Row].DistinctFiles;
                day[i] = kept[i].Day;
            }

            for (var g = 0; g < ids.Count; g++)
            {
                start[g + 1] += start[g];
            }

            return new DayGroups { Ids = [.. ids], Start = start[..^1], End = start[1..], Day = day, _distinct64 = distinct };
        }
    }
}
