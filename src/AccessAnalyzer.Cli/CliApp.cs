using System.CommandLine;
using AccessAnalyzer.Cli.Commands;
using AccessAnalyzer.Core.Input;
using static AccessAnalyzer.Cli.MessageText;

namespace AccessAnalyzer.Cli;

/// <summary>Process exit codes, the same for every command (DESIGN.md): the gate fails closed.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int GateFailed = 1;
    public const int BadInput = 2;
}

/// <summary>
/// Entry point shared by the executable and the tests. Every failure ends here as one line on stderr and exit 2:
/// bad input and bad options are expected and say where; anything else is a bug, reported without a stack trace.
/// </summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, []);

    /// <summary>A parse error in words, one sentence naming the option it is about: <c>--format: 'x' is not one of: text, json</c>.</summary>
    private static string Describe(System.CommandLine.Parsing.ParseError error)
    {
        var text = MessageText.Plain(error.Message).TrimEnd('.');
        var option = error.SymbolResult switch
        {
            System.CommandLine.Parsing.OptionResult o => o.Option.Name,
            System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => o.Option.Name,
            _ => null,
        };
        return option is null || text.Contains(option, StringComparison.Ordinal) ? text : $"{option}: {text}";
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return c.Name;
        }
    }

    /// <summary>
    /// The parse errors of a command line, as <see cref="Run(string[], TextWriter, TextWriter)"/> would report them, without
    /// running anything: lets documentation tests prove that every command line they show exists.
    /// </summary>
    public static IReadOnlyList<string> ParseErrors(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Root(new CliContext(TextWriter.Null, TextWriter.Null)).Parse(args).Errors.Select(Describe).ToList();
    }

    private static RootCommand Root(CliContext context)
    {
        var root = new RootCommand("AccessAnalyzer: who can open beneficiary files beyond their caseload, by how much, and why.")
        {
            AnalyzeCommand.Create(context),
            CheckCommand.Create(context),
            PlanCommand.Create(context),
            ExplainCommand.Create(context),
            GateCommand.Create(context),
            DiffCommand.Create(context),
            TrendCommand.Create(context),
            ReportCommand.Create(context),
            DbCommand.Create(context),
            DemoCommand.Create(context),
            MonitorCommand.Create(context),
            CompletionCommand.Create(context),
        };
        CliHelp.Configure(root);
        return root;
    }

    /// <summary>As <see cref="Run(string[], TextWriter, TextWriter)"/>, with extra gate rules (a seam for tests).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyList<Core.Gate.IGateRule> extraGateRules)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var context = new CliContext(stdout, stderr) { ExtraGateRules = extraGateRules, Arguments = args };
        var root = Root(context);

        try
        {
            var parse = root.Parse(args);
            // An option given to the group itself (--version) is not "no command": it acts on its own.
            if (parse.Tokens.All(t => t.Type == System.CommandLine.Parsing.TokenType.Command) && parse.CommandResult.Command is { Action: null, Subcommands.Count: > 0 } && parse.UnmatchedTokens.Count == 0)
            {
                // No command (no arguments at all, or a group such as db alone): its help, as --help prints it. Nothing
                // went wrong, so exit 0, as for --help.
                parse = root.Parse([.. args, "--help"]);
            }

            if (parse.Errors.Count > 0)
            {
                var messages = parse.Errors.Select(Describe).Distinct(StringComparer.Ordinal);
                var command = parse.CommandResult.Command is RootCommand ? "" : $" {string.Join(' ', CommandPath(parse.CommandResult.Command).Reverse())}";
                stderr.WriteLine(OneLine($"error: {string.Join("; ", messages)} (see accessanalyzer{command} --help)"));
                return ExitCodes.BadInput;
            }

            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr });
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("error: cancelled");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is InputErrorException or UsageException or IOException or UnauthorizedAccessException)
        {
            // Expected failures (bad input, bad usage, a file that cannot be read or written): one line, exit 2.
            stderr.WriteLine(OneLine($"error: {ex.Message}"));
            return ExitCodes.BadInput;
        }
#pragma warning disable CA1031 // The last line of defence: any bug becomes exit 2 and one line, never a stack trace or exit 0.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine(OneLine($"internal error: {ex.GetType().Name}: {ex.Message} (please report this; no result was written)"));
            if (Environment.GetEnvironmentVariable("AA_DEBUG") == "1")
            {
                // Opt-in for maintainers reproducing a bug report; never on by default.
                stderr.WriteLine(ex.ToString());
            }

            return ExitCodes.BadInput;
        }
    }
}

internal static class MessageText
{

    /// <summary>A parser message in words: no .NET type name (<c>System.Nullable`1[System.Int32]</c> is "a whole number").</summary>
    internal static string Plain(string message)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(message, @"as expected type '([^']*)'", m => m.Groups[1].Value switch
        {
            var t when t.Contains("Int32", StringComparison.Ordinal) || t.Contains("Int64", StringComparison.Ordinal) => "as a whole number",
            var t when t.Contains("Boolean", StringComparison.Ordinal) => "as true or false",
            var t when t.Contains("Double", StringComparison.Ordinal) || t.Contains("Decimal", StringComparison.Ordinal) => "as a number",
            _ => "as a value of the expected kind",
        });

        // "Argument 'x' not recognized. Must be one of:\n\t'text'\n\t'sarif'" lists the choices one per line: one
        // sentence, comma-separated.
        var choices = System.Text.RegularExpressions.Regex.Replace(words, @"Must be one of:((?:\s*'[^']*')+)", m =>
            "Must be one of: " + string.Join(", ", System.Text.RegularExpressions.Regex.Matches(m.Groups[1].Value, "'([^']*)'").Select(c => c.Groups[1].Value)));
        return System.Text.RegularExpressions.Regex.Replace(choices, @"^Argument '(.*)' not recognized\. Must be one of: ", "'$1' is not one of: ");
    }


    private const int MaxLength = 400;

    /// <summary>
    /// Errors are one line: values echoed from input may hold line breaks or terminal control sequences, which are
    /// escaped here (control characters, right-to-left overrides, line separators), and a huge value is cut so the line stays readable.
    /// </summary>
    public static string OneLine(string message)
    {
        // Escaped before it is cut, so a cut never leaves half an escape or a lone surrogate.
        var visible = AccessAnalyzer.Sinks.Escape.Visible(message);
        return visible.Length <= MaxLength ? visible : visible[..MaxLength] + "…";
    }
}

/// <summary>A bad option value or combination: exit 2 with the message.</summary>
public sealed class UsageException : Exception
{
    public UsageException() { }

    public UsageException(string message) : base(message) { }

    public UsageException(string message, Exception innerException) : base(message, innerException) { }
}
