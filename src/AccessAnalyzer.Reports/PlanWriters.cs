using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AccessAnalyzer.Core.Reporting;
using Spectre.Console;

namespace AccessAnalyzer.Reports;

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

    public static void WriteJson(RemediationPlan plan, Stream output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("tool", plan.Header.Tool);
        json.WriteString("version", plan.Header.Version);
        json.WriteString("source", plan.Header.Source);
        json.WriteString("asOf", plan.Header.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteStartObject("totals");
        json.WriteStartObject("before");
        json.WriteNumber("exposure", plan.Totals.ExposureBefore);
        json.WriteNumber("excessExposure", plan.Totals.ExcessExposureBefore);
        json.WriteNumber("sensitiveExcessExposure", plan.Totals.SensitiveExcessExposureBefore);
        json.WriteEndObject();
        json.WriteStartObject("after");
        json.WriteNumber("exposure", plan.Totals.ExposureAfter);
        json.WriteNumber("excessExposure", plan.Totals.ExcessExposureAfter);
        json.WriteNumber("sensitiveExcessExposure", plan.Totals.SensitiveExcessExposureAfter);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("items");
        foreach (var item in plan.Items)
        {
            json.WriteStartObject();
            json.WriteNumber("rank", item.Rank);
            json.WriteString("assignmentId", item.AssignmentId);
            json.WriteString("roleId", item.RoleId);
            json.WriteString("holderId", item.HolderId);
            json.WriteString("holderType", item.HolderType);
            WriteNullable(json, "scopeUnitId", item.ScopeUnitId);
            json.WriteString("change", Name(item.Change));
            WriteNullable(json, "newScopeUnitId", item.NewScopeUnitId);
            json.WriteNumber("holders", item.Holders);
            json.WriteNumber("excessRemoved", item.ExcessRemoved);
            json.WriteNumber("sensitiveExcessRemoved", item.SensitiveExcessRemoved);
            json.WriteNumber("cumulativeExcessRemoved", item.CumulativeExcessRemoved);
            json.WriteNumber("cumulativeSensitiveExcessRemoved", item.CumulativeSensitiveExcessRemoved);
            if (item.Usage is { } usage)
            {
                json.WriteStartObject("usage");
                json.WriteBoolean("used", usage.Used);
                json.WriteNumber("windowDays", usage.WindowDays);
                json.WriteNumber("holdersReadingOutsideCaseload", usage.HoldersReadingOutsideCaseload);
                WriteNullable(json, "lastReadOutsideCaseload", usage.LastReadOutsideCaseload?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteString("evidence", usage.Text);
                json.WriteEndObject();
            }

            json.WriteStartArray("alternatives");
            foreach (var alternative in item.Alternatives)
            {
                json.WriteStartObject();
                json.WriteString("change", Name(alternative.Change));
                WriteNullable(json, "newScopeUnitId", alternative.NewScopeUnitId);
                json.WriteNumber("excessRemoved", alternative.ExcessRemoved);
                json.WriteNumber("sensitiveExcessRemoved", alternative.SensitiveExcessRemoved);
                json.WriteNumber("caseloadFilesLost", alternative.CaseloadFilesLost);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    public static void WriteCsv(RemediationPlan plan, Stream output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        CsvReportWriter.WriteRow(writer,
            "rank", "assignment_id", "role_id", "holder_id", "holder_type", "scope_unit_id", "change", "new_scope_unit_id",
            "holders", "excess_removed", "sensitive_excess_removed", "cumulative_excess_removed", "cumulative_sensitive_excess_removed", "usage_evidence");
        foreach (var i in plan.Items)
        {
            CsvReportWriter.WriteRow(writer,
                N(i.Rank), i.AssignmentId, i.RoleId, i.HolderId, i.HolderType, i.ScopeUnitId ?? string.Empty, Name(i.Change),
                i.NewScopeUnitId ?? string.Empty, N(i.Holders), N(i.ExcessRemoved), N(i.SensitiveExcessRemoved),
                N(i.CumulativeExcessRemoved), N(i.CumulativeSensitiveExcessRemoved), i.Usage?.Text ?? string.Empty);
        }
    }

    public static void WriteTable(RemediationPlan plan, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(console);
        var t = plan.Totals;
        console.Write(new Rule($"[bold]Remediation plan[/] — {Markup.Escape(plan.Header.Source)} as of {plan.Header.AsOf:yyyy-MM-dd}").LeftJustified());
        console.MarkupLine($"Excess exposure {G(t.ExcessExposureBefore)} → [bold]{G(t.ExcessExposureAfter)}[/] after the {plan.Items.Count} changes below " +
            $"(sensitive {G(t.SensitiveExcessExposureBefore)} → {G(t.SensitiveExcessExposureAfter)}).");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("#").RightAligned());
        table.AddColumn("Assignment");
        table.AddColumn("Role @ scope");
        table.AddColumn("Holder");
        table.AddColumn("Change");
        table.AddColumn(new TableColumn("Holders").RightAligned());
        table.AddColumn(new TableColumn("Excess removed").RightAligned());
        table.AddColumn(new TableColumn("Sensitive").RightAligned());
        table.AddColumn(new TableColumn("Cumulative").RightAligned());
        foreach (var i in plan.Items)
        {
            var change = i.Change == RemediationChange.NarrowToUnit ? $"narrow to {i.NewScopeUnitId}" : Name(i.Change);
            table.AddRow(
                N(i.Rank), Markup.Escape(i.AssignmentId), Markup.Escape($"{i.RoleId} @ {i.ScopeUnitId}"),
                Markup.Escape($"{i.HolderType} {i.HolderId}"), Markup.Escape(change), G(i.Holders), G(i.ExcessRemoved),
                G(i.SensitiveExcessRemoved), G(i.CumulativeExcessRemoved));
        }

        console.Write(table);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string G(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
