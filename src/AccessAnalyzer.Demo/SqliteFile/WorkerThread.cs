using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace AccessAnalyzer.Demo.SqliteFile;

/// <summary>
/// Items handed to a thread of its own and worked on in order, at most <c>bound</c> waiting; each goes back to a pool
/// for the handing thread to reuse. The first failure of the work (a full disk, memory) is the handing thread's at
/// its next hand-over or at <see cref="Finish"/>; items after it are taken and dropped, so that the handing thread
/// never waits on a full queue.
/// </summary>
internal sealed class WorkerThread<T> : IDisposable
    where T : class
{
    private readonly BlockingCollection<T> _queue;
    private readonly ConcurrentBag<T> _free = [];
    private readonly Action<T> _work;
    private readonly Task _thread;
    private volatile Exception? _failure;
    private bool _disposed;

    public WorkerThread(int bound, Action<T> work)
    {
        _queue = new BlockingCollection<T>(bound);
        _work = work;
        _thread = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Hands an item over (or throws the work's failure).</summary>
    public void Add(T item)
    {
        ThrowIfFailed();
        _queue.Add(item);
    }

    /// <summary>An item the work is done with, or null.</summary>
    public T? Reuse() => _free.TryTake(out var item) ? item : null;

    /// <summary>Waits until every item is worked on; throws the work's failure.</summary>
    public void Finish()
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }

        _thread.GetAwaiter().GetResult();
        ThrowIfFailed();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }

        // A failure was reported already, or the work is being abandoned: only the thread's end matters here.
        ((IAsyncResult)_thread).AsyncWaitHandle.WaitOne();
        _queue.Dispose();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Run()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (_failure is null)
                {
                    _work(item);
                }
            }
            catch (Exception ex)
            {
                _failure = ex;
            }

            _free.Add(item);
        }
    }
}
