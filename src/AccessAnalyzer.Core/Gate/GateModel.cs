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

    /// <summary>True when the accounts this violation is about include partner-organisation accounts (set by the rule).</summary>
    public bool ReachesPartners { get; init; }

    /// <summary>
    /// True when the violation comes from a critical-severity source, as its rule's <see cref="GateRuleInfo.Critical"/>
    /// says (set by the evaluator). A baseline accepts such a violation only when asked explicitly.
    /// </summary>
    public bool Critical { get; init; }
}

/// <summary>
/// Which violations of a rule are critical. Gate rules have levels (error, warning), not severities; these say which
/// violations stand for what <c>analyze</c> reports as critical, so that writing a baseline cannot accept them unseen.
/// </summary>
public enum GateCriticality
{
    /// <summary>No violation of the rule is critical.</summary>
    None,

    /// <summary>Every violation of the rule is critical.</summary>
    Always,

    /// <summary>A violation is critical when the accounts it is about include partner accounts.</summary>
    WhenPartnersReached,
}

/// <summary>A rule the gate checked: metadata for SARIF, JUnit and help texts.</summary>
public sealed record GateRuleInfo(string Id, string Name, GateLevel Level, string Description, string Help)
{
    /// <summary>Which of the rule's violations are critical: by default what <see cref="GateRules.Criticality"/> says for its id.</summary>
    public GateCriticality Critical { get; init; } = GateRules.CriticalityOf(Id);

    /// <summary>Whether a violation of this rule is critical.</summary>
    public bool IsCritical(GateViolation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        return Critical switch
        {
            GateCriticality.Always => true,
            GateCriticality.WhenPartnersReached => violation.ReachesPartners,
            _ => false,
        };
    }
}

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
