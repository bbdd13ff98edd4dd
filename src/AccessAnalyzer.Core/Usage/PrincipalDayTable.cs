using System.Collections;

namespace AccessAnalyzer.Core.Usage;

/// <summary>
/// The per-principal, per-day usage rows as columns, ordered by principal id (ordinal) then day: the one form every
/// source hands its day rows over in (an in-process aggregation builds it directly, a database's rows go through
/// <see cref="FromRows"/>), and the columns <see cref="UsageIndex"/> gives the usage rules by principal index. At
/// national scale there are millions of rows (3.8 million for 6 million events); a <see cref="PrincipalDay"/> object
/// per row cost about 300 MB and most of the usage analysis's time in allocation and string-keyed grouping, while
/// these arrays take 32 bytes a row and hold each principal's days as a contiguous, day-ordered range. Reading it as a
/// list materialises a row on demand, with the same values.
/// </summary>
public sealed class PrincipalDayTable : IReadOnlyList<PrincipalDay>
{
    private readonly string[] _principalIds;
    private readonly int[] _start;
    private readonly DateOnly[] _day;
    private readonly long[] _reads;
    private readonly int[] _distinct, _outside, _sensitive, _sensitiveOutside;

    /// <param name="principalIds">Distinct principal ids, in ordinal order.</param>
    /// <param name="start">Principal i's rows are [start[i], start[i + 1]); one more item than <paramref name="principalIds"/>.
    /// The last item is the number of rows; the columns may be longer (spare capacity, never read).</param>
    /// <param name="day">Each row's day, strictly increasing within a principal.</param>
    /// <param name="reads">Events of the row.</param>
    /// <param name="distinct">Distinct files of the row.</param>
    /// <param name="outside">Distinct files outside the caseload.</param>
    /// <param name="sensitive">Distinct sensitive files.</param>
    /// <param name="sensitiveOutside">Distinct sensitive files outside the caseload.</param>
    /// <exception cref="ArgumentException">The order above does not hold: the rules rely on it.</exception>
    public PrincipalDayTable(
        string[] principalIds, int[] start, DateOnly[] day, long[] reads, int[] distinct, int[] outside, int[] sensitive, int[] sensitiveOutside)
    {
        ArgumentNullException.ThrowIfNull(principalIds);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(day);
        ArgumentNullException.ThrowIfNull(reads);
        ArgumentNullException.ThrowIfNull(distinct);
        ArgumentNullException.ThrowIfNull(outside);
        ArgumentNullException.ThrowIfNull(sensitive);
        ArgumentNullException.ThrowIfNull(sensitiveOutside);
        var count = start.Length == principalIds.Length + 1 ? start[^1] : -1;
        if (count < 0 || start[0] != 0 || day.Length < count || reads.Length < count || distinct.Length < count ||
            outside.Length < count || sensitive.Length < count || sensitiveOutside.Length < count)
        {
            throw new ArgumentException("columns shorter than the rows, or start of the wrong length");
        }

        // Checked here, once, in O(rows): the usage rules walk each principal's range assuming this order.
        for (var p = 0; p < principalIds.Length; p++)
        {
            if (start[p + 1] <= start[p] || (p > 0 && string.CompareOrdinal(principalIds[p - 1], principalIds[p]) >= 0))
            {
                throw new ArgumentException("principals must be distinct, in ordinal order, each with at least one row");
            }

            for (var i = start[p] + 1; i < start[p + 1]; i++)
            {
                if (day[i - 1] >= day[i])
                {
                    throw new ArgumentException("a principal's days must be strictly increasing");
                }
            }
        }

        Count = count;
        _principalIds = principalIds;
        _start = start;
        _day = day;
        _reads = reads;
        _distinct = distinct;
        _outside = outside;
        _sensitive = sensitive;
        _sensitiveOutside = sensitiveOutside;
    }

    /// <summary>
    /// The table of rows in any order (a database's GROUP BY), sorted by principal id (ordinal) then day. Counts are
    /// distinct files of one principal on one day: they fit the int columns (checked).
    /// </summary>
    /// <exception cref="ArgumentException">Two rows for the same principal and day, or a count beyond an int.</exception>
    public static PrincipalDayTable FromRows(IEnumerable<PrincipalDay> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sorted = rows.OrderBy(r => r.PrincipalId, StringComparer.Ordinal).ThenBy(r => r.Day).ToArray();
        var ids = new List<string>();
        var start = new List<int>();
        var day = new DateOnly[sorted.Length];
        var reads = new long[sorted.Length];
        int[] distinct = new int[sorted.Length], outside = new int[sorted.Length], sensitive = new int[sorted.Length],
            sensitiveOutside = new int[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            var r = sorted[i];
            if (i == 0 || !string.Equals(r.PrincipalId, sorted[i - 1].PrincipalId, StringComparison.Ordinal))
            {
                ids.Add(r.PrincipalId);
                start.Add(i);
            }

            day[i] = r.Day;
            reads[i] = r.Reads;
            distinct[i] = Narrow(r.DistinctFiles);
            outside[i] = Narrow(r.DistinctOutsideCaseload);
            sensitive[i] = Narrow(r.DistinctSensitive);
            sensitiveOutside[i] = Narrow(r.DistinctSensitiveOutsideCaseload);
        }

        start.Add(sorted.Length);
        return new PrincipalDayTable([.. ids], [.. start], day, reads, distinct, outside, sensitive, sensitiveOutside);

        static int Narrow(long count) => count is >= 0 and <= int.MaxValue
            ? (int)count
            : throw new ArgumentException($"a day's distinct file count of {count} does not fit the table");
    }

    public int Count { get; }

    public PrincipalDay this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);

            // The principal whose range holds the row: the last start at or before it.
            var p = Array.BinarySearch(_start, 0, _principalIds.Length, index);
            if (p < 0)
            {
                p = ~p - 1;
            }

            return Row(p, index);
        }
    }

    private PrincipalDay Row(int p, int i) =>
        new(_principalIds[p], _day[i], _reads[i], _distinct[i], _outside[i], _sensitive[i], _sensitiveOutside[i]);

    /// <summary>Distinct principals with rows, in ordinal order.</summary>
    internal string[] PrincipalIds => _principalIds;

    /// <summary>Principal i's rows are [Start[i], Start[i + 1]).</summary>
    internal int[] Start => _start;

    internal DateOnly[] Days => _day;

    internal int[] DistinctFiles => _distinct;

    public IEnumerator<PrincipalDay> GetEnumerator()
    {
        for (var p = 0; p < _principalIds.Length; p++)
        {
            for (var i = _start[p]; i < _start[p + 1]; i++)
            {
                yield return Row(p, i);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
