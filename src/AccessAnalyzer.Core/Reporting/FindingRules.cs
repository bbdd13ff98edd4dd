using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using static AccessAnalyzer.Core.Reporting.ReportBuilder;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>
/// The finding rules. Each is a small function of the figures; ids are stable because baselines and SARIF
/// consumers key on them. Findings come out worst first, then by rule and subject, so output is deterministic.
/// </summary>
public static class FindingRules
{
    public const string GroupCycle = "group-cycle";
    public const string DanglingReference = "dangling-reference";
    public const string DormantAccountWithReach = "dormant-account-with-reach";
    public const string NoMfaWithReach = "no-mfa-with-reach";
    public const string PartnerExcess = "partner-excess";
    public const string LockoutThresholdTooHigh = "lockout-threshold-too-high";
    public const string MfaNotRequired = "mfa-not-required";
    public const string JustificationExpired = "justification-expired";

    /// <summary>Rule ids with a one-line description, for help texts and rule metadata.</summary>
    public static IReadOnlyList<(string Id, Severity Severity, string Description)> Catalog { get; } =
    [
        (PartnerExcess, Severity.Critical, "A partner-organisation account can open files beyond its caseload."),
        (DormantAccountWithReach, Severity.High, "An inactive account, or one unused for longer than the dormancy period, still reaches files: a takeover would go unnoticed."),
        (LockoutThresholdTooHigh, Severity.High, "An organisation locks accounts only after more failed logins than policy allows, which leaves room for password guessing."),
        (MfaNotRequired, Severity.High, "An organisation does not require multi-factor authentication: one phished password opens its accounts."),
        (NoMfaWithReach, Severity.High, "An account without multi-factor authentication reaches more files than the threshold."),
        (JustificationExpired, Severity.Medium, "A recorded justification for reach beyond the caseload has expired: the reach it covered counts as excess again until it is renewed or removed."),
        (GroupCycle, Severity.Medium, "Groups contain each other: every member of one is a member of all, rarely by intent."),
        (DanglingReference, Severity.Low, "A row names a unit, role, group, principal or file that does not exist."),
    ];

    /// <summary>Inactive, or active but not logged in for longer than the dormancy period before the analysis date.</summary>
    public static bool IsDormant(PrincipalFigures figures, DateOnly asOf, int dormantAfterDays)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return !figures.Active || (figures.LastLogin is { } last && last.AddDays(dormantAfterDays) < asOf);
    }

    public static IReadOnlyList<Finding> Evaluate(Analysis analysis, IReadOnlyList<PrincipalFigures> principals, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(principals);
        ArgumentNullException.ThrowIfNull(options);
        var findings = new List<Finding>();

        foreach (var f in principals)
        {
            if (f.Kind == PrincipalKind.Partner && f.ExcessFiles > 0)
            {
                findings.Add(new(PartnerExcess, Severity.Critical,
                    $"Partner account '{f.PrincipalId}' ({f.Organization}) can open {N(f.ExcessFiles)} files beyond its caseload " +
                    $"({N(f.SensitiveExcessFiles)} sensitive; caseload {N(f.CaseloadFiles)}).",
                    "principal", [f.PrincipalId]));
            }

            if (f.ReachableFiles > 0 && IsDormant(f, analysis.AsOf, options.DormantAfterDays))
            {
                var why = !f.Active ? "Inactive account" : $"Account unused since {f.LastLogin:yyyy-MM-dd}";
                findings.Add(new(DormantAccountWithReach, Severity.High,
                    $"{why} '{f.PrincipalId}' ({f.Organization}) still reaches {N(f.ReachableFiles)} files.",
                    "principal", [f.PrincipalId]));
            }

            if (!f.Mfa && f.ReachableFiles > options.NoMfaReachThreshold)
            {
                findings.Add(new(NoMfaWithReach, Severity.High,
                    $"Account '{f.PrincipalId}' ({f.Organization}) has no MFA and reaches {N(f.ReachableFiles)} files " +
                    $"(threshold {N(options.NoMfaReachThreshold)}).",
                    "principal", [f.PrincipalId]));
            }
        }

        var snapshot = analysis.Snapshot;
        foreach (var policy in snapshot.AccountPolicies ?? [])
        {
            if (policy.LockoutThreshold > options.MaxLockoutThreshold)
            {
                findings.Add(new(LockoutThresholdTooHigh, Severity.High,
                    $"Organisation '{policy.Organization}' locks an account only after {policy.LockoutThreshold} failed logins " +
                    $"(at most {options.MaxLockoutThreshold}).",
                    "organization", [policy.Organization]));
            }

            if (!policy.MfaRequired)
            {
                findings.Add(new(MfaNotRequired, Severity.High,
                    $"Organisation '{policy.Organization}' does not require multi-factor authentication.",
                    "organization", [policy.Organization]));
            }
        }

        foreach (var cycle in analysis.Closure.Cycles)
        {
            var ids = cycle.Select(g => snapshot.GroupIds[g]).ToArray();
            findings.Add(new(GroupCycle, Severity.Medium,
                ids.Length == 1
                    ? $"Group '{ids[0]}' is a member of itself."
                    : $"Groups {string.Join(", ", ids.Select(i => $"'{i}'"))} form a membership cycle: every member of one belongs to all.",
                "group", ids));
        }

        foreach (var j in snapshot.Justifications)
        {
            if (!j.IsInForce(analysis.AsOf))
            {
                var subject = Spellings.Of(j.Subject);
                findings.Add(new(JustificationExpired, Severity.Medium,
                    $"The justification of {subject} '{j.SubjectId}' (owner {j.Owner}: {j.Reason}) expired on {j.Expires:yyyy-MM-dd}: " +
                    "the reach it covered counts as excess again.",
                    subject, [j.SubjectId]));
            }
        }

        foreach (var d in snapshot.DanglingReferences)
        {
            var rows = d.Count == 1 ? "a row names" : $"{N(d.Count)} rows name";
            findings.Add(new(DanglingReference, Severity.Low,
                $"{d.Table}.{d.Column}: {rows} '{d.Value}' ({d.Subject}), missing from {d.ReferencedTable}.",
                d.Table, [d.Subject]));
        }

        return Order(findings);
    }

    /// <summary>Worst first, then by rule and subject: the order every output shows findings in.</summary>
    public static IReadOnlyList<Finding> Order(IEnumerable<Finding> findings) =>
        [.. findings
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ThenBy(f => string.Join('\u0001', f.SubjectIds), StringComparer.Ordinal)
            .ThenBy(f => f.Message, StringComparer.Ordinal)];
}
