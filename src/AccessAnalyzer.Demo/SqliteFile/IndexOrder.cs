using System.Numerics;

namespace AccessAnalyzer.Demo.SqliteFile;

/// <summary>
/// The order of an index's entries: by its key columns (NULL first, then text by rank), ties by rowid. Each column's
/// values are renumbered densely (its own distinct values only) and the columns packed, first column highest, into
/// 64-bit keys that are radix-sorted stably from row order: linear in the rows whatever the values. Keys wider than
/// 64 bits are sorted group by group, from the last columns' group to the first's.
/// </summary>
internal static class IndexOrder
{
    private const int DigitBits = 11;

    /// <summary>The rows of an index in its order.</summary>
    /// <param name="columns">Value numbers (-1 for NULL) of each key column, by row.</param>
    /// <param name="rows">Rows of the table.</param>
    /// <param name="ranks">Rank of every value number in BINARY collation.</param>
    /// <param name="workspace">Arrays reused from one index to the next.</param>
    /// <param name="keyBits">Bits of a key (64; tests narrow it to sort wide keys group by group).</param>
    public static SortedIndex Sort(ChunkedInts[] columns, int rows, int[] ranks, IndexWorkspace workspace, int keyBits = 64)
    {
        var bits = new int[columns.Length];
        var denseToValue = new int[columns.Length][];

        // Usually every column fits one key: each is folded in as soon as it is renumbered.
        var keys = workspace.Keys(rows);
        var width = 0;
        for (var c = 0; c < columns.Length && width <= keyBits; c++)
        {
            var dense = workspace.Dense(rows);
            (bits[c], denseToValue[c]) = Renumber(columns[c], rows, ranks, dense, workspace);
            width += bits[c];
            if (width <= keyBits)
            {
                var shift = bits[c];
                for (var i = 0; i < rows; i++)
                {
                    keys[i] = c == 0 ? (uint)dense[i] : (keys[i] << shift) | (uint)dense[i];
                }
            }
        }

        // The row itself in the key's low bits when they are free: sorting on the bits above leaves equal keys in row
        // order, and no array of rows is moved along.
        var rowBits = rows <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(rows - 1));
        if (width + rowBits <= keyBits)
        {
            for (var i = 0; i < rows; i++)
            {
                keys[i] = (keys[i] << rowBits) | (uint)i;
            }

            RadixSort(keys, null, workspace.KeysScratch(rows), null, rows, rowBits, rowBits + width);
            return new SortedIndex(null, keys, rowBits, bits, denseToValue, null);
        }

        var order = Identity(workspace.Order(rows), rows);
        if (width <= keyBits)
        {
            RadixSort(keys, order, workspace.KeysScratch(rows), workspace.OrderScratch(rows), rows, 0, width);
            return new SortedIndex(order, keys, 0, bits, denseToValue, null);
        }

        // Wider: every column's dense numbers kept, the groups sorted from the last.
        var all = new int[columns.Length][];
        for (var c = 0; c < columns.Length; c++)
        {
            all[c] = new int[rows];
            (bits[c], denseToValue[c]) = Renumber(columns[c], rows, ranks, all[c], workspace);
        }

        var last = columns.Length - 1;
        while (last >= 0)
        {
            var first = last;
            var groupWidth = bits[last];
            while (first > 0 && groupWidth + bits[first - 1] <= keyBits)
            {
                groupWidth += bits[--first];
            }

            for (var i = 0; i < rows; i++)
            {
                ulong key = 0;
                for (var c = first; c <= last; c++)
                {
                    key = (key << bits[c]) | (uint)all[c][order[i]];
                }

                keys[i] = key;
            }

            RadixSort(keys, order, workspace.KeysScratch(rows), workspace.OrderScratch(rows), rows, 0, groupWidth);
            last = first - 1;
        }

