using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Reporting;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>Renders a <see cref="RemediationPlan"/> as JSON, CSV or a console table.</summary>
public static class PlanWriters
{
    public static string Name(RemediationChange change) => change switch
    {
        RemediationChange.Remove => "remove",
        RemediationChange.NarrowToCaseload => "narrow-to-caseload",
        RemediationChange.NarrowToUnit => "narrow-to-unit",
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    public static void WriteJson(RemediationPlan plan, Stream output, ToolStamp tool)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Format.WriteReportObject(output, plan.Header, tool, json =>
        {
            var t = plan.Totals;
            json.WriteStartObject("totals");
            WriteExposure(json, "before", t.ExposureBefore, t.ExcessExposureBefore, t.SensitiveExcessExposureBefore);
            WriteExposure(json, "after", t.ExposureAfter, t.ExcessExposureAfter, t.SensitiveExcessExposureAfter);
            json.WriteEndObject();
            Format.WriteArray(json, "leftAlone", plan.LeftAlone, j =>
            {
                json.WriteString("subjectType", j.SubjectType);
                json.WriteString("subjectId", j.SubjectId);
                json.WriteString("subjectName", j.SubjectName);
                json.WriteString("reason", j.Reason);
                json.WriteString("owner", j.Owner);
                json.WriteString("expires", j.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteNumber("reachBeyondCaseload", j.ReachBeyondCaseload);
            });
            Format.WriteArray(json, "items", plan.Items, item =>
            {
                json.WriteNumber("rank", item.Rank);
                Format.WriteGrantId(json, item.AssignmentId, item.RoleId, item.RoleName);
                json.WriteString("holderId", item.HolderId);
                json.WriteString("holderType", item.HolderType);
                Format.WriteScopeUnit(json, item.ScopeUnitId, item.ScopeUnitName);
                WriteChange(json, item.Change, item.NewScopeUnitId, item.NewScopeUnitName);
                json.WriteNumber("holders", item.Holders);
                json.WriteNumber("excessRemoved", item.ExcessRemoved);
                json.WriteNumber("sensitiveExcessRemoved", item.SensitiveExcessRemoved);
                json.WriteNumber("cumulativeExcessRemoved", item.CumulativeExcessRemoved);
                json.WriteNumber("cumulativeSensitiveExcessRemoved", item.CumulativeSensitiveExcessRemoved);
                json.WriteNumber("excessGrantedAlone", item.ExcessGrantedAlone);
                json.WriteNumber("sensitiveExcessGrantedAlone", item.SensitiveExcessGrantedAlone);
                if (item.Usage is { } usage)
                {
                    json.WriteStartObject("usage");
                    json.WriteBoolean("used", usage.Used);
                    json.WriteNumber("windowDays", usage.WindowDays);
                    json.WriteNumber("holdersReadingOutsideCaseload", usage.HoldersReadingOutsideCaseload);
                    Format.WriteNullable(json, "lastReadOutsideCaseload", usage.LastReadOutsideCaseload?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    json.WriteString("evidence", usage.Text);
                    json.WriteEndObject();
                }

                Format.WriteArray(json, "alternatives", item.Alternatives, alternative =>
                {
                    WriteChange(json, alternative.Change, alternative.NewScopeUnitId, alternative.NewScopeUnitName);
                    json.WriteNumber("excessRemoved", alternative.ExcessRemoved);
                    json.WriteNumber("sensitiveExcessRemoved", alternative.SensitiveExcessRemoved);
                    json.WriteNumber("caseloadFilesLost", alternative.CaseloadFilesLost);
                });
            });
        });
    }

    /// <summary>change, newScopeUnitId, newScopeUnitName: a proposed change, as the plan's items and their alternatives write it.</summary>
    private static void WriteChange(Utf8JsonWriter json, RemediationChange change, string? newScopeUnitId, string? newScopeUnitName)
    {
        json.WriteString("change", Name(change));
        Format.WriteNullable(json, "newScopeUnitId", newScopeUnitId);
        Format.WriteNullable(json, "newScopeUnitName", newScopeUnitName);
    }

    /// <summary>The plan's totals on one side of its changes: the same three figures before and after.</summary>
    private static void WriteExposure(Utf8JsonWriter json, string name, long exposure, long excess, long sensitiveExcess)
    {
        json.WriteStartObject(name);
        json.WriteNumber("exposure", exposure);
        json.WriteNumber("excessExposure", excess);
        json.WriteNumber("sensitiveExcessExposure", sensitiveExcess);
        json.WriteEndObject();
    }

    public static void WriteCsv(RemediationPlan plan, Stream output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var writer = Format.Writer(output);
        CsvReportWriter.WriteRow(writer,
            "rank", "assignment_id", "role_id", "holder_id", "holder_type", "scope_unit_id", "change", "new_scope_unit_id",
            "holders", "excess_removed", "sensitive_excess_removed", "cumulative_excess_removed", "cumulative_sensitive_excess_removed", "usage_evidence");
        foreach (var i in plan.Items)
        {
            CsvReportWriter.WriteRow(writer,
                Format.N(i.Rank), i.AssignmentId, i.RoleId, i.HolderId, i.HolderType, i.ScopeUnitId ?? string.Empty, Name(i.Change),
                i.NewScopeUnitId ?? string.Empty, Format.N(i.Holders), Format.N(i.ExcessRemoved), Format.N(i.SensitiveExcessRemoved),
                Format.N(i.CumulativeExcessRemoved), Format.N(i.CumulativeSensitiveExcessRemoved), i.Usage?.Text ?? string.Empty);
        }
    }

    public static void WriteTable(RemediationPlan plan, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(console);
        var t = plan.Totals;
        Format.Title(console, "Remediation plan", plan.Header);
        console.MarkupLine($"Excess exposure {Format.G(t.ExcessExposureBefore)} → [bold]{Format.G(t.ExcessExposureAfter)}[/] after the {plan.Items.Count} changes below " +
            $"(sensitive {Format.G(t.SensitiveExcessExposureBefore)} → {Format.G(t.SensitiveExcessExposureAfter)}).");
        var table = Format.RoundedTable(null,
            Format.Number("#"), Format.Text("Assignment"), Format.Text("Role @ scope"), Format.Text("Holder"), Format.Text("Change"), Format.Number("Holders"), Format.Number("Excess removed"), Format.Number("Sensitive"), Format.Number("Cumulative"));
        foreach (var i in plan.Items)
        {
            var change = i.Change == RemediationChange.NarrowToUnit && i.NewScopeUnitId is { } unit
                ? Format.UnitCell("narrow to ", unit, i.NewScopeUnitName)
                : Escape.Terminal(Name(i.Change));
            table.AddRow(
                Format.N(i.Rank), Escape.Terminal(i.AssignmentId), Format.RoleAtScopeCell(i.RoleId, i.RoleName, i.ScopeUnitId, i.ScopeUnitName),
                Escape.Terminal($"{i.HolderType} {i.HolderId}"), change, Format.G(i.Holders), Format.G(i.ExcessRemoved),
                Format.G(i.SensitiveExcessRemoved), Format.G(i.CumulativeExcessRemoved));
        }

        console.Write(table);
        WriteLeftAlone(plan, console);
    }

    /// <summary>The justified grants and accounts the plan did not touch, so that their reach is seen, not hidden.</summary>
    private static void WriteLeftAlone(RemediationPlan plan, IAnsiConsole console)
    {
        if (plan.LeftAlone.Count == 0)
        {
            return;
        }

        var table = Format.RoundedTable("Left alone: reach a justification in force covers (never proposed for change)",
            Format.Text("Justified"), Format.Number("Beyond caseload"), Format.Text("Reason"), Format.Text("Owner"), Format.Text("Expires"));
        foreach (var j in plan.LeftAlone)
        {
            table.AddRow(
                Escape.Terminal($"{j.SubjectType} {Core.Reporting.Labels.Named(j.SubjectId, j.SubjectName)}"), Format.G(j.ReachBeyondCaseload),
                Escape.Terminal(j.Reason), Escape.Terminal(j.Owner), j.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }
}
