using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Sinks;

/// <summary>One row per principal shown, RFC 4180, for spreadsheets and loaders. Totals and findings are in JSON.</summary>
public static class CsvReportWriter
{
    private static readonly string[] Header =
    [
        "principal_id", "kind", "organization", "unit_id", "active", "mfa", "reachable_files", "caseload_files",
        "caseload_in_reach", "excess_files", "sensitive_excess_files", "closed_files_in_reach", "grants_in_force", "exercised_excess_files",
        "justified_files",
    ];

    public static void Write(AnalysisReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var writer = Format.Writer(output);
        writer.WriteLine(string.Join(',', Header));
        foreach (var p in report.Principals)
        {
            WriteRow(writer,
                p.PrincipalId, Names.Of(p.Kind), p.Organization, p.UnitId ?? string.Empty, Format.Bool(p.Active), Format.Bool(p.Mfa),
                Format.N(p.ReachableFiles), Format.N(p.CaseloadFiles), Format.N(p.CaseloadInReach), Format.N(p.ExcessFiles),
                Format.N(p.SensitiveExcessFiles), Format.N(p.ClosedFilesInReach), Format.N(p.GrantsInForce),
                p.ExercisedExcessFiles is { } exercised ? Format.N(exercised) : string.Empty, Format.N(p.JustifiedFiles));
        }
    }

    /// <summary>
    /// A cell a spreadsheet would run as a formula (it starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a
    /// carriage return: an id such as <c>=HYPERLINK(…)</c> planted in a source table) gets a leading apostrophe, which
    /// spreadsheets show as text. A plain integer such as <c>-3</c> is left as it is.
    /// </summary>
    public static string Neutralised(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r'
            && !long.TryParse(field, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? "'" + field
            : field;
    }

    /// <summary>Writes one RFC 4180 record: fields with a comma, quote or line break are quoted, quotes doubled.</summary>
    public static void WriteRow(TextWriter writer, params string[] fields)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(fields);
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            var field = Neutralised(fields[i]);
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                writer.Write('"');
                writer.Write(field.Replace("\"", "\"\"", StringComparison.Ordinal));
                writer.Write('"');
            }
            else
            {
                writer.Write(field);
            }
        }

        writer.Write('\n');
    }
}
