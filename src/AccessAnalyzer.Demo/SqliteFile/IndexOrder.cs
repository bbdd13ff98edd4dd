using System.Numerics;

namespace AccessAnalyzer.Demo.SqliteFile;

/// <summary>
/// The order of an index's entries: by its key columns (NULL first, then text by rank), ties by rowid. Each column's
/// values are renumbered densely (its own distinct values only), the columns packed from the last into 64-bit keys,
/// and the rows radix-sorted on each key from the last group to the first, stably: linear in the rows whatever the values.
/// </summary>
internal static class IndexOrder
{
    private const int DigitBits = 11;

    /// <summary>Rows (0-based) in index order, and for each key column its dense number by row.</summary>
    public static (int[] Order, int[][] Dense) Sort(ChunkedInts[] columns, int rows, int[] ranks)
    {
        var dense = new int[columns.Length][];
        var bits = new int[columns.Length];
        int[]? map = null;
        for (var c = 0; c < columns.Length; c++)
        {
            (dense[c], var distinct) = Renumber(columns[c], rows, ranks, ref map);
            bits[c] = distinct <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(distinct - 1));
        }

        var order = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        // Columns grouped from the last one into keys of at most 64 bits; the last group is sorted on first.
        var last = columns.Length - 1;
        ulong[]? keys = null, keysScratch = null;
        int[]? orderScratch = null;
        while (last >= 0)
        {
            var first = last;
            var width = bits[last];
            while (first > 0 && width + bits[first - 1] <= 64)
            {
                width += bits[--first];
            }

            if (width > 0)
            {
                keys ??= new ulong[rows];
                keysScratch ??= new ulong[rows];
                orderScratch ??= new int[rows];
                for (var i = 0; i < rows; i++)
                {
                    var row = order[i];
                    ulong key = 0;
                    for (var c = first; c <= last; c++)
                    {
                        key = (key << bits[c]) | (uint)dense[c][row];
                    }

                    keys[i] = key;
                }

                RadixSort(keys, order, keysScratch, orderScratch, rows, width);
            }

            last = first - 1;
        }

        return (order, dense);
    }

    /// <summary>Stable LSD radix sort of rows by key, <see cref="DigitBits"/> bits a pass; the result is left in the first arrays.</summary>
    private static void RadixSort(ulong[] keys, int[] order, ulong[] keysScratch, int[] orderScratch, int rows, int width)
    {
        var counts = new int[1 << DigitBits];
        var (k, o, k2, o2) = (keys, order, keysScratch, orderScratch);
        for (var shift = 0; shift < width; shift += DigitBits)
        {
            Array.Clear(counts);
            var mask = (1UL << DigitBits) - 1;
            for (var i = 0; i < rows; i++)
            {
                counts[(int)((k[i] >> shift) & mask)]++;
            }

            var sum = 0;
            for (var d = 0; d < counts.Length; d++)
            {
                (counts[d], sum) = (sum, sum + counts[d]);
            }

            for (var i = 0; i < rows; i++)
            {
                var at = counts[(int)((k[i] >> shift) & mask)]++;
                k2[at] = k[i];
                o2[at] = o[i];
            }

            (k, o, k2, o2) = (k2, o2, k, o);
        }

        if (!ReferenceEquals(o, order))
        {
            Array.Copy(k, keys, rows);
            Array.Copy(o, order, rows);
        }
    }

    /// <summary>
    /// A column's values (value numbers, -1 for NULL) as dense numbers in index order: 0 for the smallest present.
    /// Through a map over all ranks for a big column, through a sort of its distinct ranks for a small one.
    /// </summary>
    private static (int[] Dense, int Distinct) Renumber(ChunkedInts column, int rows, int[] ranks, ref int[]? map)
    {
        var key = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            var v = column[i];
            key[i] = v < 0 ? 0 : ranks[v] + 1;
        }

        if ((long)rows * 8 < ranks.Length)
        {
            var distinct = key.Distinct().Order().ToArray();
            for (var i = 0; i < rows; i++)
            {
                key[i] = Array.BinarySearch(distinct, key[i]);
            }

            return (key, distinct.Length);
        }

        map ??= new int[ranks.Length + 1];
        Array.Clear(map);
        foreach (var k in key)
        {
            map[k] = 1;
        }

        var next = 0;
        for (var k = 0; k < map.Length; k++)
        {
            if (map[k] != 0)
            {
                map[k] = next++;
            }
        }

        for (var i = 0; i < rows; i++)
        {
            key[i] = map[key[i]];
        }

        return (key, next);
    }
}
