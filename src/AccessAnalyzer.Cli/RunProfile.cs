using System.Diagnostics;
using System.Globalization;

namespace AccessAnalyzer.Cli;

/// <summary>
/// The run's phases after the source's own (<c>[profile] csv …</c>) on stderr when <c>AA_PROFILE</c> is set, for the
/// benchmark's profile: what a run spends between reading and its output. Times and memory only, never a value.
/// </summary>
internal static class RunProfile
{
    private static readonly bool Enabled = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AA_PROFILE"));
    private static readonly Stopwatch Watch = Stopwatch.StartNew();

    public static void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        var sinceStart = DateTime.Now - process.StartTime;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[profile] run {phase}: {Watch.Elapsed.TotalMilliseconds:F0} ms ({sinceStart.TotalMilliseconds:F0} ms since the process started; peak working set {process.PeakWorkingSet64 / (1 << 20)} MiB)"));
        Watch.Restart();
    }
}
