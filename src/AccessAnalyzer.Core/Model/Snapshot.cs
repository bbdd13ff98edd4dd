using System.Collections.Immutable;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Core.Model;

/// <summary>
/// The immutable in-memory model of one source at one moment: every id interned to a dense int (index into the
/// table's arrays, in ordinal order of the ids, so two sources with the same data build the same snapshot),
/// every reference resolved, every dangling row recorded. Files exist only as counts per unit and class.
/// </summary>
public sealed class Snapshot
{
    internal Snapshot(
        string sourceName, OrgTree units, PrincipalTable principals, ImmutableArray<string> groupIds,
        ImmutableArray<string> groupNames, RoleTable roles, ImmutableArray<Membership> memberships,
        ImmutableArray<Assignment> assignments, ImmutableArray<long> unitFileCounts, ImmutableArray<long> unplacedFileCounts,
        ImmutableArray<int> caseloadStart, ImmutableArray<CaseloadEntry> caseload,
        ImmutableArray<int> shareStart, ImmutableArray<ShareEntry> shares,
        ImmutableArray<DanglingReference> danglingReferences, ImmutableArray<AccountPolicyRow>? accountPolicies,
        SourceLines lines, Usage.UsageTables? usage, InputPresence inputs, LinkedFiles linkedFiles,
        ImmutableArray<Justification> justifications)
    {
        LinkedFiles = linkedFiles;
        Justifications = justifications;
        Inputs = inputs;
        Lines = lines;
        Usage = usage;
        SourceName = sourceName;
        Units = units;
        Principals = principals;
        GroupIds = groupIds;
        GroupNames = groupNames;
        Roles = roles;
        Memberships = memberships;
        Assignments = assignments;
        UnitFileCounts = unitFileCounts;
        UnplacedFileCounts = unplacedFileCounts;
        CaseloadStart = caseloadStart;
        Caseload = caseload;
        ShareStart = shareStart;
        Shares = shares;
        DanglingReferences = danglingReferences;
        AccountPolicies = accountPolicies;
    }

    /// <summary>Caseload and shared files by anonymous number: what the distinct figures need beyond per-unit counts.</summary>
    public LinkedFiles LinkedFiles { get; }

    /// <summary>What the source held of the optional tables and of principals.last_login: what coverage is read from.</summary>
    public InputPresence Inputs { get; }

    /// <summary>The access_events table aggregated, by string id as the source handed it over: read through <see cref="UsageIndex"/>.</summary>
    internal Usage.UsageTables? Usage { get; }

    /// <summary>
    /// The access log interned by principal and unit index, built on first use; null when the source has none (usage
    /// rules then do not run). What every consumer of the log reads.
    /// </summary>
    public Usage.UsageIndex? UsageIndex => Usage is null ? null : _usageIndex ??= AccessAnalyzer.Core.Usage.UsageIndex.Build(this, Usage);

    /// <summary>Where each principal, group and assignment stands in its source, for locations in SARIF and messages.</summary>
    public SourceLines Lines { get; }

    /// <summary>Where the data came from (directory or database file), for report headers.</summary>
    public string SourceName { get; }

    public OrgTree Units { get; }

    public PrincipalTable Principals { get; }

    public ImmutableArray<string> GroupIds { get; }

    public ImmutableArray<string> GroupNames { get; }

    public RoleTable Roles { get; }

    /// <summary>Distinct, resolved membership edges, sorted.</summary>
    public ImmutableArray<Membership> Memberships { get; }

    /// <summary>Assignments whose role, holder and scope unit all exist, in id order. In force or not.</summary>
    public ImmutableArray<Assignment> Assignments { get; }

    /// <summary>Files per unit and class: index <c>unit * FileClasses.Count + (int)class</c>.</summary>
    public ImmutableArray<long> UnitFileCounts { get; }

    /// <summary>Files whose unit is missing from org_units, by class: they exist, but no unit scope covers them.</summary>
    public ImmutableArray<long> UnplacedFileCounts { get; }

    /// <summary>Caseload of principal p is <c>Caseload[CaseloadStart[p]..CaseloadStart[p + 1]]</c>.</summary>
    public ImmutableArray<int> CaseloadStart { get; }

    public ImmutableArray<CaseloadEntry> Caseload { get; }

    /// <summary>Shares to principal p are <c>Shares[ShareStart[p]..ShareStart[p + 1]]</c>, one per distinct file.</summary>
    public ImmutableArray<int> ShareStart { get; }

    public ImmutableArray<ShareEntry> Shares { get; }

    public ImmutableArray<DanglingReference> DanglingReferences { get; }

    /// <summary>Rows of the optional account_policy table, or null when the source has none.</summary>
    public ImmutableArray<AccountPolicyRow>? AccountPolicies { get; }

