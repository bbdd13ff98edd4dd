using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Gate;

/// <summary>Where a violation comes from: a canonical table, the row's key, and its line (CSV) or row number (database).</summary>
public sealed record GateLocation(string Table, string DisplayName, string Key, long? Line);

/// <summary>What became of a violation once the baseline is applied.</summary>
public enum ViolationStatus
{
    /// <summary>Not in the baseline: it fails the gate (for an error-level rule).</summary>
    New,

    /// <summary>In the baseline, but its value grew past what was recorded: it fails.</summary>
    Grown,

    /// <summary>In the baseline, but its justification has expired: it fails.</summary>
    Expired,

    /// <summary>In the baseline, not grown, justification in force: reported, does not fail.</summary>
    Accepted,
}

/// <summary>
/// One broken rule. <see cref="Fingerprint"/> names it stably across runs (rule, subject kind, subject id; never a
/// figure), so a baseline stays valid while nothing is renamed.
/// </summary>
public sealed record GateViolation(
    string RuleId,
    GateLevel Level,
    string Message,
    string SubjectKind,
    string SubjectId,
    long Value,
    long Limit,
    GateLocation? Location,
    ViolationStatus Status = ViolationStatus.New,
    string? BaselineNote = null)
{
    public string Fingerprint => $"{RuleId}:{SubjectKind}:{SubjectId}";

    /// <summary>True when this violation makes the gate fail.</summary>
    public bool Fails => Level == GateLevel.Error && Status != ViolationStatus.Accepted;
}

/// <summary>A rule the gate checked: metadata for SARIF, JUnit and help texts.</summary>
public sealed record GateRuleInfo(string Id, string Name, GateLevel Level, string Description, string Help);

/// <summary>
/// The gate's answer: the rules checked, every violation with its status, whether the gate passed, and which checks
/// the proposed source let run (<see cref="Reporting.Coverage"/>).
/// </summary>
public sealed record GateOutcome(
    ReportHeader Header, IReadOnlyList<GateRuleInfo> Rules, IReadOnlyList<GateViolation> Violations, DiffReport? Diff,
    IReadOnlyList<CoverageItem> Coverage)
{
    public bool Passed => !Violations.Any(v => v.Fails);
}
