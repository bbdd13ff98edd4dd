using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Core.Gate;

/// <summary>Whether a broken rule fails the gate (<c>error</c>) or is only reported (<c>warning</c>).</summary>
public enum GateLevel { Warning, Error }

/// <summary>A rule with a numeric limit. <see cref="Enabled"/> is false when the policy does not mention it.</summary>
public sealed record ThresholdRule(bool Enabled, long Threshold, GateLevel Level);

/// <summary>What the gate does with an org_units kind that <see cref="GatePolicy.Levels"/> does not name.</summary>
public enum UnknownLevels
{
    /// <summary>Stop with a bad-configuration error naming the kinds: a level the policy cannot place is a policy gap.</summary>
    Error,

    /// <summary>Place such kinds above every level: a grant on such a unit breaks every forbidden scope (fail closed).</summary>
    Highest,
}

/// <summary>No unit-scope grant above <see cref="MaxLevel"/> for principals of a kind or an organisation.</summary>
public sealed record ForbiddenScope(PrincipalKind? PrincipalKind, string? Organization, string MaxLevel, GateLevel Level);

/// <summary>
/// The gate's policy, read from JSON (comments and trailing commas allowed; schema in the repository). Every rule is
/// optional; a rule the policy does not name is not checked. Unknown properties are errors: a typo must not turn a
/// rule off silently.
/// </summary>
public sealed record GatePolicy
{
    public ThresholdRule MaxExcessPerPrincipal { get; init; } = Off;
    public ThresholdRule MaxReachToCaseloadRatio { get; init; } = Off;

    /// <summary>Accounts with less reach than this are not held to the ratio (a ratio over tiny numbers means little).</summary>
    public long RatioMinReach { get; init; }

    public ThresholdRule MaxPartnerSensitiveExcess { get; init; } = Off;
    public IReadOnlyList<ForbiddenScope> ForbiddenScopes { get; init; } = [];

    /// <summary>Org unit kinds from the lowest level to the highest, e.g. agency, department, region, national.</summary>
    public IReadOnlyList<string> Levels { get; init; } = ["agency", "department", "region", "national"];

    /// <summary>How a unit kind missing from <see cref="Levels"/> is treated when forbidden scopes are checked.</summary>
    public UnknownLevels UnknownLevels { get; init; } = UnknownLevels.Error;

    public ThresholdRule MfaRequiredAboveReach { get; init; } = Off;
    public ThresholdRule MaxLockoutThreshold { get; init; } = Off;
    public GateLevel? NoGroupCycles { get; init; }
    public GateLevel? NoDanglingReferences { get; init; }
    public GateLevel? NoDormantAccountWithReach { get; init; }
    public int DormantDays { get; init; } = 90;

    /// <summary>Usage finding rule ids (access_events) that fail the gate, e.g. mass-read, read-spike.</summary>
    public IReadOnlyList<string> FailOnUsageFindings { get; init; } = [];

    public GateLevel UsageFindingsLevel { get; init; } = GateLevel.Error;

    /// <summary>Change rules, checked only when the gate compares with a <c>--before</c> source.</summary>
    public ThresholdRule MaxExcessIncrease { get; init; } = Off;

    /// <summary>A grant's excess counted alone (as if its holders' only grant); with --before only added or widened grants.</summary>
    public ThresholdRule MaxExcessPerGrant { get; init; } = Off;
    public ThresholdRule MaxPrincipalExcessIncrease { get; init; } = Off;

    public static readonly ThresholdRule Off = new(false, 0, GateLevel.Error);
}
