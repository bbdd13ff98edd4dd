using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Sources.Usage;

/// <summary>One valid access event with what the aggregation needs to know about its file, as a database returns it.</summary>
internal readonly record struct ResolvedEvent(string PrincipalId, string FileId, DateOnly Day, string UnitId, bool Sensitive, bool InCaseload);

/// <summary>
/// The same aggregation as <see cref="AccessEventAggregator"/>, over events that arrive already sorted by (principal,
/// file, day) and already joined to their file and caseload: one pass, one principal's state in memory. Used for
/// SQLite, which is in-process: one sorted scan there beats four GROUP BYs, and no wire is crossed either way.
/// </summary>
internal static class SortedEventAggregator
{
    public static (List<PrincipalDay> Days, List<PrincipalActivity> Principals, List<UnitActivity> Units) Aggregate(IEnumerable<ResolvedEvent> sorted)
    {
        var days = new List<PrincipalDay>();
        var principals = new List<PrincipalActivity>();
        var units = new List<UnitActivity>();
        string? principal = null, file = null;
        DateOnly day = default, first = default, last = default;
        long reads = 0, distinct = 0, outside = 0, sensitiveOutside = 0;
        var perDay = new SortedDictionary<DateOnly, long[]>();
        var perUnit = new Dictionary<string, (DateOnly Last, DateOnly? LastOutside)>(StringComparer.Ordinal);

        void Flush()
        {
            if (principal is null)
            {
                return;
            }

            foreach (var (d, c) in perDay)
            {
                days.Add(new PrincipalDay(principal, d, c[0], c[1], c[2], c[3], c[4]));
            }

            principals.Add(new PrincipalActivity(principal, reads, distinct, outside, sensitiveOutside, first, last));
            foreach (var (unit, (lastRead, lastOutside)) in perUnit.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                units.Add(new UnitActivity(principal, unit, lastRead, lastOutside));
            }
        }

        foreach (var e in sorted)
        {
            if (!string.Equals(e.PrincipalId, principal, StringComparison.Ordinal))
            {
                Flush();
                principal = e.PrincipalId;
                file = null;
                perDay.Clear();
                perUnit.Clear();
                reads = distinct = outside = sensitiveOutside = 0;
                first = DateOnly.MaxValue;
                last = DateOnly.MinValue;
            }

            reads++;
            first = e.Day < first ? e.Day : first;
            last = e.Day > last ? e.Day : last;
            var newFile = !string.Equals(e.FileId, file, StringComparison.Ordinal);
            if (newFile)
            {
                file = e.FileId;
                distinct++;
                outside += e.InCaseload ? 0 : 1;
                sensitiveOutside += e.Sensitive && !e.InCaseload ? 1 : 0;
            }

            if (!perDay.TryGetValue(e.Day, out var counters))
            {
                perDay[e.Day] = counters = new long[5];
            }

            counters[0]++;
            if (newFile || e.Day != day)
            {
                counters[1]++;
                counters[2] += e.InCaseload ? 0 : 1;
                counters[3] += e.Sensitive ? 1 : 0;
                counters[4] += e.Sensitive && !e.InCaseload ? 1 : 0;
                var (lastRead, lastOutside) = perUnit.GetValueOrDefault(e.UnitId, (DateOnly.MinValue, null));
                perUnit[e.UnitId] = (e.Day > lastRead ? e.Day : lastRead, e.InCaseload ? lastOutside : lastOutside is { } o && o >= e.Day ? o : e.Day);
            }

            day = e.Day;
        }

        Flush();
        return (days, principals, units);
    }
}
