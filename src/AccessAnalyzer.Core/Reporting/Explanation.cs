using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>
/// One assignment that reaches a principal, with every membership path through which it does. A path lists the
/// principal, then each group from the one it is a direct member of out to the holder group; a direct assignment
/// has the one-element path [principal]. Role and unit names come beside their ids, for people.
/// </summary>
public sealed record GrantExplanation(
    string AssignmentId,
    string RoleId,
    string RoleName,
    bool FileAccess,
    bool SensitiveRole,
    AssignmentScope Scope,
    string? ScopeUnitId,
    string? ScopeUnitName,
    DateOnly? ValidUntil,
    bool InForce,
    string HolderType,
    string HolderId,
    long FilesGranted,
    IReadOnlyList<IReadOnlyList<string>> Paths,
    long PathsOmitted,
    IReadOnlyList<JustificationNote>? Justifications = null);

/// <summary>
/// A justification on an explained path: what it names (the grant's role or assignment, or the principal itself), why,
/// who owns it, until when, and whether it is in force on the analysis date (an expired one covers nothing).
/// </summary>
public sealed record JustificationNote(string SubjectType, string SubjectId, string Reason, string Owner, DateOnly Expires, bool InForce);

/// <summary>
/// What the question was: a principal's whole access, or its access to one unit or one file. <paramref name="UnitId"/>
/// is the unit asked about or the file's unit; <paramref name="UnitName"/> its name (null when the unit is unknown).
/// </summary>
public sealed record ExplainTarget(string Kind, string Id, string? UnitId, string? UnitName = null);

/// <summary>Why one principal reaches what it reaches (or a given unit or file).</summary>
public sealed record PrincipalExplanation(
    ReportHeader Header,
    PrincipalFigures Principal,
    ExplainTarget? Target,
    bool ReachesTarget,
    IReadOnlyList<GrantExplanation> Grants,
    long SharesInForce,
    bool TargetInCaseload,
    bool TargetSharedInForce,
    IReadOnlyList<JustificationNote>? PrincipalJustifications = null);

/// <summary>One principal that reaches a unit or file, and through what (assignment ids, <c>caseload</c>, <c>share</c>).</summary>
public sealed record ReachingPrincipal(string PrincipalId, PrincipalKind Kind, string Organization, bool Active, bool Mfa, IReadOnlyList<string> Via);

/// <summary>An assignment that covers the target, with how many principals hold it.</summary>
public sealed record CoveringGrant(string AssignmentId, string RoleId, string RoleName, bool SensitiveRole, string HolderType, string HolderId,
    string? ScopeUnitId, string? ScopeUnitName, int Holders);

/// <summary>Who can reach a unit or a file, and through what.</summary>
public sealed record TargetExplanation(
    ReportHeader Header,
    ExplainTarget Target,
    IReadOnlyList<CoveringGrant> Grants,
    IReadOnlyList<ReachingPrincipal> Principals,
    IReadOnlyList<KeyValuePair<string, int>> ByKind,
    IReadOnlyList<KeyValuePair<string, int>> ByOrganization);

/// <summary>
/// What a source knows about one file, looked up only for <c>explain --file</c>: its unit and class, who has it in
/// caseload and to whom it is shared. The only place a beneficiary file id enters the engine.
/// </summary>
public sealed record FileFacts(string FileId, string UnitId, bool Sensitive, bool Closed,
    IReadOnlyList<string> CaseloadPrincipalIds, IReadOnlyList<(string PrincipalId, DateOnly? ValidUntil)> Shares);
