namespace AccessAnalyzer.Core.Input;

/// <summary>Kind of account, from <c>principals.kind</c>.</summary>
public enum PrincipalKind : byte { Staff, Partner, Service }

/// <summary>What a membership row's member is, from <c>memberships.member_type</c>.</summary>
public enum MemberType : byte { Principal, Group }

/// <summary>Who holds an assignment, from <c>assignments.holder_type</c>.</summary>
public enum HolderType : byte { Principal, Group }

/// <summary>How far an assignment reaches, from <c>assignments.scope</c>.</summary>
public enum AssignmentScope : byte { Unit, Caseload }

/// <summary>What a justification row names, from <c>justifications.subject_type</c>.</summary>
public enum JustificationSubject : byte { Role, Assignment, Principal }

/// <summary>The two file attributes the analysis splits counts by. Four combinations, so a class fits in two bits.</summary>
[Flags]
public enum FileClass : byte
{
    None = 0,
    Sensitive = 1,
    Closed = 2,
}

// Rows of the small canonical tables, typed but not yet resolved: ids are still the strings of the source.
// Line is where the row stands in its source (CSV line of the record, or database rowid), for error messages.

public sealed record OrgUnitRow(string Id, string? ParentId, string Kind, string Name, long Line);

public sealed record PrincipalRow(
    string Id, PrincipalKind Kind, string Organization, string? UnitId, string Name,
    bool Active, bool Mfa, DateOnly? LastLogin, long Line);

public sealed record GroupRow(string Id, string Name, long Line);

public sealed record MembershipRow(string GroupId, string MemberId, MemberType MemberType, long Line);

public sealed record RoleRow(string Id, string Name, bool FileAccess, bool Sensitive, long Line);

public sealed record AssignmentRow(
    string Id, string RoleId, string HolderId, HolderType HolderType,
    AssignmentScope Scope, string? ScopeUnitId, DateOnly? ValidUntil, long Line);

/// <summary>
/// A recorded reason for reach beyond a caseload. Not keyed: several rows may name the same subject, each with its own
/// reason, owner and end date.
/// </summary>
public sealed record JustificationRow(
    JustificationSubject SubjectType, string SubjectId, string Reason, string Owner, DateOnly Expires, long Line);

public sealed record AccountPolicyRow(string Organization, int LockoutThreshold, bool MfaRequired, long Line);

// The big tables arrive aggregated: a source counts them where they live (GROUP BY in a database,
// a streaming pass over CSV), so no per-file row ever reaches Core.

/// <summary>Number of distinct files with the given unit id (as written in <c>files.unit_id</c>) and class.</summary>
public readonly record struct FileCount(string UnitId, FileClass Class, long Count);

/// <summary>
/// Number of distinct (file, principal) caseload rows for a principal id, by the file's unit and class.
/// <paramref name="FileFound"/> is false for rows whose file_id is not in <c>files</c>; then unit and class are unknown.
/// </summary>
public readonly record struct CaseloadCount(string PrincipalId, bool FileFound, string UnitId, FileClass Class, long Count);

/// <summary>
/// One shares row joined with its file. <paramref name="FileKey"/> only serves to treat the table as a set
/// (a repeated (file, principal) pair counts once); it never leaves the snapshot builder.
/// <paramref name="InCaseload"/> tells whether the same principal also has the file in its caseload.
/// </summary>
public sealed record ShareRow(
    string FileKey, string PrincipalId, DateOnly? ValidUntil,
    bool FileFound, string UnitId, FileClass Class, bool InCaseload, long Line)
{
    /// <summary>The file's number in <see cref="FileLinks"/> (-1 when the file is missing).</summary>
    public int File { get; init; } = -1;
}

/// <summary>
/// The caseload as anonymous file numbers, for the distinct figures: a file in two caseloads, or in one and shared to
/// another account, is one file, and only its identity can tell. Every file that a caseload or a share names gets a
/// number (dense from 0) with its unit and class; no file id reaches Core, and a number means nothing outside one read
/// of one source. The snapshot builder takes the arrays over.
/// </summary>
public sealed class FileLinks
{
    /// <summary>Files numbered: <c>UnitClass[0 .. FileCount)</c>.</summary>
    public required int FileCount { get; init; }

    /// <summary>Per file number: its unit number (an index into <see cref="UnitIds"/>) shifted left by two, or'ed with its class.</summary>
    public required int[] UnitClass { get; init; }

    /// <summary>Unit numbers to <c>files.unit_id</c> as written (which may name no org unit).</summary>
    public required IReadOnlyList<string> UnitIds { get; init; }

    /// <summary>One item per principal id: its distinct caseload files found in <c>files</c>, by number.</summary>
    public required IReadOnlyList<PrincipalFiles> Caseload { get; init; }
}

/// <summary>A principal id's distinct caseload file numbers.</summary>
public readonly record struct PrincipalFiles(string PrincipalId, ArraySegment<int> Files);
