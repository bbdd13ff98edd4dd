using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text;
using AccessAnalyzer.Core.Input;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A big SQLite table read by two connections at once: stepping SQLite's table b-tree (decoding each record) is most
/// of a France-scale read, and one thread did it while the other core waited. The table is cut into rowid ranges that
/// the readers take in turn (reader k the ranges k, k + n, …); the cursor hands the rows over range after range, so
/// they come in rowid order, numbered as one reader would number them, and a bad value is met at the same row. Rows
/// are copied into blocks (cells as stored: text bytes, numbers as their digits, NULL and BLOB marked) that a bounded
/// queue per reader holds, so memory stays a few blocks whatever the table's size.
/// </summary>
internal sealed class SqliteParallelCursor : ITableCursor
{
    /// <summary>Rowids a range spans; also the most rows a block holds.</summary>
    internal const int RangeRows = 16_384;

    /// <summary>At most this many ranges (16 billion rowids at the default size): each costs a seek, empty or not.</summary>
    private const long MaxRanges = 1_000_000;

    private const int Null = -1;
    private const int Blob = -2;

    private readonly SqliteRowCursor[] _readers;
    private readonly BlockingCollection<Block>[] _queues;
    private readonly ConcurrentBag<Block>[] _free;
    private readonly Thread[] _threads;
    private readonly CancellationTokenSource _stop = new();
    private readonly long _first;
    private readonly long _ranges;
    private readonly int _columns;
    private long _next;
    private Block? _block;
    private int _row;
    private bool _disposed;

    private SqliteParallelCursor(SqliteRowCursor[] readers, long first, long last, int rangeRows)
    {
        _readers = readers;
        _first = first;
        RangeSize = rangeRows;
        _ranges = ((last - first) / rangeRows) + 1;
        _columns = readers[0].ColumnCount;
        DisplayName = readers[0].DisplayName;
        Personal = readers[0].Personal;
        _queues = [.. readers.Select(_ => new BlockingCollection<Block>(boundedCapacity: 2))];
        _free = [.. readers.Select(_ => new ConcurrentBag<Block>())];
        _threads = new Thread[readers.Length];
        for (var k = 0; k < readers.Length; k++)
        {
            var reader = k;
            _threads[k] = new Thread(() => Produce(reader)) { IsBackground = true, Name = $"sqlite reader {k}" };
            _threads[k].Start();
        }
    }

    /// <summary>Rowids a range spans in this cursor (smaller in tests, to cross many ranges on little data).</summary>
    internal int RangeSize { get; }

    /// <summary>
    /// The table read in parallel, or null when it cannot be cut by rowid (a view, a WITHOUT ROWID table) or spans too
    /// few rowids for two readers to pay off: the caller then reads it with one statement.
    /// </summary>
    public static SqliteParallelCursor? TryOpen(
        SqliteConnection connection, string tableSql, string table, Func<string, string> displayName, int readers = 2, int rangeRows = RangeRows)
    {
        if (readers < 2)
        {
            return null;
        }

        long first, last;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT min(rowid), max(rowid) FROM {tableSql}";
            using var result = command.ExecuteReader();
            if (!result.Read() || result.IsDBNull(0))
            {
                return null;
            }

            (first, last) = (result.GetInt64(0), result.GetInt64(1));
        }
        catch (SqliteException)
        {
            // No rowid: a view, or a table declared WITHOUT ROWID.
            return null;
        }

        // Too few rowids for two readers; or so many more rowids than a table could hold rows (ids far apart) that
        // walking the empty ranges would cost more than it saves: one statement then.
        if (last - first < 2L * rangeRows || (last - first) / rangeRows > MaxRanges)
        {
            return null;
        }

