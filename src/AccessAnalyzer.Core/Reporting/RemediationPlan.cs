namespace AccessAnalyzer.Core.Reporting;

/// <summary>The change a plan item proposes for one assignment.</summary>
public enum RemediationChange
{
    /// <summary>Delete the assignment: no holder loses access to a caseload file.</summary>
    Remove,

    /// <summary>Keep the role but only over each holder's own caseload.</summary>
    NarrowToCaseload,

    /// <summary>Keep the role over the lowest unit that still covers every holder's caseload reached through it.</summary>
    NarrowToUnit,
}

/// <summary>
/// One ranked remediation. <see cref="ExcessRemoved"/> is what this change alone removes from the current state;
/// <see cref="CumulativeExcessRemoved"/> is what the first <see cref="Rank"/> changes remove together, recomputed
/// exactly (overlaps between assignments are not double-counted). <see cref="ExcessGrantedAlone"/> is what the grant
/// gives its holders beyond their caseloads as if it were their only grant, whatever overlaps it. Names (role, units)
/// come beside the ids for people.
/// </summary>
public sealed record PlanItem(
    int Rank,
    string AssignmentId,
    string RoleId,
    string RoleName,
    string HolderId,
    string HolderType,
    string? ScopeUnitId,
    string? ScopeUnitName,
    RemediationChange Change,
    string? NewScopeUnitId,
    string? NewScopeUnitName,
    int Holders,
    long ExcessRemoved,
    long SensitiveExcessRemoved,
    long CumulativeExcessRemoved,
    long CumulativeSensitiveExcessRemoved,
    IReadOnlyList<PlanAlternative> Alternatives,
    UsageEvidence? Usage = null,
    long ExcessGrantedAlone = 0,
    long SensitiveExcessGrantedAlone = 0);

/// <summary>
/// What the access log says about an assignment: whether any holder read a file outside its caseload within the
/// assignment's scope during the window. An unused grant is proposed for narrowing to caseload on that evidence.
/// </summary>
public sealed record UsageEvidence(bool Used, int WindowDays, int HoldersReadingOutsideCaseload, DateOnly? LastReadOutsideCaseload, string Text);

/// <summary>Another change considered for the same assignment, with what it alone would remove and what it would cost.</summary>
public sealed record PlanAlternative(RemediationChange Change, string? NewScopeUnitId, string? NewScopeUnitName, long ExcessRemoved, long SensitiveExcessRemoved, long CaseloadFilesLost);

/// <summary>Totals before any change and after every change of the plan.</summary>
public sealed record PlanTotals(long ExposureBefore, long ExcessExposureBefore, long SensitiveExcessExposureBefore,
    long ExposureAfter, long ExcessExposureAfter, long SensitiveExcessExposureAfter);

/// <summary>
/// A justification in force that the plan left alone: what it names, why, who owns it, until when, and the reach beyond
/// the caseload it covers (<see cref="ReachBeyondCaseload"/>: for a role or an assignment, Σ over the holders of its
/// grants of the scope's files outside their caseload, as if alone; for a principal, its justified files).
/// </summary>
public sealed record JustifiedReach(
    string SubjectType, string SubjectId, string? SubjectName, string Reason, string Owner, DateOnly Expires, long ReachBeyondCaseload);

/// <summary>
/// A ranked remediation plan: plain data, rendered by sinks. <paramref name="LeftAlone"/> lists the justifications in
/// force: the plan never proposes changing a grant a justification covers, and says so here rather than in silence.
/// </summary>
public sealed record RemediationPlan(ReportHeader Header, PlanTotals Totals, IReadOnlyList<PlanItem> Items, IReadOnlyList<JustifiedReach> LeftAlone);
