using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>
/// How people read a role or a unit: its id with its name beside it, <c>CONSULT_DOSSIER (Consultation dossier)</c>,
/// <c>R76 (Région Bretagne)</c>. Ids stay first, so they can still be searched and pasted; the name says what they are.
/// </summary>
public static class Labels
{
    /// <summary><c>id (name)</c>, or the id alone when the name is empty or repeats the id.</summary>
    public static string Named(string id, string? name) => id + NameSuffix(id, name);

    /// <summary><c> (name)</c> to put after an id, or nothing when the name is empty or repeats the id.</summary>
    public static string NameSuffix(string id, string? name) =>
        string.IsNullOrWhiteSpace(name) || string.Equals(name.Trim(), id, StringComparison.Ordinal) ? string.Empty : $" ({name.Trim()})";

    /// <summary>A role of the snapshot, as people read it.</summary>
    public static string Role(Snapshot snapshot, int role)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Named(snapshot.Roles.Ids[role], snapshot.Roles.Names[role]);
    }

    /// <summary>A unit of the snapshot, as people read it.</summary>
    public static string Unit(Snapshot snapshot, int unit)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Named(snapshot.Units.Ids[unit], snapshot.Units.Names[unit]);
    }

    /// <summary>A unit with its name and kind: <c>R76 (Région Bretagne, region)</c>.</summary>
    public static string UnitWithKind(Snapshot snapshot, int unit)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var name = snapshot.Units.Names[unit];
        var kind = snapshot.Units.Kinds[unit];
        var id = snapshot.Units.Ids[unit];
        return string.IsNullOrWhiteSpace(name) || string.Equals(name.Trim(), id, StringComparison.Ordinal)
            ? $"{id} ({kind})"
            : $"{id} ({name.Trim()}, {kind})";
    }

    /// <summary>An assignment's role at its scope: <c>CONSULT_DOSSIER (Consultation dossier) @ R76 (Région Bretagne)</c>, or <c>@ caseload</c>.</summary>
    public static string RoleAtScope(Snapshot snapshot, Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var scope = assignment.ScopeUnit >= 0 ? Unit(snapshot, assignment.ScopeUnit) : "caseload";
        return $"{Role(snapshot, assignment.Role)} @ {scope}";
    }
}
