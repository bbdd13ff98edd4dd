using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Demo;

/// <summary>
/// Streaming sink for rows of the canonical tables (DESIGN.md, "Canonical input"). Rows of different tables may be
/// interleaved: the generator writes each agency's files, caseload, shares and access events together, so that no
/// table is ever held in memory. Values are typed; each writer formats them the canonical way
/// (booleans <c>true</c>/<c>false</c>, dates <c>yyyy-MM-dd</c>, enums in lower case, absent optional values empty or NULL).
/// </summary>
public interface ICanonicalWriter : IDisposable
{
    void WriteOrgUnit(string id, string? parentId, string kind, string name);

    void WritePrincipal(
        string id, PrincipalKind kind, string organization, string? unitId, string name,
        bool active, bool mfa, DateOnly? lastLogin);

    void WriteGroup(string id, string name);

    void WriteMembership(string groupId, string memberId, MemberType memberType);

    void WriteRole(string id, string name, bool fileAccess, bool sensitive);

    void WriteAssignment(
        string id, string roleId, string holderId, HolderType holderType,
        AssignmentScope scope, string? scopeUnitId, DateOnly? validUntil);

    void WriteFile(string id, string unitId, bool sensitive, bool closed);

    void WriteCaseload(string fileId, string principalId);

    void WriteShare(string fileId, string principalId, DateOnly? validUntil);

    /// <summary>One access to a file; <paramref name="at"/> is written as UTC (<c>yyyy-MM-ddTHH:mm:ssZ</c>).</summary>
    void WriteAccessEvent(string principalId, string fileId, DateTime at, string action);

    void WriteAccountPolicy(string organization, int lockoutThreshold, bool mfaRequired);

    void WriteJustification(JustificationSubject subjectType, string subjectId, string reason, string owner, DateOnly expires);

    /// <summary>
    /// Makes everything written durable and usable (flushes files; commits and builds indexes in a database).
    /// Called once, after the last row. A writer disposed without <see cref="Complete"/> leaves partial output.
    /// </summary>
    void Complete();
}