    /// <summary>
    /// Rows of the optional justifications table whose subject exists, in source order (empty without the table).
    /// The rows that name no existing subject are in <see cref="DanglingReferences"/>.
    /// </summary>
    public ImmutableArray<Justification> Justifications { get; }

    public int GroupCount => GroupIds.Length;

    /// <summary>Total number of files, placed or not.</summary>
    public long FileCount
    {
        get
        {
            long total = 0;
            foreach (var n in UnitFileCounts)
            {
                total += n;
            }

            foreach (var n in UnplacedFileCounts)
            {
                total += n;
            }

            return total;
        }
    }

    /// <summary>The index of a principal by id; false (and -1) when there is none.</summary>
    public bool TryGetPrincipal(string id, out int principal) => Find(_principalIndex ??= Index(Principals.Ids), id, out principal);

    /// <summary>The index of an org unit by id; false (and -1) when there is none.</summary>
    public bool TryGetUnit(string id, out int unit) => Find(_unitIndex ??= Index(Units.Ids), id, out unit);

    /// <summary>The index of a group by id; false (and -1) when there is none.</summary>
    public bool TryGetGroup(string id, out int group) => Find(_groupIndex ??= Index(GroupIds), id, out group);

    /// <summary>The index of an assignment by id; false (and -1) when there is none.</summary>
    public bool TryGetAssignment(string id, out int assignment) => Find(_assignmentIndex ??= Index([.. Assignments.Select(a => a.Id)]), id, out assignment);

    public ReadOnlySpan<CaseloadEntry> CaseloadOf(int principal) =>
        Caseload.AsSpan()[CaseloadStart[principal]..CaseloadStart[principal + 1]];

    public ReadOnlySpan<ShareEntry> SharesOf(int principal) =>
        Shares.AsSpan()[ShareStart[principal]..ShareStart[principal + 1]];

    // Id lookups built on first use (most commands never look an id up); the snapshot itself never changes.
    private Dictionary<string, int>? _principalIndex, _unitIndex, _groupIndex, _assignmentIndex;
    private Usage.UsageIndex? _usageIndex;

    private static bool Find(Dictionary<string, int> index, string id, out int found)
    {
        if (index.TryGetValue(id, out found))
        {
            return true;
        }

        found = -1;
        return false;
    }

    private static Dictionary<string, int> Index(ImmutableArray<string> ids)
    {
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }

        return index;
    }
}

/// <summary>The org tree with its pre-order layout: a unit's subtree is the position interval [Pre, End).</summary>
public sealed class OrgTree
{
    internal OrgTree(
        ImmutableArray<string> ids, ImmutableArray<int> parent, ImmutableArray<string> kinds, ImmutableArray<string> names,
        ImmutableArray<int> pre, ImmutableArray<int> end, ImmutableArray<int> unitAtPosition)
    {
        Ids = ids;
        Parent = parent;
        Kinds = kinds;
        Names = names;
        Pre = pre;
        End = end;
        UnitAtPosition = unitAtPosition;
    }

    public ImmutableArray<string> Ids { get; }

    /// <summary>Parent unit index, or -1 for a root.</summary>
    public ImmutableArray<int> Parent { get; }

    public ImmutableArray<string> Kinds { get; }

    public ImmutableArray<string> Names { get; }

    /// <summary>Pre-order position of each unit.</summary>
    public ImmutableArray<int> Pre { get; }

    /// <summary>One past the last pre-order position of each unit's subtree.</summary>
    public ImmutableArray<int> End { get; }

    /// <summary>Inverse of <see cref="Pre"/>.</summary>
    public ImmutableArray<int> UnitAtPosition { get; }

    public int Count => Ids.Length;

    /// <summary>True when <paramref name="unit"/> is <paramref name="ancestor"/> or below it.</summary>
    public bool IsInSubtree(int unit, int ancestor) => Pre[unit] >= Pre[ancestor] && Pre[unit] < End[ancestor];
}

public sealed class PrincipalTable
{
    internal PrincipalTable(
        ImmutableArray<string> ids, ImmutableArray<PrincipalKind> kinds, ImmutableArray<string> organizations,
        ImmutableArray<int> units, ImmutableArray<string> names, ImmutableArray<bool> active, ImmutableArray<bool> mfa,
        ImmutableArray<DateOnly?> lastLogin)
    {
        Ids = ids;
        Kinds = kinds;
        Organizations = organizations;
        Units = units;
        Names = names;
        Active = active;
        Mfa = mfa;
        LastLogin = lastLogin;
    }

    public ImmutableArray<string> Ids { get; }
    public ImmutableArray<PrincipalKind> Kinds { get; }
    public ImmutableArray<string> Organizations { get; }

    /// <summary>Home unit index, or -1 when none is given or it is missing.</summary>
    public ImmutableArray<int> Units { get; }
    public ImmutableArray<string> Names { get; }
    public ImmutableArray<bool> Active { get; }
    public ImmutableArray<bool> Mfa { get; }
    public ImmutableArray<DateOnly?> LastLogin { get; }
    public int Count => Ids.Length;
}

