using System.Diagnostics;
using System.Globalization;

namespace AccessAnalyzer.Benchmarks;

/// <summary>
/// A finished child process: wall time from start to exit, peak resident memory, exit code and output; and its CPU
/// time in user mode and in the kernel (on its behalf: system calls, page faults), when <c>/usr/bin/time</c> ran it.
/// </summary>
internal sealed record RunResult(double WallMs, long? PeakKib, int ExitCode, string Stdout, string Stderr, double? UserSeconds = null, double? SystemSeconds = null)
{
    public RunResult EnsureSuccess(string what) => ExitCode == 0
        ? this
        : throw new BenchmarkException($"{what} failed (exit {ExitCode}): {Tail(Stderr)}{Tail(Stdout)}");

    private static string Tail(string text) => text.Length > 2000 ? "…" + text[^2000..] : text;
}

/// <summary>Runs child processes, timed, under <c>/usr/bin/time</c> for their peak resident set size when it exists.</summary>
internal static class ProcessRunner
{
    private static readonly string? TimeTool = File.Exists("/usr/bin/time") ? "/usr/bin/time" : null;

    public static bool MeasuresMemory => TimeTool is not null;

    /// <summary>
    /// Longest a child may run before it is killed (with its whole process tree) and the run fails: far above the
    /// slowest step measured at France scale (about 4 minutes), so only a hung child reaches it.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(2);

    /// <param name="program">Executable.</param>
    /// <param name="arguments">Arguments, passed as they are (no shell).</param>
    /// <param name="stdoutFile">When set, standard output goes to this file instead of being kept.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="workingDirectory">Working directory of the child.</param>
    /// <param name="timeout">Longest the child may run (default <see cref="DefaultTimeout"/>); then it is killed and the run fails.</param>
    public static RunResult Run(string program, IEnumerable<string> arguments, string? stdoutFile = null,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var timeFile = TimeTool is null ? null : Path.GetTempFileName();
        var start = new ProcessStartInfo(TimeTool ?? program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (TimeTool is not null)
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add("%M %U %S");
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(timeFile!);
            start.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        try
        {
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new BenchmarkException($"cannot start {program}");
            var stderrTask = process.StandardError.ReadToEndAsync();
            var stdoutTask = stdoutFile is null ? process.StandardOutput.ReadToEndAsync() : CopyToFileAsync(process.StandardOutput.BaseStream, stdoutFile);
            var limit = timeout ?? DefaultTimeout;
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(30));
                throw new BenchmarkException($"{program} did not finish within {limit}; its process tree was killed");
            }

            var wall = watch.Elapsed.TotalMilliseconds;

            // The pipes close when the child exits; a grandchild still holding them open must not hang the run either.
            if (!Task.WaitAll([stdoutTask, stderrTask], TimeSpan.FromMinutes(1)))
            {
                throw new BenchmarkException($"{program} exited but its output did not end within a minute");
            }

            var stdout = stdoutTask.Result;
            var stderr = stderrTask.Result;
            long? peak = null;
            double? user = null, system = null;
            if (timeFile is not null && File.Exists(timeFile))
            {
                // With a non-zero exit, /usr/bin/time writes a line about it first: the figures are the last line.
                var last = File.ReadAllLines(timeFile).LastOrDefault(l => l.Length > 0)?.Split(' ');
                if (last is [var kibText, var userText, var systemText])
                {
                    peak = long.TryParse(kibText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib) ? kib : null;
                    user = double.TryParse(userText, NumberStyles.Float, CultureInfo.InvariantCulture, out var u) ? u : null;
                    system = double.TryParse(systemText, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : null;
                }
            }

            return new RunResult(wall, peak, process.ExitCode, stdout, stderr, user, system);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BenchmarkException($"cannot run {program}", e);
        }
        finally
        {
            if (timeFile is not null)
            {
                File.Delete(timeFile);
            }
        }
    }

    private static async Task<string> CopyToFileAsync(Stream output, string path)
    {
        await using var file = File.Create(path);
        await output.CopyToAsync(file).ConfigureAwait(false);
        return string.Empty;
    }

    /// <summary>Runs a command that must succeed, unmeasured, and returns its standard output.</summary>
    public static string Check(string program, params string[] arguments)
    {
        var result = Run(program, arguments);
        result.EnsureSuccess(program + " " + string.Join(' ', arguments));
        return result.Stdout;
    }

    /// <summary>Whether a program can be found on PATH (or is a path that exists).</summary>
    public static string? Which(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
