using System.Diagnostics;
using System.Globalization;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>
/// Phase timings of a CSV load on stderr when the environment variable <c>AA_PROFILE</c> is set (the benchmark's
/// profile): wall time per phase and the process's peak working set so far. Counts and times only, never a value.
/// </summary>
internal sealed class PhaseTimer
{
    private static readonly bool Enabled = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AA_PROFILE"));
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    /// <summary>A line of the profile that is not a phase.</summary>
    public static void Note(string text)
    {
        if (Enabled)
        {
            Console.Error.WriteLine("[profile] csv " + text);
        }
    }

    public void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[profile] csv {phase}: {_watch.Elapsed.TotalMilliseconds:F0} ms (peak working set {process.PeakWorkingSet64 / (1 << 20)} MiB)"));
        _watch.Restart();
    }
}
