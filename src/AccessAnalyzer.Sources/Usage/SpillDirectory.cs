using System.Globalization;

namespace AccessAnalyzer.Sources.Usage;

/// <summary>
/// The private directory (0700, in the temp directory) that holds sorted runs of a large access log. Its name carries
/// the process id, so that a run that was killed leaves a directory the next run recognises and removes.
/// </summary>
internal static class SpillDirectory
{
    public const string Prefix = "aa-spill-";

    public static string Create()
    {
        RemoveStale(Path.GetTempPath());
        // Created 0700: the runs hold who opened which file, which nobody else on the machine may read.
        var directory = Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId}-").FullName;
        TemporaryFiles.Add(directory);
        return directory;
    }

    public static void Remove(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next run, which removes directories of processes that are gone.
        }

        TemporaryFiles.Forget(directory);
    }

    /// <summary>Removes spill directories whose process is no longer running (a run killed before it could clean up).</summary>
    public static void RemoveStale(string temp)
    {
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateDirectories(temp, Prefix + "*").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var directory in candidates)
        {
            var rest = Path.GetFileName(directory)[Prefix.Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId && !IsRunning(pid))
            {
                Remove(directory);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