        var opened = new List<SqliteRowCursor>();
        try
        {
            for (var k = 0; k < readers; k++)
            {
                opened.Add(SqliteRowCursor.Open(connection.DataSource, $"SELECT * FROM {tableSql} WHERE rowid >= ?1 AND rowid <= ?2", table, displayName));
            }

            return new SqliteParallelCursor([.. opened], first, last, rangeRows);
        }
        catch
        {
            opened.ForEach(r => r.Dispose());
            throw;
        }
    }

    public string DisplayName { get; }

    public bool Personal { get; }

    public InputProblems? Problems { get; set; }

    public long Line { get; private set; }

    public long? MessageLine => Line;

    public int Column(string name, bool required = true) => this.Column(_readers[0].Columns, name, required);

    public bool Read()
    {
        while (true)
        {
            if (_block is { } block && _row + 1 < block.Rows)
            {
                _row++;
                Line++;
                return true;
            }

            if (_block is { } done)
            {
                _free[done.Reader].Add(done);
                _block = null;
            }

            if (_next >= _ranges)
            {
                return false;
            }

            var next = _queues[(int)(_next % _readers.Length)].Take();
            if (next.Error is { } error)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            _next++;
            _block = next;
            _row = -1;
        }
    }

    public ReadOnlySpan<byte> Bytes(int column)
    {
        if (column < 0)
        {
            return default;
        }

        var cell = (_row * _columns) + column;
        var length = _block!.Lengths[cell];
        return length switch
        {
            >= 0 => _block.Data.AsSpan(_block.Starts[cell], length),
            Null => default,
            _ => throw _readers[0].WrongType(column, Line),
        };
    }

    public string? Get(int column)
    {
        if (column < 0)
        {
            return null;
        }

        var cell = (_row * _columns) + column;
        return _block!.Lengths[cell] switch
        {
            Null => null,
            Blob => throw _readers[0].WrongType(column, Line),
            var length => Encoding.UTF8.GetString(_block.Data, _block.Starts[cell], length),
        };
    }

    public string Describe(int column) => _readers[0].Describe(column);

    public string ColumnName(int column) => _readers[0].ColumnName(column);

    /// <summary>Reader <paramref name="k"/>: its ranges, in order, each into one block of its queue.</summary>
    private void Produce(int k)
    {
        var reader = _readers[k];
        var queue = _queues[k];
        try
        {
            for (var range = (long)k; range < _ranges; range += _readers.Length)
            {
                var block = _free[k].TryTake(out var reused) ? reused : new Block(k, RangeSize * _columns);
                block.Clear();
                var low = _first + (range * RangeSize);
                reader.Rebind(low, low + RangeSize - 1);
                while (reader.Read())
                {
                    for (var c = 0; c < _columns; c++)
                    {
                        var type = reader.CellType(c);
                        if (type == raw.SQLITE_NULL)
                        {
                            block.Add(Null);
                        }
                        else if (type == raw.SQLITE_BLOB)
                        {
                            block.Add(Blob);
                        }
                        else
                        {
                            // Text as stored; a number as the digits the one-statement reader gives.
                            block.Add(reader.Bytes(c));
                        }
                    }

                    block.Rows++;
                }

                queue.Add(block, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed before the end: nothing waits for the rest.
        }
        catch (Exception ex)
        {
            // Met in order: the cursor throws it when it reaches this reader's next range.
            try
            {
                queue.Add(new Block(k, 0) { Error = ex }, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var reader in _readers)
        {
            reader.Dispose();
        }

        foreach (var queue in _queues)
        {
            queue.Dispose();
        }

        _stop.Dispose();
    }

    /// <summary>The rows of one range: cell bytes back to back, each cell's start and length (or NULL / BLOB).</summary>
    private sealed class Block(int reader, int cells)
    {
        public int Reader { get; } = reader;

        public byte[] Data { get; private set; } = new byte[Math.Max(1024, cells * 16)];

        public int[] Starts { get; } = new int[cells];

        public int[] Lengths { get; } = new int[cells];

        public int Rows { get; set; }

        public Exception? Error { get; init; }

        private int _cells;
        private int _used;

        public void Clear() => (Rows, _cells, _used) = (0, 0, 0);

        public void Add(int marker)
        {
            Starts[_cells] = _used;
            Lengths[_cells++] = marker;
        }

        public void Add(ReadOnlySpan<byte> bytes)
        {
            if (_used + bytes.Length > Data.Length)
            {
                var data = Data;
                Array.Resize(ref data, Math.Max(Data.Length * 2, _used + bytes.Length));
                Data = data;
            }

            bytes.CopyTo(Data.AsSpan(_used));
            Starts[_cells] = _used;
            Lengths[_cells++] = bytes.Length;
            _used += bytes.Length;
        }
    }
}
