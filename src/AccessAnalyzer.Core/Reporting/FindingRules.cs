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

    /// <summary>Rule ids with a one-line description, for help texts and rule metadata.</summary>
    public static IReadOnlyList<(string Id, Severity Severity, string Description)> Catalog { get; } =
    [
        (PartnerExcess, Severity.Critical, "A partner-organisation account can open files beyond its caseload."),
        (DormantAccountWithReach, Severity.High, "An inactive account still reaches files: a takeover would go unnoticed."),
        (NoMfaWithReach, Severity.High, "An account without multi-factor authentication reaches more files than the threshold."),
        (GroupCycle, Severity.Medium, "Groups contain each other: every member of one is a member of all, rarely by intent."),
        (DanglingReference, Severity.Low, "A row names a unit, role, group, principal or file that does not exist."),
    ];

    public static IReadOnlyList<Finding> Evaluate(ExposureResult result, IReadOnlyList<PrincipalFigures> principals, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
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

            if (!f.Active && f.ReachableFiles > 0)
            {
                findings.Add(new(DormantAccountWithReach, Severity.High,
                    $"Inactive account '{f.PrincipalId}' ({f.Organization}) still reaches {N(f.ReachableFiles)} files.",
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

        var snapshot = result.Snapshot;
        foreach (var cycle in result.Closure.Cycles)
        {
            var ids = cycle.Select(g => snapshot.GroupIds[g]).ToArray();
            findings.Add(new(GroupCycle, Severity.Medium,
                ids.Length == 1
                    ? $"Group '{ids[0]}' is a member of itself."
                    : $"Groups {string.Join(", ", ids.Select(i => $"'{i}'"))} form a membership cycle: every member of one belongs to all.",
                "group", ids));
        }

        foreach (var d in snapshot.DanglingReferences)
        {
            var rows = d.Count == 1 ? "a row names" : $"{N(d.Count)} rows name";
            findings.Add(new(DanglingReference, Severity.Low,
                $"{d.Table}.{d.Column}: {rows} '{d.Value}' ({d.Subject}), missing from {d.ReferencedTable}.",
                d.Table, [d.Subject]));
        }

        return [.. findings
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ThenBy(f => string.Join('\u0001', f.SubjectIds), StringComparer.Ordinal)
            .ThenBy(f => f.Message, StringComparer.Ordinal)];
    }
}
