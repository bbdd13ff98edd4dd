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

    private static T NotNegative<T>(T value, string name)
        where T : struct, INumber<T> => T.IsNegative(value) ? throw new UsageException(name + " must be zero or more") : value;
}
