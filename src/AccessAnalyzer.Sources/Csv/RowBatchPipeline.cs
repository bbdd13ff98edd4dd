using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>Rows of a big table parsed but not yet joined: their key bytes, source lines and one int of payload each.</summary>
internal sealed class RowBatch(int capacity)
{
    public KeyBatch Keys { get; } = new(capacity);

    public long[] Lines { get; } = new long[capacity];

    public int[] Payload { get; } = new int[capacity];

    /// <summary>A second int a row, for a table that carries two (access events: the principal and the day).</summary>
    public int[] SecondPayload { get; } = new int[capacity];

    /// <summary>
    /// A string a row that the parser already holds (access events: the principal's interned id), so the joining
    /// side never reads the parser's growing intern table.
    /// </summary>
    public string[] Names { get; } = new string[capacity];

    /// <summary>Scratch for the joining side (one int a row).</summary>
    public int[] Results { get; } = new int[capacity];

    public int Count => Keys.Count;

    public bool IsFull => Keys.IsFull;

    public void Clear() => Keys.Clear();
}

/// <summary>
/// Two cores on one table: the calling thread parses rows into batches, a worker joins them (hash-table inserts or
/// lookups, the memory-bound half), over a small bounded queue so memory stays flat.
/// <para>
/// Errors come out as a row-by-row read would raise them: the worker handles the rows in file order, so an error it
/// raises (a duplicate id) is on an earlier line than anything the parser has not yet handed over. When the parser
/// fails, it hands over the rows it has (see <see cref="Fail"/>), waits for the worker, and the worker's error wins.
/// </para>
/// </summary>
internal sealed class RowBatchPipeline : IDisposable
{
    private const int Batches = 8;

    private readonly BlockingCollection<RowBatch> _full = new(Batches);
    private readonly BlockingCollection<RowBatch> _free = new(Batches);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly Action<RowBatch>? _helpJoin;
    private ExceptionDispatchInfo? _workerError;

    /// <param name="batchRows">Rows per batch.</param>
    /// <param name="join">Joins one batch; runs on the worker.</param>
    /// <param name="threadSafeJoin">
    /// The join may run on both threads at once (lookups in a finished table): the parser, when it is ahead,
    /// joins waiting batches itself instead of idling. Such a join must not raise input errors.
    /// </param>
    public RowBatchPipeline(int batchRows, Action<RowBatch> join, bool threadSafeJoin = false)
    {
        _helpJoin = threadSafeJoin ? join : null;
        for (var i = 0; i < Batches - 1; i++)
        {
            _free.Add(new RowBatch(batchRows));
        }

        Current = new RowBatch(batchRows);
        _worker = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var batch in _full.GetConsumingEnumerable(_stop.Token))
                {
                    var started = Stopwatch.GetTimestamp();
                    join(batch);
                    JoinTicks += Stopwatch.GetTimestamp() - started;
                    batch.Clear();
                    _free.Add(batch);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped by the parser's side.
            }
            catch (Exception e)
            {
                _workerError = ExceptionDispatchInfo.Capture(e);
                _stop.Cancel();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Time the worker spent joining, and the parser waiting for it (for the profile).</summary>
    public long JoinTicks { get; private set; }

    public long WaitTicks { get; private set; }

    public int HelpedBatches { get; private set; }

    /// <summary>The batch the parser fills.</summary>
    public RowBatch Current { get; private set; }

    /// <summary>Hands the current batch to the worker and takes an empty one (waiting if the worker is behind).</summary>
    public void Submit()
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            if (_helpJoin is not null)
            {
                while (_full.Count >= Batches / 2 && _full.TryTake(out var waiting))
                {
                    _helpJoin(waiting);
                    waiting.Clear();
                    _free.Add(waiting);
                    HelpedBatches++;
                }
            }

            _full.Add(Current, _stop.Token);
            Current = _free.Take(_stop.Token);
            WaitTicks += Stopwatch.GetTimestamp() - started;
        }
        catch (OperationCanceledException)
        {
            Finish(); // the worker failed: its error
            throw;
        }
    }

    /// <summary>After the last row: hands over the rest and waits for the worker; throws its error, if any.</summary>
    public void Complete()
    {
        if (Current.Count > 0)
        {
            Submit();
        }

        Finish();
    }

    /// <summary>
    /// The parser failed on a row: the rows before it (already in <see cref="Current"/>) are still joined, and an
    /// error the worker raises on them is thrown instead of the parser's, being on an earlier line.
    /// </summary>
    public void Fail()
    {
        if (_workerError is null && Current.Count > 0 && !_stop.IsCancellationRequested)
        {
            try
            {
                _full.Add(Current, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                // The worker failed meanwhile.
            }
        }

        Finish();
    }

    private void Finish()
    {
        if (!_full.IsAddingCompleted)
        {
            _full.CompleteAdding();
        }

        _worker.Wait();
        _workerError?.Throw();
    }

    public void Dispose()
    {
        if (!_worker.IsCompleted)
        {
            _stop.Cancel();
            try
            {
                _worker.Wait();
            }
            catch (AggregateException)
            {
                // Already reported, or irrelevant after the parser's own error.
            }
        }

        _full.Dispose();
        _free.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="parse"/> (which fills <see cref="Current"/> and calls <see cref="Submit"/>) and joins every
    /// batch on the worker, with the error order described above.
    /// </summary>
    public static void Run(int batchRows, Action<RowBatch> join, Action<RowBatchPipeline> parse, bool threadSafeJoin = false)
    {
        using var pipeline = new RowBatchPipeline(batchRows, join, threadSafeJoin);
        try
        {
            parse(pipeline);
        }
        catch (InputErrorException)
        {
            pipeline.Fail();
            throw;
        }

        pipeline.Complete();
        PhaseTimer.Note($"parse+join pipeline: worker joined {Stopwatch.GetElapsedTime(0, pipeline.JoinTicks).TotalMilliseconds:F0} ms, parser waited or helped {Stopwatch.GetElapsedTime(0, pipeline.WaitTicks).TotalMilliseconds:F0} ms ({pipeline.HelpedBatches} batches joined by the parser)");
    }
}
