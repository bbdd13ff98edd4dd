using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>Renders the exposure change of an edit: console text, JSON, and markdown written to be pasted as a review comment.</summary>
public static class DiffWriters
{
    public static string Kind(AssignmentChangeKind kind) => kind.ToString().ToLowerInvariant();

    public static void WriteJson(DiffReport diff, Stream output, ToolStamp tool)
    {
        ArgumentNullException.ThrowIfNull(diff);
        Format.WriteJsonObject(output, json =>
        {
            json.WriteString("tool", tool.Name);
            json.WriteString("version", tool.Version);
            json.WriteString("before", diff.BeforeSource);
            json.WriteString("after", diff.Header.Source);
            json.WriteString("asOf", diff.Header.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteStartObject("totals");
            foreach (var (name, _, before, after) in Totals(diff))
            {
                json.WriteStartObject(name);
                json.WriteNumber("before", before);
                json.WriteNumber("after", after);
                json.WriteNumber("delta", after - before);
                json.WriteEndObject();
            }

            json.WriteEndObject();

            // The checks that ran on the changed source, and on the source before, as analyze reports them.
            CoverageWriters.WriteJson(json, diff.CoverageAfter);
            CoverageWriters.WriteJson(json, diff.CoverageBefore, "coverageBefore");
            Format.WriteArray(json, "assignments", diff.Assignments, a =>
            {
                json.WriteString("assignmentId", a.AssignmentId);
                json.WriteString("change", Kind(a.Kind));
                json.WriteString("roleId", a.RoleId);
                json.WriteString("roleName", a.RoleName);
                Format.WriteHolder(json, a.HolderType, a.HolderId);
                Format.WriteNullable(json, "before", a.Before);
                Format.WriteNullable(json, "after", a.After);
                json.WriteNumber("holders", a.Holders);
                json.WriteNumber("excessAdded", a.ExcessAdded);
                json.WriteNumber("sensitiveExcessAdded", a.SensitiveExcessAdded);
                json.WriteNumber("excessGrantedAlone", a.ExcessGrantedAlone);
                json.WriteNumber("sensitiveExcessGrantedAlone", a.SensitiveExcessGrantedAlone);
            });
            Format.WriteArray(json, "memberships", diff.Memberships, m =>
            {
                json.WriteString("change", m.Added ? "added" : "removed");
                json.WriteString("groupId", m.GroupId);
                json.WriteString("memberId", m.MemberId);
                json.WriteString("memberType", Spellings.Of(m.MemberType));
            });
            Format.WriteArray(json, "principals", diff.Principals, p =>
            {
                Format.WritePrincipalId(json, p.PrincipalId, p.Kind, p.Organization);
                json.WriteNumber("reachBefore", p.ReachBefore);
                json.WriteNumber("reachAfter", p.ReachAfter);
                json.WriteNumber("excessBefore", p.ExcessBefore);
                json.WriteNumber("excessAfter", p.ExcessAfter);
                json.WriteNumber("excessDelta", p.ExcessDelta);
                json.WriteNumber("sensitiveExcessBefore", p.SensitiveExcessBefore);
                json.WriteNumber("sensitiveExcessAfter", p.SensitiveExcessAfter);
            });
        });
    }

    /// <summary>
    /// The change as a review comment; with <paramref name="notChecked"/>, first the checks that did not run on either side
    /// (the gate's markdown lists them itself, and passes false).
    /// </summary>
    public static void WriteMarkdown(DiffReport diff, TextWriter writer, int maxRows = 25, bool notChecked = true)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        var excess = diff.TotalsAfter.ExcessExposure - diff.TotalsBefore.ExcessExposure;
        writer.Write($"#### Access change: excess exposure {Format.Signed(excess)} files\n\n");
        if (notChecked)
        {
            CoverageWriters.WriteMarkdown(CoverageWriters.NotRun(diff.CoverageBefore, diff.CoverageAfter), writer);
        }

        writer.Write("| | before | after | change |\n|---|---:|---:|---:|\n");
        foreach (var (_, label, before, after) in Totals(diff))
        {
            writer.Write($"| {label} | {Format.G(before)} | {Format.G(after)} | {Format.Signed(after - before)} |\n");
        }

        if (diff.Assignments.Count > 0)
        {
            writer.Write("\n**Assignments** (excess added: what the grant adds given every other grant; granted alone: beyond its holders' caseloads as if it were their only grant)\n\n| assignment | change | grant | holders | excess added | granted alone |\n|---|---|---|---:|---:|---:|\n");
            foreach (var a in diff.Assignments.Take(maxRows))
            {
                var grant = a.Kind == AssignmentChangeKind.Removed ? $"~~{Escape.MarkdownText(a.Before!)}~~"
                    : a.Before is null ? Escape.MarkdownText(a.After!) : $"{Escape.MarkdownText(a.Before)} → {Escape.MarkdownText(a.After!)}";
                writer.Write($"| {Escape.MarkdownCode(a.AssignmentId)} | {Kind(a.Kind)} | {grant} | {Format.G(a.Holders)} | {Format.Signed(a.ExcessAdded)} | {Format.G(a.ExcessGrantedAlone)} |\n");
            }
        }

        if (diff.Memberships.Count > 0)
        {
            writer.Write("\n**Memberships**\n\n");
            foreach (var m in diff.Memberships.Take(maxRows))
            {
                writer.Write($"- {(m.Added ? "added" : "removed")}: {Escape.MarkdownCode(m.MemberId)} in {Escape.MarkdownCode(m.GroupId)}\n");
            }
        }

        if (diff.Principals.Count > 0)
        {
            writer.Write($"\n**Accounts whose reach or excess changes** ({Format.G(diff.Principals.Count)})\n\n| account | kind | excess before | excess after | change |\n|---|---|---:|---:|---:|\n");
            foreach (var p in diff.Principals.Take(maxRows))
            {
                writer.Write($"| {Escape.MarkdownCode(p.PrincipalId)} | {Names.Of(p.Kind)} | {Format.G(p.ExcessBefore)} | {Format.G(p.ExcessAfter)} | {Format.Signed(p.ExcessDelta)} |\n");
            }

            if (diff.Principals.Count > maxRows)
            {
                writer.Write($"\n… and {Format.G(diff.Principals.Count - maxRows)} more.\n");
            }
        }
    }

