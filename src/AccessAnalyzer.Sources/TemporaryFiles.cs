namespace AccessAnalyzer.Sources;

/// <summary>
/// The temporary files and directories this process has made and not yet removed. A process stopped by SIGINT or
/// SIGTERM runs no <c>finally</c> block, so the executable removes what is listed here from its signal handler
/// (<see cref="RemoveAll"/>); a normal run removes each as it is done with it.
/// </summary>
public static class TemporaryFiles
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Paths = new(StringComparer.Ordinal);

    public static void Add(string path)
    {
        lock (Gate)
        {
            Paths.Add(path);
        }
    }

    /// <summary>Forgets a path (after it was renamed into place or deleted).</summary>
    public static void Forget(string path)
    {
        lock (Gate)
        {
            Paths.Remove(path);
        }
    }

    /// <summary>Deletes every listed file or directory, best effort: called when the process is being stopped.</summary>
    public static void RemoveAll()
    {
        string[] paths;
        lock (Gate)
        {
            paths = [.. Paths];
            Paths.Clear();
        }

        foreach (var path in paths)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Stopping anyway: what cannot be removed now is removed by the next run (spill directories) or stays.
            }
        }
    }
}
