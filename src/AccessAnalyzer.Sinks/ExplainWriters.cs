using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>Renders explanations (a principal's grant paths, or who reaches a unit or file) as text, JSON or CSV.</summary>
public static class ExplainWriters
{
    public static string ScopeName(AssignmentScope scope) => Spellings.Of(scope);

    /// <summary>A path as people read it: principal → group → … → holder group.</summary>
    public static string PathText(IReadOnlyList<string> path) => string.Join(" → ", path);

    public static void WriteJson(PrincipalExplanation e, Stream output, ToolStamp tool)
    {
        ArgumentNullException.ThrowIfNull(e);
        Format.WriteReportObject(output, e.Header, tool, json =>
        {
            var p = e.Principal;
            json.WriteStartObject("principal");
            JsonReportWriter.WriteAccount(json, p);
            JsonReportWriter.WriteReach(json, p);
            json.WriteNumber("sharesInForce", e.SharesInForce);
            WriteJustifications(json, e.PrincipalJustifications);
            json.WriteEndObject();
            if (e.Target is { } target)
            {
                json.WriteStartObject("target");
                WriteTargetId(json, target);
                json.WriteBoolean("reached", e.ReachesTarget);
                if (target.Kind == "file")
                {
                    json.WriteBoolean("inCaseload", e.TargetInCaseload);
                    json.WriteBoolean("sharedInForce", e.TargetSharedInForce);
                }

                json.WriteEndObject();
            }

            Format.WriteArray(json, "grants", e.Grants, g =>
            {
                Format.WriteGrantId(json, g.AssignmentId, g.RoleId, g.RoleName);
                json.WriteBoolean("fileAccess", g.FileAccess);
                json.WriteBoolean("sensitiveRole", g.SensitiveRole);
                json.WriteString("scope", ScopeName(g.Scope));
                Format.WriteScopeUnit(json, g.ScopeUnitId, g.ScopeUnitName);
                Format.WriteNullable(json, "validUntil", g.ValidUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteBoolean("inForce", g.InForce);
                Format.WriteHolder(json, g.HolderType, g.HolderId);
                json.WriteNumber("filesGranted", g.FilesGranted);
                json.WriteStartArray("paths");
                foreach (var path in g.Paths)
                {
                    Format.WriteStrings(json, null, path);
                }

                json.WriteEndArray();
                json.WriteNumber("pathsOmitted", g.PathsOmitted);
                WriteJustifications(json, g.Justifications);
            });
        });
    }

    /// <summary>The justifications naming a grant or a principal: each with whether it is in force on the analysis date.</summary>
    private static void WriteJustifications(System.Text.Json.Utf8JsonWriter json, IReadOnlyList<JustificationNote>? notes) =>
        Format.WriteArray(json, "justifications", notes ?? [], j =>
        {
            json.WriteString("subjectType", j.SubjectType);
            json.WriteString("subjectId", j.SubjectId);
            json.WriteString("reason", j.Reason);
            json.WriteString("owner", j.Owner);
            json.WriteString("expires", j.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteBoolean("inForce", j.InForce);
        });

    /// <summary>One line per justification: <c>justified (role X) until 2027-01-01 by owner: reason</c>, or that it expired.</summary>
    private static string JustificationText(JustificationNote j) =>
        $"{(j.InForce ? "justified" : "justification expired")} ({j.SubjectType} {j.SubjectId}) " +
        $"{(j.InForce ? "until" : "on")} {j.Expires:yyyy-MM-dd}, owner {j.Owner}: {j.Reason}";

    public static void WriteJson(TargetExplanation e, Stream output, ToolStamp tool)
    {
        ArgumentNullException.ThrowIfNull(e);
        Format.WriteReportObject(output, e.Header, tool, json =>
        {
            json.WriteStartObject("target");
            WriteTargetId(json, e.Target);
            json.WriteEndObject();
            json.WriteNumber("principalCount", e.Principals.Count);
            Counts(json, "byKind", e.ByKind);
            Counts(json, "byOrganization", e.ByOrganization);
            Format.WriteArray(json, "grants", e.Grants, g =>
            {
                Format.WriteGrantId(json, g.AssignmentId, g.RoleId, g.RoleName);
                json.WriteBoolean("sensitiveRole", g.SensitiveRole);
                Format.WriteHolder(json, g.HolderType, g.HolderId);
                Format.WriteScopeUnit(json, g.ScopeUnitId, g.ScopeUnitName);
                json.WriteNumber("holders", g.Holders);
            });
            Format.WriteArray(json, "principals", e.Principals, r =>
            {
                Format.WritePrincipalId(json, r.PrincipalId, r.Kind, r.Organization);
                json.WriteBoolean("active", r.Active);
                json.WriteBoolean("mfa", r.Mfa);
                Format.WriteStrings(json, "via", r.Via);
            });
        });
    }

    public static void WriteCsv(PrincipalExplanation e, Stream output)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var writer = Format.Writer(output);
        CsvReportWriter.WriteRow(writer, "principal_id", "assignment_id", "role_id", "scope", "scope_unit_id", "in_force", "file_access",
            "sensitive_role", "files_granted", "holder_type", "holder_id", "path");
        foreach (var g in e.Grants)
        {
            foreach (var path in g.Paths)
            {
                CsvReportWriter.WriteRow(writer, e.Principal.PrincipalId, g.AssignmentId, g.RoleId, ScopeName(g.Scope), g.ScopeUnitId ?? string.Empty,
                    Format.Bool(g.InForce), Format.Bool(g.FileAccess), Format.Bool(g.SensitiveRole), Format.N(g.FilesGranted), g.HolderType, g.HolderId, PathText(path));
            }
        }
    }

    public static void WriteCsv(TargetExplanation e, Stream output)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var writer = Format.Writer(output);
        CsvReportWriter.WriteRow(writer, "principal_id", "kind", "organization", "active", "mfa", "via");
        foreach (var r in e.Principals)
        {
            CsvReportWriter.WriteRow(writer, r.PrincipalId, Names.Of(r.Kind), r.Organization, Format.Bool(r.Active), Format.Bool(r.Mfa), string.Join(';', r.Via));
        }
    }

    public static void WriteText(PrincipalExplanation e, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(console);
        var p = e.Principal;
        Format.Heading(console, $"[bold]Why[/] {Escape.Terminal(p.PrincipalId)} ({Names.Of(p.Kind)}, {Escape.Terminal(p.Organization)}) — as of {e.Header.AsOf:yyyy-MM-dd}");
        console.MarkupLine($"Reach {Format.G(p.ReachableFiles)} files; caseload {Format.G(p.CaseloadFiles)} ({Format.G(p.CaseloadInReach)} in reach); " +
            $"[bold]excess {Format.G(p.ExcessFiles)}[/] ({Format.G(p.SensitiveExcessFiles)} sensitive); " +
            (p.JustifiedFiles > 0 ? $"justified {Format.G(p.JustifiedFiles)}; " : string.Empty) + $"shares in force {Format.G(e.SharesInForce)}.");
        foreach (var j in e.PrincipalJustifications ?? [])
        {
            console.MarkupLine($"Account {Escape.Terminal(JustificationText(j))}");
        }

        if (e.Target is { } target)
        {
            var verdict = e.ReachesTarget ? "[red]reaches[/]" : "[green]does not reach[/]";
            var where = target.Kind == "file"
                ? $"file {Escape.Terminal(target.Id)} (unit {Escape.Terminal(target.UnitId is null ? "?" : Labels.Named(target.UnitId, target.UnitName))})"
                : $"unit {Escape.Terminal(Labels.Named(target.Id, target.UnitName))}";
            console.MarkupLine($"{Escape.Terminal(p.PrincipalId)} {verdict} {where}" +
                (target.Kind == "file" ? $"; in its caseload: {(e.TargetInCaseload ? "yes" : "no")}; shared to it: {(e.TargetSharedInForce ? "yes" : "no")}." : "."));
        }

        var table = Format.RoundedTable(null,
            Format.Text("Assignment"), Format.Text("Role @ scope"), Format.Text("Status"), Format.Number("Files"), Format.Text("Path (principal → groups → holder)"));
        foreach (var g in e.Grants)
        {
            var status = !g.InForce ? $"expired {g.ValidUntil:yyyy-MM-dd}" : !g.FileAccess ? "no file access" : g.SensitiveRole ? "in force, sensitive" : "in force";
            foreach (var j in g.Justifications ?? [])
            {
                status += "\n" + JustificationText(j);
            }

            var unit = g.Scope == AssignmentScope.Unit ? g.ScopeUnitId : null;
            var paths = string.Join('\n', g.Paths.Select(PathText)) + (g.PathsOmitted > 0 ? $"\n… {Format.G(g.PathsOmitted)} more paths" : string.Empty);
            table.AddRow(Escape.Terminal(g.AssignmentId), Format.RoleAtScopeCell(g.RoleId, g.RoleName, unit, g.ScopeUnitName), Escape.Terminal(status), Format.G(g.FilesGranted), Escape.Terminal(paths));
        }

        console.Write(table);
    }

    public static void WriteText(TargetExplanation e, IAnsiConsole console, int maxPrincipals = 50)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(console);
        var what = e.Target.Kind == "unit" ? Labels.Named(e.Target.Id, e.Target.UnitName)
            : e.Target.UnitId is { } unit ? $"{e.Target.Id} in unit {Labels.Named(unit, e.Target.UnitName)}"
            : e.Target.Id;
        Format.Heading(console, $"[bold]Who reaches[/] {e.Target.Kind} {Escape.Terminal(what)} — as of {e.Header.AsOf:yyyy-MM-dd}");
        console.MarkupLine($"{Format.G(e.Principals.Count)} accounts. By kind: {Escape.Terminal(Join(e.ByKind))}. By organisation: {Escape.Terminal(Join(e.ByOrganization))}.");
        var grants = Format.RoundedTable("Assignments covering it",
            Format.Text("Assignment"), Format.Text("Role @ scope"), Format.Text("Holder"), Format.Number("Holders"));
        foreach (var g in e.Grants)
        {
            grants.AddRow(Escape.Terminal(g.AssignmentId), Format.RoleAtScopeCell(g.RoleId, g.RoleName, g.ScopeUnitId, g.ScopeUnitName, noUnit: "?"), Escape.Terminal($"{g.HolderType} {g.HolderId}"), Format.G(g.Holders));
        }

        console.Write(grants);
        var people = Format.RoundedTable("Accounts",
            Format.Text("Principal"), Format.Text("Kind"), Format.Text("Org"), Format.Text("Via"));
        foreach (var r in e.Principals.Take(maxPrincipals))
        {
            people.AddRow(Escape.Terminal(r.PrincipalId), Names.Of(r.Kind), Escape.Terminal(r.Organization), Escape.Terminal(string.Join(", ", r.Via)));
        }

        console.Write(people);
        if (e.Principals.Count > maxPrincipals)
        {
            console.MarkupLine($"[grey]… {Format.G(e.Principals.Count - maxPrincipals)} more accounts in --format json or csv.[/]");
        }
    }

    /// <summary>kind, id, unitId, unitName: the unit or file asked about, named alike in both explain outputs.</summary>
    private static void WriteTargetId(Utf8JsonWriter json, ExplainTarget target)
    {
        json.WriteString("kind", target.Kind);
        json.WriteString("id", target.Id);
        Format.WriteNullable(json, "unitId", target.UnitId);
        Format.WriteNullable(json, "unitName", target.UnitName);
    }

    private static void Counts(Utf8JsonWriter json, string name, IReadOnlyList<KeyValuePair<string, int>> counts)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in counts)
        {
            json.WriteNumber(key, value);
        }

        json.WriteEndObject();
    }

    private static string Join(IReadOnlyList<KeyValuePair<string, int>> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(kv => $"{kv.Key} {Format.G(kv.Value)}"));
}
