using System.Text;
using AccessAnalyzer.Sources.Usage;

namespace AccessAnalyzer.Sources.Export;

/// <summary>
/// Rows of one table put in order in bounded memory: the cells compared left to right by ordinal comparison of their
/// text (an empty cell first), so the first column is the key and the others break ties, and the order is the same
/// whatever the source, its collation or its locale. Rows are held until <see cref="MaxChars"/> characters, then sorted
/// and spilled as a run to the private spill directory; <see cref="Sorted"/> merges the runs.
/// </summary>
public sealed class SortedRows : IDisposable
{
    /// <summary>Characters of cell text held in memory before a run is spilled (about 128 MiB of strings).</summary>
    public const long DefaultMaxChars = 64L << 20;

    private const int CellOverhead = 16; // a string's header, as chars, so that many tiny cells count too

    private readonly long _maxChars;
    private readonly List<string?[]> _rows = [];
    private readonly List<string> _runs = [];
    private string? _spillDirectory;
    private long _chars;

    public SortedRows(long maxChars = DefaultMaxChars) => _maxChars = maxChars;

    public long MaxChars => _maxChars;

    public static int Compare(string?[] a, string?[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            var c = string.CompareOrdinal(a[i] ?? string.Empty, b[i] ?? string.Empty);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    public void Add(string?[] row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _rows.Add(row);
        foreach (var cell in row)
        {
            _chars += (cell?.Length ?? 0) + CellOverhead;
        }

        if (_chars >= _maxChars)
        {
            Spill();
        }
    }

    /// <summary>Every row added, in order. Called once.</summary>
    public IEnumerable<string?[]> Sorted()
    {
        _rows.Sort(Compare);
        if (_runs.Count == 0)
        {
            return _rows;
        }

        if (_rows.Count > 0)
        {
            Spill();
        }

        return Merge();
    }

    private void Spill()
    {
        _rows.Sort(Compare);
        _spillDirectory ??= SpillDirectory.Create();
        var path = Path.Combine(_spillDirectory, $"run-{_runs.Count}");
        using (var writer = new BinaryWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8))
        {
            foreach (var row in _rows)
            {
                writer.Write(row.Length);
                foreach (var cell in row)
                {
                    writer.Write(cell is not null);
                    if (cell is not null)
                    {
                        writer.Write(cell);
                    }
                }
            }
        }

        _runs.Add(path);
        _rows.Clear();
        _chars = 0;
    }

    private IEnumerable<string?[]> Merge()
    {
        var readers = _runs.Select(r => new BinaryReader(new FileStream(r, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), Encoding.UTF8)).ToArray();
        try
        {
            var queue = new PriorityQueue<int, string?[]>(Comparer<string?[]>.Create(Compare));
            for (var r = 0; r < readers.Length; r++)
            {
                if (Next(readers[r]) is { } row)
                {
                    queue.Enqueue(r, row);
                }
            }

            while (queue.TryDequeue(out var r, out var row))
            {
                yield return row;
                if (Next(readers[r]) is { } next)
                {
                    queue.Enqueue(r, next);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    private static string?[]? Next(BinaryReader reader)
    {
        if (reader.BaseStream.Position >= reader.BaseStream.Length)
        {
            return null;
        }

        var row = new string?[reader.ReadInt32()];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = reader.ReadBoolean() ? reader.ReadString() : null;
        }

        return row;
    }

    public void Dispose()
    {
        if (_spillDirectory is not null)
        {
            SpillDirectory.Remove(_spillDirectory);
            _spillDirectory = null;
        }
    }
}
