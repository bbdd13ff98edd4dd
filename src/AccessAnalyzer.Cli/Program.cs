using System.Globalization;
using System.Runtime.InteropServices;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // ICU is loaded (SQL Server's client needs it), so the culture would follow LANG and LC_ALL: numbers, dates and
        // comparisons in every output must not depend on the machine's locale.
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

        // SIGINT and SIGTERM stop the process without running finally blocks: the temporary file of an output being
        // written, or the spill directory of the access log, would stay behind. They are removed first, then the
        // signal takes its default course (the process ends).
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => TemporaryFiles.RemoveAll());
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => TemporaryFiles.RemoveAll());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TemporaryFiles.RemoveAll();
        return CliApp.Run(args, Console.Out, Console.Error);
    }
}
