using System.Diagnostics;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>
/// The shipped executable run as a child process: its own runtime configuration (ICU loaded, not the test host's
/// globalization-invariant mode), its own Main, its own exit code.
/// </summary>
internal static class CliProcess
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 120)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "accessanalyzer.dll");
        File.Exists(exe).Should().BeTrue("the CLI is copied beside the tests");
        var start = new ProcessStartInfo("dotnet", [exe, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("AA_CONNECTION");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the CLI did not exit within {timeoutSeconds} s; its process tree was killed");
            }
        }

        return (process.ExitCode, await stdout.WaitAsync(TimeSpan.FromSeconds(10)), await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
