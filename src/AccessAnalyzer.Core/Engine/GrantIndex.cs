using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Engine;

/// <summary>Assignments that grant reach on the analysis date (in force, role with file access), by holder.</summary>
internal sealed class GrantIndex
{
    private readonly int[] _principalStart;
    private readonly int[] _principalItems;
    private readonly int[] _groupStart;
    private readonly int[] _groupItems;

    private GrantIndex(int[] principalStart, int[] principalItems, int[] groupStart, int[] groupItems)
    {
        _principalStart = principalStart;
        _principalItems = principalItems;
        _groupStart = groupStart;
        _groupItems = groupItems;
    }

    public static GrantIndex Build(Snapshot snapshot, DateOnly asOf)
    {
        var granting = Enumerable.Range(0, snapshot.Assignments.Length)
            .Where(a => Grants(snapshot, snapshot.Assignments[a], asOf))
            .ToArray();
        var (ps, pi) = CompressedRows.Group(snapshot.Principals.Count, granting.Where(a => snapshot.Assignments[a].HolderType == HolderType.Principal).Select(a => (snapshot.Assignments[a].Holder, a)));
        var (gs, gi) = CompressedRows.Group(snapshot.GroupCount, granting.Where(a => snapshot.Assignments[a].HolderType == HolderType.Group).Select(a => (snapshot.Assignments[a].Holder, a)));
        return new GrantIndex(ps, pi, gs, gi);
    }

    /// <summary>An assignment grants reach when it is in force and its role reads files.</summary>
    public static bool Grants(Snapshot snapshot, Assignment assignment, DateOnly asOf) =>
        assignment.IsInForce(asOf) && snapshot.Roles.FileAccess[assignment.Role];

    public ReadOnlySpan<int> OfPrincipal(int p) => _principalItems.AsSpan(_principalStart[p], _principalStart[p + 1] - _principalStart[p]);

    public ReadOnlySpan<int> OfGroup(int g) => _groupItems.AsSpan(_groupStart[g], _groupStart[g + 1] - _groupStart[g]);
}

/// <summary>A half-open interval of pre-order positions.</summary>
internal readonly record struct Interval(int Start, int End)
{
    /// <summary>Sorts and merges overlapping intervals (nested subtrees collapse into their ancestor). Returns the merged prefix.</summary>
    public static ReadOnlySpan<Interval> MergeInPlace(List<Interval> intervals)
    {
        if (intervals.Count == 0)
        {
            return [];
        }

        intervals.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(intervals);
        var count = 0;
        foreach (var next in span)
        {
            if (count > 0 && next.Start < span[count - 1].End)
            {
                if (next.End > span[count - 1].End)
                {
                    span[count - 1] = span[count - 1] with { End = next.End };
                }
            }
            else
            {
                span[count++] = next;
            }
        }

        return span[..count];
    }

    /// <summary>
    /// <paramref name="from"/> minus <paramref name="minus"/>, both sorted and disjoint, into <paramref name="into"/>
    /// (cleared first); the result is sorted and disjoint.
    /// </summary>
    public static ReadOnlySpan<Interval> Subtract(ReadOnlySpan<Interval> from, ReadOnlySpan<Interval> minus, List<Interval> into)
    {
        into.Clear();
        var m = 0;
        foreach (var interval in from)
        {
            var start = interval.Start;
            while (m < minus.Length && minus[m].End <= start)
            {
                m++;
            }

            var k = m;
            while (start < interval.End && k < minus.Length && minus[k].Start < interval.End)
            {
                if (minus[k].Start > start)
                {
                    into.Add(new Interval(start, minus[k].Start));
                }

                start = Math.Max(start, minus[k].End);
                k++;
            }

            if (start < interval.End)
            {
                into.Add(new Interval(start, interval.End));
            }
        }

        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(into);
    }

    /// <summary>Binary search over sorted, disjoint intervals.</summary>
    public static bool Contains(ReadOnlySpan<Interval> merged, int position)
    {
        int lo = 0, hi = merged.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (merged[mid].End <= position)
            {
                lo = mid + 1;
            }
            else if (merged[mid].Start > position)
            {
                hi = mid - 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}
