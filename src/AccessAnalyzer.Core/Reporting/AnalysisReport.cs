using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>How bad a finding is. Ordered: a higher value is worse.</summary>
public enum Severity { Info, Low, Medium, High, Critical }

/// <summary>
/// One thing to look at. <paramref name="SubjectIds"/> names the accounts, groups, assignments or rows concerned
/// (never a beneficiary file id); <paramref name="SubjectKind"/> says which of those they are.
/// </summary>
public sealed record Finding(string RuleId, Severity Severity, string Message, string SubjectKind, IReadOnlyList<string> SubjectIds);

/// <summary>Figures of one principal, as the output contract names them. <paramref name="UnitName"/> is the home unit's name.</summary>
public sealed record PrincipalFigures(
    string PrincipalId,
    PrincipalKind Kind,
    string Organization,
    string? UnitId,
    bool Active,
    bool Mfa,
    DateOnly? LastLogin,
    long ReachableFiles,
    long CaseloadFiles,
    long CaseloadInReach,
    long ExcessFiles,
    long SensitiveExcessFiles,
    long ClosedFilesInReach,
    int GrantsInForce,
    long? ExercisedExcessFiles = null,
    string? UnitName = null,
    long JustifiedFiles = 0);

/// <summary>
/// Sums over every principal (not only those a --top limit shows), and the distinct figures: files in the union over
/// every account, which sums overstate wherever reaches overlap.
/// </summary>
public sealed record ReportTotals(
    int Principals,
    long Files,
    long Exposure,
    long ExcessExposure,
    long SensitiveExcessExposure,
    long CaseloadFiles,
    long CaseloadInReach,
    long ClosedFilesInReach,
    int PrincipalsWithExcess,
    long DanglingReferences,
    int GroupCycles,
    long PhishableExposure,
    long PartnerPhishableExposure,
    int DormantAccountsWithReach,
    long JustifiedFiles,
    Engine.DistinctFigures Distinct);

/// <summary>What was analyzed and when. The tool's name and version are stamped by the sinks, not by the engine.</summary>
public sealed record ReportHeader(string Source, DateOnly AsOf);

/// <summary>
/// The result of an analysis as plain data: sinks only render it. Principals are sorted worst first
/// (excess, then reach, then id) and possibly cut to the top N; totals and findings always cover everyone.
/// <paramref name="Coverage"/> says which checks ran on this source and which could not (<see cref="Reporting.Coverage"/>).
/// </summary>
public sealed record AnalysisReport(
    ReportHeader Header,
    ReportTotals Totals,
    IReadOnlyList<PrincipalFigures> Principals,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<CoverageItem> Coverage,
    IReadOnlyList<Engine.OrganizationExposure> Organizations);
