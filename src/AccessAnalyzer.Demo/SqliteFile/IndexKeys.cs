using AccessAnalyzer.Sources.Csv;

namespace AccessAnalyzer.Demo.SqliteFile;

/// <summary>
/// The values of every indexed column, kept to sort the index entries once the last row is in: each distinct text is
/// stored once (a <see cref="Utf8IdTable"/>, numbered in the order first seen), and each row keeps its number per
/// indexed column (-1 for NULL).
/// </summary>
internal sealed class IndexKeys(int expectedValues)
{
    private readonly Utf8IdTable _values = new(expectedValues);

    public int Add(ReadOnlySpan<byte> utf8) => _values.Add(utf8, out _);

    public ReadOnlySpan<byte> Value(int number) => _values.IdAt(number);

    public int Count => _values.Count;

    /// <summary>
    /// The rank of every value in BINARY collation (bytes compared, then length), value number → rank. Values tend to
    /// be first seen in long ascending runs (ids written in order), so a natural merge sort that gallops through
    /// those runs costs little more than one pass; any order still sorts in n log n.
    /// </summary>
    public int[] Ranks()
    {
        var n = _values.Count;
        var a = new int[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = i;
        }

        var runs = new List<int> { 0 };
        for (var i = 1; i < n; i++)
        {
            if (Compare(a[i - 1], a[i]) > 0)
            {
                runs.Add(i);
            }
        }

        var b = new int[n];
        while (runs.Count > 1)
        {
            var next = new List<int>();
            for (var r = 0; r < runs.Count; r += 2)
            {
                var start = runs[r];
                var middle = r + 1 < runs.Count ? runs[r + 1] : n;
                var end = r + 2 < runs.Count ? runs[r + 2] : n;
                Merge(a, b, start, middle, end);
                next.Add(start);
            }

            (a, b) = (b, a);
            runs = next;
        }

        var rank = b; // reused: a holds the sorted numbers
        for (var i = 0; i < n; i++)
        {
            rank[a[i]] = i;
        }

        return rank;
    }

    private int Compare(int x, int y) => _values.IdAt(x).SequenceCompareTo(_values.IdAt(y));

    /// <summary>Merges a[start..middle) and a[middle..end) into b, copying whole stretches found by galloping.</summary>
    private void Merge(int[] a, int[] b, int start, int middle, int end)
    {
        int i = start, j = middle, k = start;
        while (i < middle && j < end)
        {
            // Elements of the left run before a[j], then of the right run before a[i]: found by exponential search.
            var left = Gallop(a, i, middle, a[j], strict: false);
            Array.Copy(a, i, b, k, left - i);
            k += left - i;
            i = left;
            if (i == middle)
            {
                break;
            }

            var right = Gallop(a, j, end, a[i], strict: true);
            Array.Copy(a, j, b, k, right - j);
            k += right - j;
            j = right;
        }

        Array.Copy(a, i, b, k, middle - i);
        k += middle - i;
        Array.Copy(a, j, b, k, end - j);
    }

