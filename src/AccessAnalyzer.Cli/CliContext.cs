using System.CommandLine;
using System.Globalization;
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

    /// <summary>A console for rendered tables on stdout: colours only on a real terminal.</summary>
    public IAnsiConsole StdoutConsole()
    {
        var terminal = ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            // Files and pipes have no width; 80 columns would wrap every id. Wide enough for the account table.
            console.Profile.Width = 140;
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
            work(new Progress<string>(step => ctx.Status($"{Markup.Escape(title)}: {Markup.Escape(step)}"))));
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

    /// <summary>Reads a source into the engine's input.</summary>
    public static Snapshot LoadSource(ISource source, IProgress<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Read(progress).Snapshot();
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
    /// Writes a whole output to stdout, or to a file atomically: into a temporary file beside it, renamed over the
    /// target only once complete, so a failure never leaves a half-written report behind.
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

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--output: directory '{directory}' does not exist");
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
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
        }
    }
}
