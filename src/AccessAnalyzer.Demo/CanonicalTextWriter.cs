using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Demo;

/// <summary>
/// The canonical spelling of every row, in one place for all outputs: each typed row becomes its fields as canonical
/// text in <see cref="CanonicalLayout.Columns"/> order, which the output then stores. CSV files and SQLite databases
/// thus agree on booleans, dates, enums and absent values.
/// </summary>
public abstract class CanonicalTextWriter
{
    public void WriteOrgUnit(string id, string? parentId, string kind, string name) =>
        WriteRow(CanonicalTable.OrgUnits, id, parentId, kind, name);

    public void WritePrincipal(
        string id, PrincipalKind kind, string organization, string? unitId, string name,
        bool active, bool mfa, DateOnly? lastLogin) =>
        WriteRow(
            CanonicalTable.Principals, id, CanonicalLayout.Kind(kind), organization, unitId, name,
            CanonicalLayout.Boolean(active), CanonicalLayout.Boolean(mfa), CanonicalLayout.Date(lastLogin));

    public void WriteGroup(string id, string name) => WriteRow(CanonicalTable.Groups, id, name);

    public void WriteMembership(string groupId, string memberId, MemberType memberType) =>
        WriteRow(CanonicalTable.Memberships, groupId, memberId, CanonicalLayout.Member(memberType));

    public void WriteRole(string id, string name, bool fileAccess, bool sensitive) =>
        WriteRow(CanonicalTable.Roles, id, name, CanonicalLayout.Boolean(fileAccess), CanonicalLayout.Boolean(sensitive));

    public void WriteAssignment(
        string id, string roleId, string holderId, HolderType holderType,
        AssignmentScope scope, string? scopeUnitId, DateOnly? validUntil) =>
        WriteRow(
            CanonicalTable.Assignments, id, roleId, holderId, CanonicalLayout.Holder(holderType),
            CanonicalLayout.Scope(scope), scopeUnitId, CanonicalLayout.Date(validUntil));

    public void WriteFile(string id, string unitId, bool sensitive, bool closed) =>
        WriteRow(CanonicalTable.Files, id, unitId, CanonicalLayout.Boolean(sensitive), CanonicalLayout.Boolean(closed));

    public void WriteCaseload(string fileId, string principalId) =>
        WriteRow(CanonicalTable.Caseload, fileId, principalId);

    public void WriteShare(string fileId, string principalId, DateOnly? validUntil) =>
        WriteRow(CanonicalTable.Shares, fileId, principalId, CanonicalLayout.Date(validUntil));

    public void WriteAccessEvent(string principalId, string fileId, DateTime at, string action) =>
        WriteRow(CanonicalTable.AccessEvents, principalId, fileId, CanonicalLayout.Timestamp(at), action);

    /// <summary>Virtual: a database may store the threshold as a number rather than as its text.</summary>
    public virtual void WriteAccountPolicy(string organization, int lockoutThreshold, bool mfaRequired) =>
        WriteRow(CanonicalTable.AccountPolicy, organization, CanonicalLayout.Integer(lockoutThreshold), CanonicalLayout.Boolean(mfaRequired));

    public void WriteJustification(JustificationSubject subjectType, string subjectId, string reason, string owner, DateOnly expires) =>
        WriteRow(CanonicalTable.Justifications, CanonicalLayout.Subject(subjectType), subjectId, reason, owner, CanonicalLayout.Date(expires));

    /// <summary>
    /// Stores one row of <paramref name="table"/>; a null field is an absent value. A params span: the generator
    /// writes millions of rows, and none allocates an array.
    /// </summary>
    private protected abstract void WriteRow(CanonicalTable table, params ReadOnlySpan<string?> fields);
}