public sealed class RoleTable
{
    internal RoleTable(ImmutableArray<string> ids, ImmutableArray<string> names, ImmutableArray<bool> fileAccess, ImmutableArray<bool> sensitive)
    {
        Ids = ids;
        Names = names;
        FileAccess = fileAccess;
        Sensitive = sensitive;
    }

    public ImmutableArray<string> Ids { get; }
    public ImmutableArray<string> Names { get; }
    public ImmutableArray<bool> FileAccess { get; }
    public ImmutableArray<bool> Sensitive { get; }
    public int Count => Ids.Length;
}

/// <summary>The one "in force" rule of assignments and shares.</summary>
public static class Validity
{
    /// <summary>In force unless valid_until is before the analysis date (the day itself still counts); no date never ends.</summary>
    public static bool InForce(DateOnly? validUntil, DateOnly asOf) => validUntil is not { } until || until >= asOf;
}

/// <summary>Member (principal or group index) belongs to Group.</summary>
public readonly record struct Membership(int Group, int Member, MemberType MemberType);

/// <summary>A resolved assignment. <see cref="ScopeUnit"/> is -1 for caseload scope.</summary>
public readonly record struct Assignment(
    string Id, int Role, int Holder, HolderType HolderType, AssignmentScope Scope, int ScopeUnit, DateOnly? ValidUntil)
{
    public bool IsInForce(DateOnly asOf) => Validity.InForce(ValidUntil, asOf);
}

/// <summary>
/// A resolved justification: <paramref name="Index"/> is the role, assignment (into <see cref="Snapshot.Assignments"/>) or
/// principal index its <paramref name="Subject"/> names; <paramref name="SubjectId"/> is the id as written.
/// </summary>
public readonly record struct Justification(
    JustificationSubject Subject, int Index, string SubjectId, string Reason, string Owner, DateOnly Expires, long Line)
{
    /// <summary>In force up to and including its expiry day, as valid_until is.</summary>
    public bool IsInForce(DateOnly asOf) => Expires >= asOf;
}

/// <summary>Distinct caseload files of one principal in one unit and class. Unit is -1 when the file's unit is missing.</summary>
public readonly record struct CaseloadEntry(int Unit, FileClass Class, long Count);

/// <summary>
/// One distinct file shared to a principal. Unit is -1 when the file's unit is missing. <paramref name="File"/> is its
/// number in <see cref="LinkedFiles"/>.
/// </summary>
public readonly record struct ShareEntry(int Unit, FileClass Class, DateOnly? ValidUntil, bool InCaseload, int File)
{
    public bool IsInForce(DateOnly asOf) => Validity.InForce(ValidUntil, asOf);
}

/// <summary>
/// The files whose identity the distinct figures need, by an anonymous number: those that two caseloads, or a share,
/// name, with their unit and class; and per principal, which of its caseload files are among them. Every other caseload
/// file is in exactly one caseload and nowhere else, which the per-unit caseload counts already describe.
/// </summary>
public sealed class LinkedFiles
{
    private readonly int[] _unitClass;
    private readonly int[][] _caseload;

    internal LinkedFiles(int[] unitClass, int[][] caseload)
    {
        _unitClass = unitClass;
        _caseload = caseload;
    }

    /// <summary>Files are numbered <c>[0, Count)</c>.</summary>
    public int Count => _unitClass.Length;

    /// <summary>The file's unit index, or -1 when its unit is missing from org_units.</summary>
    public int UnitOf(int file) => _unitClass[file] >> 2;

    public FileClass ClassOf(int file) => (FileClass)(_unitClass[file] & 3);

    /// <summary>A principal's caseload files that another caseload or a share also names, by number.</summary>
    public ReadOnlySpan<int> CaseloadOf(int principal) => _caseload[principal];
}

/// <summary>
/// A row (or, for the big tables, a number of rows) naming something that does not exist.
/// <paramref name="Value"/> is the missing id, withheld when it would be a beneficiary file id.
/// <paramref name="Subject"/> identifies the row that holds the reference (an assignment id, a principal id, a membership).
/// </summary>
public sealed record DanglingReference(string Table, string Column, string Value, string ReferencedTable, string Subject, long Count);

/// <summary>
/// Source positions of the keyed rows (CSV line, or row number in a database table), aligned with the snapshot's
/// arrays, and how the source names its tables (<c>assignments.csv</c> or <c>assignments</c>).
/// </summary>
public sealed record SourceLines(
    Func<string, string> TableDisplayName,
    ImmutableArray<long> Principals,
    ImmutableArray<long> Groups,
    ImmutableArray<long> Assignments,
    ImmutableArray<AccountPolicyRow> Policies);
