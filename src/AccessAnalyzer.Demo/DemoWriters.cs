using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Demo;

/// <summary>Sends every row to several writers, in order. Does not own them: disposing it does nothing.</summary>
internal sealed class FanOutWriter(IReadOnlyList<ICanonicalWriter> writers) : ICanonicalWriter
{
    public void WriteOrgUnit(string id, string? parentId, string kind, string name)
    {
        foreach (var w in writers)
        {
            w.WriteOrgUnit(id, parentId, kind, name);
        }
    }

    public void WritePrincipal(string id, PrincipalKind kind, string organization, string? unitId, string name, bool active, bool mfa, DateOnly? lastLogin)
    {
        foreach (var w in writers)
        {
            w.WritePrincipal(id, kind, organization, unitId, name, active, mfa, lastLogin);
        }
    }

    public void WriteGroup(string id, string name)
    {
        foreach (var w in writers)
        {
            w.WriteGroup(id, name);
        }
    }

    public void WriteMembership(string groupId, string memberId, MemberType memberType)
    {
        foreach (var w in writers)
        {
            w.WriteMembership(groupId, memberId, memberType);
        }
    }

    public void WriteRole(string id, string name, bool fileAccess, bool sensitive)
    {
        foreach (var w in writers)
        {
            w.WriteRole(id, name, fileAccess, sensitive);
        }
    }

    public void WriteAssignment(string id, string roleId, string holderId, HolderType holderType, AssignmentScope scope, string? scopeUnitId, DateOnly? validUntil)
    {
        foreach (var w in writers)
        {
            w.WriteAssignment(id, roleId, holderId, holderType, scope, scopeUnitId, validUntil);
        }
    }

    public void WriteFile(string id, string unitId, bool sensitive, bool closed)
    {
        foreach (var w in writers)
        {
            w.WriteFile(id, unitId, sensitive, closed);
        }
    }

    public void WriteCaseload(string fileId, string principalId)
    {
        foreach (var w in writers)
        {
            w.WriteCaseload(fileId, principalId);
        }
    }

    public void WriteShare(string fileId, string principalId, DateOnly? validUntil)
    {
        foreach (var w in writers)
        {
            w.WriteShare(fileId, principalId, validUntil);
        }
    }

    public void WriteAccessEvent(string principalId, string fileId, DateTime at, string action)
    {
        foreach (var w in writers)
        {
            w.WriteAccessEvent(principalId, fileId, at, action);
        }
    }

    public void WriteAccountPolicy(string organization, int lockoutThreshold, bool mfaRequired)
    {
        foreach (var w in writers)
        {
            w.WriteAccountPolicy(organization, lockoutThreshold, mfaRequired);
        }
    }

    public void WriteJustification(JustificationSubject subjectType, string subjectId, string reason, string owner, DateOnly expires)
    {
        foreach (var w in writers)
        {
            w.WriteJustification(subjectType, subjectId, reason, owner, expires);
        }
    }

    public void Complete()
    {
        // The generator completes each underlying writer itself.
    }

    public void Dispose()
    {
        // Not owned.
    }
}

/// <summary>Counts rows per table on their way to the real writer, for <see cref="DemoSummary.Counts"/>.</summary>
internal sealed class CountingWriter(ICanonicalWriter inner) : ICanonicalWriter
{
    private readonly long[] _counts = new long[CanonicalLayout.TableNames.Length];

    public DemoTableCounts Counts() => new(
        (int)_counts[(int)CanonicalTable.OrgUnits], (int)_counts[(int)CanonicalTable.Principals],
        (int)_counts[(int)CanonicalTable.Groups], (int)_counts[(int)CanonicalTable.Memberships],
        (int)_counts[(int)CanonicalTable.Roles], (int)_counts[(int)CanonicalTable.Assignments],
        _counts[(int)CanonicalTable.Files], _counts[(int)CanonicalTable.Caseload],
        (int)_counts[(int)CanonicalTable.Shares], _counts[(int)CanonicalTable.AccessEvents],
        (int)_counts[(int)CanonicalTable.AccountPolicy], (int)_counts[(int)CanonicalTable.Justifications]);

    public void WriteOrgUnit(string id, string? parentId, string kind, string name)
    {
        _counts[(int)CanonicalTable.OrgUnits]++;
        inner.WriteOrgUnit(id, parentId, kind, name);
    }

    public void WritePrincipal(string id, PrincipalKind kind, string organization, string? unitId, string name, bool active, bool mfa, DateOnly? lastLogin)
    {
        _counts[(int)CanonicalTable.Principals]++;
        inner.WritePrincipal(id, kind, organization, unitId, name, active, mfa, lastLogin);
    }

    public void WriteGroup(string id, string name)
    {
        _counts[(int)CanonicalTable.Groups]++;
        inner.WriteGroup(id, name);
    }

    public void WriteMembership(string groupId, string memberId, MemberType memberType)
    {
        _counts[(int)CanonicalTable.Memberships]++;
        inner.WriteMembership(groupId, memberId, memberType);
    }

    public void WriteRole(string id, string name, bool fileAccess, bool sensitive)
    {
        _counts[(int)CanonicalTable.Roles]++;
        inner.WriteRole(id, name, fileAccess, sensitive);
    }

    public void WriteAssignment(string id, string roleId, string holderId, HolderType holderType, AssignmentScope scope, string? scopeUnitId, DateOnly? validUntil)
    {
        _counts[(int)CanonicalTable.Assignments]++;
        inner.WriteAssignment(id, roleId, holderId, holderType, scope, scopeUnitId, validUntil);
    }

    public void WriteFile(string id, string unitId, bool sensitive, bool closed)
    {
        _counts[(int)CanonicalTable.Files]++;
        inner.WriteFile(id, unitId, sensitive, closed);
    }

    public void WriteCaseload(string fileId, string principalId)
    {
        _counts[(int)CanonicalTable.Caseload]++;
        inner.WriteCaseload(fileId, principalId);
    }

    public void WriteShare(string fileId, string principalId, DateOnly? validUntil)
    {
        _counts[(int)CanonicalTable.Shares]++;
        inner.WriteShare(fileId, principalId, validUntil);
    }

    public void WriteAccessEvent(string principalId, string fileId, DateTime at, string action)
    {
        _counts[(int)CanonicalTable.AccessEvents]++;
        inner.WriteAccessEvent(principalId, fileId, at, action);
    }

    public void WriteAccountPolicy(string organization, int lockoutThreshold, bool mfaRequired)
    {
        _counts[(int)CanonicalTable.AccountPolicy]++;
        inner.WriteAccountPolicy(organization, lockoutThreshold, mfaRequired);
    }

    public void WriteJustification(JustificationSubject subjectType, string subjectId, string reason, string owner, DateOnly expires)
    {
        _counts[(int)CanonicalTable.Justifications]++;
        inner.WriteJustification(subjectType, subjectId, reason, owner, expires);
    }

    public void Complete() => inner.Complete();

    public void Dispose()
    {
        // Not owned.
    }
}