    /// <summary>The first index in a[from..to) whose value is above (strict: at or above) <paramref name="pivot"/>'s.</summary>
    private int Gallop(int[] a, int from, int to, int pivot, bool strict)
    {
        bool Before(int index)
        {
            var c = Compare(a[index], pivot);
            return strict ? c < 0 : c <= 0;
        }

        var step = 1;
        var low = from;
        var high = from;
        while (high < to && Before(high))
        {
            low = high + 1;
            high = from + step;
            step *= 2;
        }

        high = Math.Min(high, to);
        while (low < high)
        {
            var mid = low + ((high - low) >> 1);
            if (Before(mid))
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}

/// <summary>
/// Hands the indexed values of each row to a thread of its own, which numbers them (<see cref="IndexKeys.Add"/>) and
/// appends each number to its column, in row order: hashing tens of millions of ids into a table of hundreds of
/// megabytes is mostly waiting for memory, which the thread that encodes the rows need not do. A value equal to its
/// column's previous one (a unit, a boolean, the principal of a caseload) takes its number without a lookup.
/// </summary>
internal sealed class KeyIntake : IDisposable
{
    private const int BatchValues = 1 << 14;

    private readonly IndexKeys _keys;
    private readonly WorkerThread<Batch> _worker;
    private Batch _batch = new();
    private bool _finished;

    public KeyIntake(IndexKeys keys)
    {
        _keys = keys;
        _worker = new WorkerThread<Batch>(4, Number);
    }

    /// <summary>The next row's value of <paramref name="column"/>; -1 length for NULL.</summary>
    public void Add(ChunkedInts column, ReadOnlySpan<byte> value, bool isNull)
    {
        var b = _batch;
        if (b.Count == BatchValues || b.Used + value.Length > b.Bytes.Length)
        {
            Submit();
            b = _batch;
            if (value.Length > b.Bytes.Length)
            {
                b.Bytes = new byte[value.Length];
            }
        }

        b.Columns[b.Count] = column;
        b.Lengths[b.Count++] = isNull ? -1 : value.Length;
        value.CopyTo(b.Bytes.AsSpan(b.Used));
        b.Used += value.Length;
    }

    /// <summary>Waits until every value is numbered.</summary>
    public void Finish()
    {
        if (!_finished)
        {
            _finished = true;
            Submit();
            _worker.Finish();
        }
    }

    private void Submit()
    {
        if (_batch.Count > 0)
        {
            _worker.Add(_batch);
            _batch = _worker.Reuse() ?? new Batch();
            Array.Clear(_batch.Columns);
            _batch.Count = 0;
            _batch.Used = 0;
        }
    }

    private void Number(Batch batch)
    {
        var at = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var column = batch.Columns[i]!;
            var length = batch.Lengths[i];
            if (length < 0)
            {
                column.Add(-1);
                continue;
            }

            var value = batch.Bytes.AsSpan(at, length);
            at += length;
            column.Add(column.Repeats(value, out var number) ? number : column.Remember(value, _keys.Add(value)));
        }
    }

    public void Dispose() => _worker.Dispose();

    private sealed class Batch
    {
        public readonly ChunkedInts?[] Columns = new ChunkedInts?[BatchValues];
        public readonly int[] Lengths = new int[BatchValues];
        public byte[] Bytes = new byte[1 << 20];
        public int Count;
        public int Used;
    }
}

/// <summary>An int per row, in chunks: no array of a whole table is ever copied to grow.</summary>
internal sealed class ChunkedInts
{
    private const int Shift = 20;
    private readonly List<int[]> _chunks = [];
    private readonly byte[] _last = new byte[64];
    private int _lastLength = -1;
    private int _lastNumber;

    /// <summary>Whether <paramref name="value"/> is the last one remembered, and its number.</summary>
    public bool Repeats(ReadOnlySpan<byte> value, out int number)
    {
        number = _lastNumber;
        return value.Length == _lastLength && value.SequenceEqual(_last.AsSpan(0, _lastLength));
    }

    /// <summary>Remembers a value (up to 64 bytes) and its number; returns the number.</summary>
    public int Remember(ReadOnlySpan<byte> value, int number)
    {
        if (value.Length <= _last.Length)
        {
            value.CopyTo(_last);
            _lastLength = value.Length;
            _lastNumber = number;
        }
        else
        {
            _lastLength = -1;
        }

        return number;
    }

    public long Count { get; private set; }

    public void Add(int value)
    {
        var offset = (int)(Count & ((1 << Shift) - 1));
        if (offset == 0)
        {
            _chunks.Add(GC.AllocateUninitializedArray<int>(1 << Shift));
        }

        _chunks[^1][offset] = value;
        Count++;
    }

    /// <summary>Frees the chunks once the table's indexes are built.</summary>
    public void Release()
    {
        _chunks.Clear();
        Count = 0;
    }

    public int this[long index] => _chunks[(int)(index >> Shift)][(int)(index & ((1 << Shift) - 1))];
}
