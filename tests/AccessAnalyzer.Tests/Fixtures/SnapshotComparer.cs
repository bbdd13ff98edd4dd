using System.Text;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Tests.Fixtures;

/// <summary>A complete, ordered text rendering of a snapshot, so two snapshots compare with one readable diff.</summary>
internal static class SnapshotComparer
{
    public static string Describe(Snapshot s)
    {
        var text = new StringBuilder();
        var u = s.Units;
        for (var i = 0; i < u.Count; i++)
        {
            text.AppendLine($"unit {u.Ids[i]} parent={u.Parent[i]} kind={u.Kinds[i]} name={u.Names[i]} pre={u.Pre[i]} end={u.End[i]} " +
                $"files={string.Join('/', Enumerable.Range(0, 4).Select(c => s.UnitFileCounts[(i * 4) + c]))}");
        }

        text.AppendLine($"unplaced {string.Join('/', s.UnplacedFileCounts)}");
        var p = s.Principals;
        for (var i = 0; i < p.Count; i++)
        {
            text.AppendLine($"principal {p.Ids[i]} {p.Kinds[i]} {p.Organizations[i]} unit={p.Units[i]} {p.Names[i]} active={p.Active[i]} mfa={p.Mfa[i]} last={p.LastLogin[i]}");
            text.AppendLine($"  caseload {string.Join(' ', s.CaseloadOf(i).ToArray())}");
            text.AppendLine($"  shares {string.Join(' ', s.SharesOf(i).ToArray())}");
        }

        for (var i = 0; i < s.GroupCount; i++)
        {
            text.AppendLine($"group {s.GroupIds[i]} {s.GroupNames[i]}");
        }

        for (var i = 0; i < s.Roles.Count; i++)
        {
            text.AppendLine($"role {s.Roles.Ids[i]} {s.Roles.Names[i]} {s.Roles.FileAccess[i]} {s.Roles.Sensitive[i]}");
        }

        foreach (var m in s.Memberships)
        {
            text.AppendLine(m.ToString());
        }

        foreach (var a in s.Assignments)
        {
            text.AppendLine(a.ToString());
        }

        foreach (var d in s.DanglingReferences)
        {
            text.AppendLine(d.ToString());
        }

        foreach (var policy in s.AccountPolicies ?? [])
        {
            text.AppendLine($"policy {policy.Organization} {policy.LockoutThreshold} {policy.MfaRequired}");
        }

        return text.ToString();
    }
}
