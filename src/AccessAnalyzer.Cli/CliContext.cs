using System.CommandLine;
using System.Globalization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.SqlServer;
using Spectre.Console;

namespace AccessAnalyzer.Cli;

/// <summary>The streams a command writes to, and the helpers every command shares.</summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;

    /// <summary>Gate rules added to the built-in ones (tests use it to prove a crashing rule fails closed).</summary>
    public IReadOnlyList<Core.Gate.IGateRule> ExtraGateRules { get; init; } = [];

    /// <summary>The command line's arguments as given: the evidence pack records them (secrets withheld).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Width of a console that is not a terminal: wider than any line the tool writes.</summary>
    public const int NoWrapWidth = 4096;

    /// <summary>A console for rendered tables on stdout: colours only on a real terminal.</summary>
    public IAnsiConsole StdoutConsole()
    {
        var terminal = ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal ? Out : new TrailingSpaceTrimmer(Out)),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            // Files, pipes and CI logs have no width: lines are not wrapped (80 columns would wrap every id), and the
            // padding that would fill a terminal's width is dropped.
            console.Profile.Width = NoWrapWidth;
        }

        return console;
    }

    /// <summary>
    /// Runs a long step with a spinner on stderr, or silently when --quiet, when stderr is not a terminal
    /// (CI logs, pipes) or when the command is run in-process by tests.
    /// </summary>
    public T WithProgress<T>(bool quiet, string title, Func<IProgress<string>?, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var interactive = !quiet && ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;
        if (!interactive)
        {
            return work(null);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Status().Spinner(Spinner.Known.Dots).Start(title, ctx =>
            work(new Progress<string>(step => ctx.Status($"{Escape.Terminal(title)}: {Escape.Terminal(step)}"))));
    }

    /// <summary>Renders a console view to stdout, or to a file (atomically, without colours).</summary>
    public void WriteTable(string? output, Action<IAnsiConsole> render)
    {
        ArgumentNullException.ThrowIfNull(render);
        if (output is null)
        {
            render(StdoutConsole());
            return;
        }

        WriteOutput(output, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            render(new CliContext(writer, Error).StdoutConsole());
        });
    }

    /// <summary><c>--format</c> for a report: the formats its sinks are registered for, the first of them by default.</summary>
    public static Option<string> FormatOption<TReport>(SinkRegistry<TReport> sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        var names = sinks.Names;
        var option = new Option<string>("--format")
        {
            Description = $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}.",
            DefaultValueFactory = _ => names[0],
        };
        option.AcceptOnlyFromAmong([.. names]);
        return option;
    }

    /// <summary>Writes a report in a format: a document to stdout or atomically to a file, or a console view.</summary>
    public void Render<TReport>(SinkRegistry<TReport> sinks, TReport report, string format, string? output, SinkContext? sinkContext = null)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        var context = sinkContext ?? new SinkContext(Commands.ToolInfo.Stamp);
        var sink = OutputFormats.TryParse(format, out var parsed) ? sinks.For(parsed) : throw new UsageException($"--format: unknown format '{format}'");
        switch (sink)
        {
            case DocumentSink<TReport> document:
                WriteOutput(output, stream => document.Write(report, stream, context));
                break;
            case ConsoleSink<TReport> console:
                WriteTable(output, c => console.Write(report, c, context));
                break;
        }
    }

    /// <summary>A report in a format as a writer of bytes (a console view drawn without colours), for <see cref="WriteOutputs"/>.</summary>
    public Action<Stream> Renderer<TReport>(SinkRegistry<TReport> sinks, TReport report, string format, SinkContext sinkContext)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        var sink = OutputFormats.TryParse(format, out var parsed) ? sinks.For(parsed) : throw new UsageException($"--format: unknown format '{format}'");
        return sink switch
        {
            DocumentSink<TReport> document => stream => document.Write(report, stream, sinkContext),
            ConsoleSink<TReport> console => stream =>
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                console.Write(report, new CliContext(writer, Error).StdoutConsole(), sinkContext);
            }
            ,
            _ => throw new InvalidOperationException($"no sink for {format}"),
        };
    }

    /// <summary>
    /// Writes several files as one: each is rendered in memory first, then written beside its target, and only when
    /// every one is complete are they renamed over their targets. A failure before that leaves every target as it was.
    /// Devices and FIFOs are written directly, last. The destinations must have been checked (<see cref="CheckDestinations"/>).
    /// </summary>
    public static void WriteOutputs(IReadOnlyList<(string Path, string Option, Action<Stream> Write)> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var rendered = new List<(string Path, string Full, PathType Type, byte[] Bytes)>();
        foreach (var (path, option, write) in outputs)
        {
            var (full, type) = CheckDestination(path, option);
            using var buffer = new MemoryStream();
            write(buffer);
            rendered.Add((path, full, type, buffer.ToArray()));
        }

        var staged = new List<(string Temporary, string Full)>();
        try
        {
            foreach (var (_, full, type, bytes) in rendered.Where(r => r.Type is PathType.Absent or PathType.RegularFile or PathType.Unknown))
            {
                var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
                TemporaryFiles.Add(temporary);
                staged.Add((temporary, full));
                using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
                if (type != PathType.Absent && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, File.GetUnixFileMode(full));
                }

                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            foreach (var (temporary, full) in staged)
            {
                File.Move(temporary, full, overwrite: true);
            }

            foreach (var (path, full, _, bytes) in rendered.Where(r => r.Type is not (PathType.Absent or PathType.RegularFile or PathType.Unknown)))
            {
                WriteDirectly(path, full, stream => stream.Write(bytes));
            }
        }
        finally
        {
            foreach (var (temporary, _) in staged)
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }

                TemporaryFiles.Forget(temporary);
            }
        }
    }

    /// <summary>Refuses two destinations that name the same file: one would silently replace the other.</summary>
    public static void CheckDistinct(params (string? Path, string Option)[] destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, option) in destinations)
        {
            if (string.IsNullOrEmpty(path))
            {
                continue;
            }

            var (full, type) = CheckDestination(path, option);
            if (type is PathType.Absent or PathType.RegularFile or PathType.Unknown && !seen.TryAdd(full, option))
            {
                throw new UsageException($"{option} and {seen[full]} name the same file '{path}'");
            }
        }
    }

    /// <summary>
    /// Every source kind the CLI reads: <c>postgres</c> and <c>sqlserver</c> (connection string from
    /// <c>--connection-file</c> or <c>AA_CONNECTION</c>), else a CSV directory or an SQLite file. The resolver alone tells
    /// them apart; commands ask the <see cref="ISource"/> it returns.
    /// </summary>
    public static SourceResolver Sources { get; } = new(SqlServerProvider.Instance);

    /// <summary>The source an argument names (<c>--source</c>, <c>--before</c>, <c>--after</c>).</summary>
    public static ISource ResolveSource(string argument, SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(argument);
        return Sources.Resolve(argument, options);
    }

    /// <summary>
    /// Resolves and reads one side of a comparison (<c>--before</c>, <c>--after</c>): an error names the option first,
    /// since both sides have the same table names and a "roles.csv:5" alone does not say which side is wrong.
    /// </summary>
    public static Snapshot LoadSide(string option, string argument, SourceOptions options, IProgress<string>? progress)
    {
        try
        {
            return LoadSource(ResolveSource(argument, options), progress);
        }
        catch (InputErrorException ex)
        {
            throw new InputErrorException($"{option}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputErrorException($"{option}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a source into the engine's input.</summary>
    public static Snapshot LoadSource(ISource source, IProgress<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(source);
        RunProfile.Mark("started");
        var tables = source.Read(progress);
        RunProfile.Mark("source read");
        var snapshot = tables.Snapshot();
        RunProfile.Mark("snapshot built");
        ReturnReadingMemory();
        RunProfile.Mark("reading memory returned");
        return snapshot;
    }

    /// <summary>
    /// What reading a large source needed and the analysis does not (the file id table, parse buffers: about 1 GiB
    /// at France scale) is garbage once the snapshot is built, but the collector would keep that memory mapped
    /// while the analysis allocates its own on top, which made the peak the sum of both. One full collection here
    /// gives it back first; below a few hundred MiB it is not worth the pause. Not a compacting one: the garbage is
    /// mostly large arrays, whose memory a sweep returns whole, and compacting copied the live snapshot's arrays for
    /// about 25 MiB less peak (France scale: 75 ms instead of 270 to 430 ms, peak 1.60 GiB instead of 1.57 GiB).
    /// </summary>
    private static void ReturnReadingMemory()
    {
        if (GC.GetGCMemoryInfo().HeapSizeBytes < 256L << 20)
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }

    /// <summary>Source options from the command line (<c>--connection-file</c>, <c>--schema</c>, <c>--require-read-only</c>), warnings to this context's stderr.</summary>
    public SourceOptions SourceOptions(string? connectionFile, string? schema, bool requireReadOnly) => new()
    {
        ConnectionFile = connectionFile,
        Schema = schema,
        RequireReadOnly = requireReadOnly,
        Warnings = Error,
    };

    public static DateOnly ParseAsOf(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return DateOnly.FromDateTime(DateTime.UtcNow);
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new UsageException($"--as-of '{text}' is not a date (expected YYYY-MM-DD)");
        }

        // Periods are counted back and forward from the analysis date (dormancy, baselines, log windows): a date at
        // either end of the calendar would overflow them, and no access review is for such a day.
        return date >= EarliestAsOf && date <= LatestAsOf
            ? date
            : throw new UsageException($"--as-of {text} is outside the dates an analysis can be for ({EarliestAsOf:yyyy-MM-dd} to {LatestAsOf:yyyy-MM-dd})");
    }

    public static readonly DateOnly EarliestAsOf = new(1900, 1, 1);

    public static readonly DateOnly LatestAsOf = new(2999, 12, 31);

    /// <summary>
    /// Writes a whole output to stdout, or to a file. A regular file (or a new one) is written atomically: into a
    /// temporary file beside it, renamed over the target only once complete, so a failure never leaves a half-written
    /// report behind. The path is written to, not replaced: a symbolic link is followed and its target written; an
    /// existing file keeps its permissions; a device, FIFO or socket (<c>/dev/null</c>, a pipe to another process) is
    /// written directly, since renaming over it would replace it with a regular file.
    /// </summary>
    public void WriteOutput(string? path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (string.IsNullOrEmpty(path))
        {
            using var buffer = new MemoryStream();
            write(buffer);
            Out.Write(new System.Text.UTF8Encoding(false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            Out.Flush();
            return;
        }

        var (full, type) = CheckDestination(path, "--output");
        if (type is not (PathType.Absent or PathType.RegularFile or PathType.Unknown))
        {
            WriteDirectly(path, full, write);
            return;
        }

        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        TemporaryFiles.Add(temporary);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                if (type != PathType.Absent && !OperatingSystem.IsWindows())
                {
                    // The report replaces the content, not the access rules someone set on the file.
                    File.SetUnixFileMode(stream.SafeFileHandle, File.GetUnixFileMode(full));
                }

                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            TemporaryFiles.Forget(temporary);
        }
    }

    /// <summary>A device, FIFO or socket: opened and written as it is; a write error (a full device) is an error on it.</summary>
    private static void WriteDirectly(string path, string full, Action<Stream> write)
    {
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            write(stream);
            stream.Flush();
        }
        catch (IOException ex)
        {
            throw new UsageException($"--output: cannot write to '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Checks each destination given (<see cref="CheckDestination"/>), before any is written.</summary>
    public static void CheckDestinations(params (string? Path, string Option)[] destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        foreach (var (path, option) in destinations)
        {
            if (!string.IsNullOrEmpty(path))
            {
                CheckDestination(path, option);
            }
        }
    }

    /// <summary>
    /// Checks that a file can be written where a path names it, before anything is computed or written: its directory
    /// exists and takes new files, and the path (links followed) is not a directory. Returns the path to write (the
    /// final target of a link) and what stands there now.
    /// </summary>
    public static (string FullPath, PathType Type) CheckDestination(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (new FileInfo(full).LinkTarget is not null)
        {
            // A link is written through: to its final target, which may not exist yet (a dangling link).
            var target = File.ResolveLinkTarget(full, returnFinalTarget: true);
            full = target is null ? full : Path.GetFullPath(target.FullName);
        }

        var type = FileTypes.Of(full);
        if (type == PathType.Directory)
        {
            throw new UsageException($"{option}: '{path}' is a directory");
        }

        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"{option}: directory '{directory}' does not exist");
        }

        if (type is PathType.Absent or PathType.RegularFile && !FileTypes.CanCreateIn(directory))
        {
            throw new UsageException($"{option}: directory '{directory}' is not writable");
        }

        return (full, type);
    }
}

/// <summary>
/// Drops spaces at the end of each line, as they are written: a run of spaces is held until a character other than a
/// line break follows it. Console layouts pad cells to the console's width, which off a terminal is only noise.
/// </summary>
internal sealed class TrailingSpaceTrimmer(TextWriter inner) : TextWriter
{
    private int _spaces;

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        switch (value)
        {
            case ' ':
                _spaces++;
                return;
            case '\n':
            case '\r':
                _spaces = 0;
                break;
            default:
                if (_spaces > 0)
                {
                    inner.Write(new string(' ', _spaces));
                    _spaces = 0;
                }

                break;
        }

        inner.Write(value);
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void Flush() => inner.Flush();
}
