using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Sinks;

/// <summary>The lower-case spellings every output uses for enums, matching the canonical input values.</summary>
public static class Names
{
    public static string Of(PrincipalKind kind) => Spellings.Of(kind);

    public static string Of(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        Severity.Low => "low",
        Severity.Info => "info",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };
}
