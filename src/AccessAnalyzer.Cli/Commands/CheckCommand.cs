using System.CommandLine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>check</c>: every problem of a source in one run (missing tables and columns, bad values by column with their
/// rows, hints for the usual spellings), so a mapping is fixed in one pass rather than one error per run of analyze.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var source = CommonOptions.Source("The source to check. ");
        var quiet = CommonOptions.Quiet();
        var command = new Command("check",
            "Check a source and report every problem at once: missing tables and columns, and per column the bad values, their rows and how to fix them. Exit 0 when analyze can read it, 2 otherwise.")
        {
            source, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var options = sourceArguments.Resolve(context, parse);
            var resolved = CliContext.ResolveSource(parse.GetValue(source)!, options);
            var result = context.WithProgress(parse.GetValue(quiet), "Checking", resolved.Check);
            Write(context.Out, result, resolved.Kind == SourceKind.Csv ? "line" : "row");
            return result.Clean ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }

    private static void Write(TextWriter output, CheckResult result, string rowWord)
    {
        foreach (var warning in result.Warnings)
        {
            output.WriteLine(MessageText.OneLine($"warning: {warning}"));
        }

        if (result.Clean)
        {
            var rows = string.Join(", ", result.Rows.Select(r => $"{r.Table} {Numbers.Grouped(r.Rows)}"));
            output.WriteLine(MessageText.OneLine($"OK {result.SourceName}: {rows} rows; analyze can read it"));
            return;
        }

        foreach (var problem in result.Problems)
        {
            output.WriteLine(MessageText.OneLine(Describe(problem, rowWord)));
            if (problem.Hint is { } hint)
            {
                output.WriteLine("  " + MessageText.OneLine($"hint: {hint}"));
            }
        }

        var tables = result.Problems.Select(p => p.Table).Distinct(StringComparer.Ordinal).Count();
        output.WriteLine(MessageText.OneLine(
            $"{result.Problems.Count} problem(s) in {tables} table(s) of {result.SourceName}: fix them, then run check again"));
    }

    /// <summary>
    /// <c>principals.csv: active (column 6): not a boolean (expected true or false): 2 rows (lines 3, 4): 'ACTIF', 'O'</c>;
    /// a problem of a whole table or column is worded as analyze words it.
    /// </summary>
    private static string Describe(InputProblem problem, string rowWord)
    {
        var location = problem.Column is null ? problem.Table : $"{problem.Table}: {problem.Column}";
        if (problem.Count == 0)
        {
            var at = problem.Lines.Count > 0 ? $"{problem.Table}:{problem.Lines[0]}" : problem.Table;
            return problem.Column is null ? $"{at}: {problem.Problem}" : $"{at}: {problem.Column}: {problem.Problem}";
        }

        var text = $"{location}: {problem.Problem}: {Numbers.Grouped(problem.Count)} {(problem.Count == 1 ? "row" : "rows")}";
        if (problem.Lines.Count > 0)
        {
            var more = problem.Count > problem.Lines.Count ? ", …" : "";
            text += $" ({rowWord}{(problem.Lines.Count == 1 ? "" : "s")} {string.Join(", ", problem.Lines)}{more})";
        }

        if (problem.Withheld)
        {
            text += ", values withheld (beneficiary data)";
        }
        else if (problem.Values.Count > 0)
        {
            text += ": " + string.Join(", ", problem.Values.Select(v => $"'{v}'"));
        }

        return text;
    }
}