    public static void WriteText(DiffReport diff, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(console);
        Format.Heading(console, $"[bold]Diff[/] {Escape.Terminal(diff.BeforeSource)} → {Escape.Terminal(diff.Header.Source)} as of {diff.Header.AsOf:yyyy-MM-dd}");
        CoverageWriters.WriteConsole(CoverageWriters.NotRun(diff.CoverageBefore, diff.CoverageAfter), console);
        var totals = Format.RoundedTable(null,
            Format.Text(""), Format.Number("Before"), Format.Number("After"), Format.Number("Change"));
        foreach (var (_, label, before, after) in Totals(diff))
        {
            totals.AddRow(label, Format.G(before), Format.G(after), Format.Signed(after - before));
        }

        console.Write(totals);
        var assignments = Format.RoundedTable("Assignments",
            Format.Text("Assignment"), Format.Text("Change"), Format.Text("Grant"), Format.Number("Holders"), Format.Number("Excess added"), Format.Number("Granted alone"));
        foreach (var a in diff.Assignments)
        {
            assignments.AddRow(Escape.Terminal(a.AssignmentId), Kind(a.Kind), Escape.Terminal(a.After ?? a.Before ?? string.Empty), Format.G(a.Holders), Format.Signed(a.ExcessAdded), Format.G(a.ExcessGrantedAlone));
        }

        console.Write(assignments);
        foreach (var m in diff.Memberships)
        {
            console.MarkupLine(Escape.Terminal($"membership {(m.Added ? "added" : "removed")}: {m.MemberId} in {m.GroupId}"));
        }

        var principals = Format.RoundedTable($"Accounts whose reach or excess changes ({Format.G(diff.Principals.Count)})",
            Format.Text("Account"), Format.Number("Excess before"), Format.Number("Excess after"), Format.Number("Change"));
        foreach (var p in diff.Principals.Take(50))
        {
            principals.AddRow(Escape.Terminal(p.PrincipalId), Format.G(p.ExcessBefore), Format.G(p.ExcessAfter), Format.Signed(p.ExcessDelta));
        }

        console.Write(principals);
    }

    /// <summary>Each total: its JSON name, how people read it (sums apart from distinct files), before and after.</summary>
    private static IEnumerable<(string Name, string Label, long Before, long After)> Totals(DiffReport d)
    {
        var (b, a) = (d.TotalsBefore, d.TotalsAfter);
        yield return ("exposure", "Exposure (Σ reach over accounts)", b.Exposure, a.Exposure);
        yield return ("excessExposure", "Excess exposure (Σ excess over accounts)", b.ExcessExposure, a.ExcessExposure);
        yield return ("sensitiveExcessExposure", "Sensitive excess (Σ over accounts)", b.SensitiveExcessExposure, a.SensitiveExcessExposure);
        yield return ("principalsWithExcess", "Accounts with excess", b.PrincipalsWithExcess, a.PrincipalsWithExcess);
        yield return ("justifiedFiles", "Justified reach (Σ over accounts)", b.JustifiedFiles, a.JustifiedFiles);
        yield return ("distinctReachableFiles", "Distinct files any account can open", b.Distinct.Reachable, a.Distinct.Reachable);
        yield return ("distinctExcessFiles", "Distinct files open beyond a caseload", b.Distinct.Excess, a.Distinct.Excess);
        yield return ("distinctSensitiveExcessFiles", "Distinct sensitive files open beyond a caseload", b.Distinct.SensitiveExcess, a.Distinct.SensitiveExcess);
        yield return ("distinctPhishableFiles", "Distinct files accounts without MFA can open", b.Distinct.Phishable, a.Distinct.Phishable);
    }
}
