using System.CommandLine;
using System.Numerics;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>The options most commands share, spelled and described once.</summary>
internal static class CommonOptions
{
    public const string AsOfDescription = "Analysis date (YYYY-MM-DD). Default: today (UTC).";

    public static Option<string> Source(string? lead = null) =>
        new("--source") { Description = lead + SourceArguments.SourceDescription, Required = true };

    public static Option<string?> AsOf(string description = AsOfDescription) => new("--as-of") { Description = description };

    /// <summary><c>--output</c>: <paramref name="what"/> is "the report", "the plan"… (empty: "Write to this file").</summary>
    public static Option<string?> Output(string what = "the report") =>
        new("--output") { Description = $"Write {(what.Length == 0 ? "" : what + " ")}to this file (atomically) instead of stdout." };

    public static Option<bool> Quiet() => new("--quiet") { Description = "No progress display." };

    /// <summary>The value of a count option, refused when negative.</summary>
    public static T NotNegative<T>(ParseResult parse, Option<T> option)
        where T : struct, INumber<T> => NotNegative(parse.GetValue(option), option.Name);

    /// <summary>The value of an optional count option, refused when negative.</summary>
    public static T? NotNegative<T>(ParseResult parse, Option<T?> option)
        where T : struct, INumber<T> => parse.GetValue(option) is { } value ? NotNegative(value, option.Name) : null;

    /// <summary>Longest period a day-count option takes: a hundred years, far beyond any review, and no overflow.</summary>
    public const int MaxDays = 36_500;

    /// <summary>The value of a day-count option, refused outside 0 to <see cref="MaxDays"/>.</summary>
    public static int Days(ParseResult parse, Option<int> option)
    {
        var value = NotNegative(parse, option);
        return value <= MaxDays ? value : throw new UsageException($"{option.Name} must be at most {MaxDays:N0} days (100 years), not {value:N0}");
    }

    private static T NotNegative<T>(T value, string name)
        where T : struct, INumber<T> => T.IsNegative(value) ? throw new UsageException(name + " must be zero or more") : value;
}
