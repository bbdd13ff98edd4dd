using System.Collections.Concurrent;
using AccessAnalyzer.Core.Engine;

namespace AccessAnalyzer.Cli;

/// <summary>
/// The engine's per-principal loop over every core: ranges large enough that scheduling costs nothing next to the
/// work, and one scratch state per worker. The engine itself owns no threads; the CLI chooses this.
/// </summary>
public sealed class ParallelScheduler : IWorkScheduler
{
    public static readonly ParallelScheduler Instance = new();

    public void For<TScratch>(int count, Func<TScratch> newScratch, Action<int, TScratch> body)
    {
        ArgumentNullException.ThrowIfNull(newScratch);
        ArgumentNullException.ThrowIfNull(body);
        if (count == 0)
        {
            return;
        }

        Parallel.ForEach(
            Partitioner.Create(0, count, Math.Max(256, (count / (Environment.ProcessorCount * 8)) + 1)),
            newScratch,
            (range, _, scratch) =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    body(i, scratch);
                }

                return scratch;
            },
            _ => { });
    }
}
