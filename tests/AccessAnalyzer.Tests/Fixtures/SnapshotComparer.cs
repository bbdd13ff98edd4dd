using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Tests.Fixtures;

/// <summary>A complete, ordered text rendering of a snapshot, so two snapshots compare with one readable diff.</summary>
internal static class SnapshotComparer
{
    /// <param name="s">The snapshot.</param>
    /// <param name="emptyTablesAsAbsent">
    /// Read an optional table that is present but empty as absent: db init and db load create every canonical table, so
    /// a database loaded from a CSV directory without access_events holds it empty. Same data, told apart only there.
    /// </param>
    public static string Describe(Snapshot s, bool emptyTablesAsAbsent = false)
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
            // File numbers are the source's own: only what they number is compared (the distinct figures in the
            // reports compare which caseloads and shares name the same file).
            text.AppendLine($"  shares {string.Join(' ', s.SharesOf(i).ToArray().Select(e => e with { File = 0 }))}");
            var linked = s.LinkedFiles;
            text.AppendLine($"  caseload files {string.Join(' ', s.LinkedFiles.CaseloadOf(i).ToArray().Select(f => $"{linked.UnitOf(f)}/{linked.ClassOf(f)}").Order(StringComparer.Ordinal))}");
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

        // Lines differ between a CSV file (with its header) and a database table: everything else must match.
        foreach (var j in s.Justifications)
        {
            text.AppendLine($"justification {j with { Line = 0 }}");
        }

        var inputs = s.Inputs;
        if (emptyTablesAsAbsent)
        {
            static TableStatus Absent(TableStatus t) => t.Presence == TablePresence.Empty ? t with { Presence = TablePresence.Absent, Rows = null } : t;
            inputs = inputs with
            {
                AccessEvents = Absent(inputs.AccessEvents),
                AccountPolicy = Absent(inputs.AccountPolicy),
                Shares = Absent(inputs.Shares),
                Justifications = Absent(inputs.Justifications),
            };
        }

        text.AppendLine($"inputs {inputs}");
        return text.ToString();
    }
}