        return new SortedIndex(order, null, 0, bits, denseToValue, all);
    }

    private static int[] Identity(int[] order, int rows)
    {
        for (var i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        return order;
    }

    /// <summary>
    /// Stable LSD radix sort by the key bits from <paramref name="from"/> to <paramref name="to"/>, <see cref="DigitBits"/>
    /// a pass, moving the rows along when given; the result is left in the first arrays.
    /// </summary>
    private static void RadixSort(ulong[] keys, int[]? order, ulong[] keysScratch, int[]? orderScratch, int rows, int from, int to)
    {
        var counts = new int[1 << DigitBits];
        var (k, o, k2, o2) = (keys, order, keysScratch, orderScratch);
        const ulong mask = (1UL << DigitBits) - 1;
        for (var shift = from; shift < to; shift += DigitBits)
        {
            Array.Clear(counts);
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
                if (o is not null)
                {
                    o2![at] = o[i];
                }
            }

            (k, o, k2, o2) = (k2, o2, k, o);
        }

        if (!ReferenceEquals(k, keys))
        {
            Array.Copy(k, keys, rows);
            if (order is not null)
            {
                Array.Copy(o!, order, rows);
            }
        }
    }

    /// <summary>
    /// A column's values (value numbers, -1 for NULL) as dense numbers in index order, 0 for the smallest present,
    /// written into <paramref name="dense"/> by row; returns the bits they need and each dense number's value number.
    /// A bit per rank marks the values present; a value's dense number is the count of marks before its own.
    /// </summary>
    private static (int Bits, int[] DenseToValue) Renumber(ChunkedInts column, int rows, int[] ranks, int[] dense, IndexWorkspace workspace)
    {
        var words = workspace.Present((ranks.Length + 64) >> 6);
        for (var i = 0; i < rows; i++)
        {
            var v = column[i];
            var k = v < 0 ? 0 : ranks[v] + 1;
            dense[i] = k;
            words[k >> 6] |= 1UL << (k & 63);
        }

        var before = workspace.Before(words.Length);
        var distinct = 0;
        for (var w = 0; w < words.Length; w++)
        {
            before[w] = distinct;
            distinct += BitOperations.PopCount(words[w]);
        }

        for (var i = 0; i < rows; i++)
        {
            var k = dense[i];
            dense[i] = before[k >> 6] + BitOperations.PopCount(words[k >> 6] & ((1UL << (k & 63)) - 1));
        }

        var denseToValue = new int[distinct];
        for (var i = 0; i < rows; i++)
        {
            denseToValue[dense[i]] = column[i];
        }

        return (distinct <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(distinct - 1)), denseToValue);
    }
}

/// <summary>An index's rows in order, with each key column's dense number and value number at every position.</summary>
internal sealed class SortedIndex
{
    private readonly int[]? _order;
    private readonly ulong[]? _keys;
    private readonly int _rowBits;
    private readonly int[][] _denseToValue;
    private readonly int[][]? _dense;
    private readonly int[] _shift;
    private readonly ulong[] _mask;

    /// <param name="order">Rows by position; null when each key carries its row in its low <paramref name="rowBits"/> bits.</param>
    /// <param name="keys">Packed dense numbers by position (above the row bits); null when <paramref name="dense"/> holds them by row.</param>
    /// <param name="rowBits">Bits of the row at the bottom of each key (0 with an order).</param>
    /// <param name="bits">Bits of each column's dense numbers.</param>
    /// <param name="denseToValue">Each column's value number by dense number.</param>
    /// <param name="dense">Each column's dense numbers by row (keys wider than 64 bits).</param>
    public SortedIndex(int[]? order, ulong[]? keys, int rowBits, int[] bits, int[][] denseToValue, int[][]? dense)
    {
        (_order, _keys, _rowBits, _denseToValue, _dense) = (order, keys, rowBits, denseToValue, dense);
        _shift = new int[bits.Length];
        _mask = new ulong[bits.Length];
        for (var c = bits.Length - 1; c >= 0; c--)
        {
            _shift[c] = c == bits.Length - 1 ? rowBits : _shift[c + 1] + bits[c + 1];
            _mask[c] = (1UL << bits[c]) - 1;
        }
    }

    /// <summary>The row (0-based) at a position.</summary>
    public int Row(int position) => _order is null ? (int)(_keys![position] & ((1UL << _rowBits) - 1)) : _order[position];

    /// <summary>Column <paramref name="column"/>'s dense number at a position: equal numbers, equal values.</summary>
    public int Dense(int column, int position) =>
        _keys is null ? _dense![column][_order![position]] : (int)((_keys[position] >> _shift[column]) & _mask[column]);

    /// <summary>The value number (-1 for NULL) of column <paramref name="column"/> at a position.</summary>
    public int Value(int column, int position) => _denseToValue[column][Dense(column, position)];
}

/// <summary>The sort's arrays, sized for the largest table and reused index after index: a new set for each would stay in the large-object heap.</summary>
internal sealed class IndexWorkspace
{
    private ulong[] _present = [];
    private int[] _before = [];
    private int[] _order = [];
    private int[] _orderScratch = [];
    private ulong[] _keys = [];
    private ulong[] _keysScratch = [];

    /// <summary>A cleared bit per rank.</summary>
    public ulong[] Present(int words)
    {
        if (_present.Length != words)
        {
            _present = new ulong[words];
        }
        else
        {
            Array.Clear(_present);
        }

        return _present;
    }

    public int[] Before(int words) => _before.Length == words ? _before : _before = new int[words];

    public int[] Order(int rows) => Ensure(ref _order, rows);

    public int[] OrderScratch(int rows) => Ensure(ref _orderScratch, rows);

    /// <summary>One column's dense numbers while the keys are packed: the sort's scratch, free until the sort.</summary>
    public int[] Dense(int rows) => OrderScratch(rows);

    public ulong[] Keys(int rows) => Ensure(ref _keys, rows);

    public ulong[] KeysScratch(int rows) => Ensure(ref _keysScratch, rows);

    private static T[] Ensure<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = [];
            array = GC.AllocateUninitializedArray<T>(length);
        }

        return array;
    }
}
