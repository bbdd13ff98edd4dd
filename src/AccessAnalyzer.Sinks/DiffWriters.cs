using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sinks.Language;
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
    public static void WriteMarkdown(DiffReport diff, TextWriter writer, Lang lang = Lang.En, int maxRows = 25, bool notChecked = true)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        string T(string key, params object[] args) => Escape.MarkdownText(Texts.Get(lang, key, args));
        string N(long value) => Texts.Number(lang, value);
        string S(long value) => Texts.Signed(lang, value);
        var excess = diff.TotalsAfter.ExcessExposure - diff.TotalsBefore.ExcessExposure;
        writer.Write($"#### {T("diff.title", S(excess))}\n\n");
        if (notChecked)
        {
            CoverageWriters.WriteMarkdown(CoverageWriters.NotRun(diff.CoverageBefore, diff.CoverageAfter), writer, lang);
        }

        writer.Write($"| | {T("diff.before")} | {T("diff.after")} | {T("diff.change")} |\n|---|---:|---:|---:|\n");
        foreach (var (name, _, before, after) in Totals(diff))
        {
            writer.Write($"| {T("diff.total." + name)} | {N(before)} | {N(after)} | {S(after - before)} |\n");
        }

        if (diff.Assignments.Count > 0)
        {
            writer.Write($"\n**{T("diff.assignments")}** ({T("diff.assignmentsNote")})\n\n" +
                $"| {T("diff.assignment")} | {T("diff.kind")} | {T("diff.grant")} | {T("diff.holders")} | {T("diff.excessAdded")} | {T("diff.grantedAlone")} |\n|---|---|---|---:|---:|---:|\n");
            foreach (var a in diff.Assignments.Take(maxRows))
            {
                var grant = a.Kind == AssignmentChangeKind.Removed ? $"~~{Escape.MarkdownText(a.Before!)}~~"
                    : a.Before is null ? Escape.MarkdownText(a.After!) : $"{Escape.MarkdownText(a.Before)} → {Escape.MarkdownText(a.After!)}";
                writer.Write($"| {Escape.MarkdownCode(a.AssignmentId)} | {T("diff.kind." + Kind(a.Kind))} | {grant} | {N(a.Holders)} | {S(a.ExcessAdded)} | {N(a.ExcessGrantedAlone)} |\n");
            }
        }

        if (diff.Memberships.Count > 0)
        {
            writer.Write($"\n**{T("diff.memberships")}**\n\n");
            foreach (var m in diff.Memberships.Take(maxRows))
            {
                // The ids are code spans, so the sentence is escaped around them rather than as a whole.
                var parts = Texts.Get(lang, "diff.membership", "\u0000", "\u0001", "\u0002").Split(['\u0000', '\u0001', '\u0002']);
                writer.Write($"- {Escape.MarkdownText(parts[0])}{T(m.Added ? "diff.membership.added" : "diff.membership.removed")}{Escape.MarkdownText(parts[1])}" +
                    $"{Escape.MarkdownCode(m.MemberId)}{Escape.MarkdownText(parts[2])}{Escape.MarkdownCode(m.GroupId)}{Escape.MarkdownText(parts[3])}\n");
            }
        }

        if (diff.Principals.Count > 0)
        {
            writer.Write($"\n**{T("diff.accounts")}** ({N(diff.Principals.Count)})\n\n" +
                $"| {T("diff.account")} | {T("diff.accountKind")} | {T("diff.excessBefore")} | {T("diff.excessAfter")} | {T("diff.change")} |\n|---|---|---:|---:|---:|\n");
            foreach (var p in diff.Principals.Take(maxRows))
            {
                writer.Write($"| {Escape.MarkdownCode(p.PrincipalId)} | {Names.Of(p.Kind)} | {N(p.ExcessBefore)} | {N(p.ExcessAfter)} | {S(p.ExcessDelta)} |\n");
            }

            if (diff.Principals.Count > maxRows)
            {
                writer.Write($"\n{T("diff.more", N(diff.Principals.Count - maxRows))}\n");
            }
        }
    }

    /// <summary>Each total: its JSON name, how people read it (sums apart from distinct files), before and after.</summary>
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
