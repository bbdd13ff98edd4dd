using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Sinks;

/// <summary>
/// The JSON output contract of <c>analyze</c>: <c>totals</c> (sums and distinct figures), <c>coverage</c> (which checks
/// ran on this source), <c>organizations</c> (distinct figures per organisation),
/// <c>principals</c> (one item per principal shown), <c>findings</c>. Written with a forward-only writer: no reflection, no intermediate document.
/// </summary>
public static class JsonReportWriter
{
    public static void Write(AnalysisReport report, Stream output, ToolStamp tool)
    {
        ArgumentNullException.ThrowIfNull(report);
        Format.WriteReportObject(output, report.Header, tool, json =>
        {
            var t = report.Totals;
            json.WriteStartObject("totals");
            json.WriteNumber("principals", t.Principals);
            json.WriteNumber("files", t.Files);
            json.WriteNumber("exposure", t.Exposure);
            json.WriteNumber("excessExposure", t.ExcessExposure);
            json.WriteNumber("sensitiveExcessExposure", t.SensitiveExcessExposure);
            json.WriteNumber("caseloadFiles", t.CaseloadFiles);
            json.WriteNumber("caseloadInReach", t.CaseloadInReach);
            json.WriteNumber("closedFilesInReach", t.ClosedFilesInReach);
            json.WriteNumber("principalsWithExcess", t.PrincipalsWithExcess);
            json.WriteNumber("danglingReferences", t.DanglingReferences);
            json.WriteNumber("groupCycles", t.GroupCycles);
            json.WriteNumber("phishableExposure", t.PhishableExposure);
            json.WriteNumber("partnerPhishableExposure", t.PartnerPhishableExposure);
            json.WriteNumber("dormantAccountsWithReach", t.DormantAccountsWithReach);
            json.WriteNumber("justifiedFiles", t.JustifiedFiles);
            WriteDistinct(json, t.Distinct);
            json.WriteNumber("findings", report.Findings.Count);
            json.WriteEndObject();

            CoverageWriters.WriteJson(json, report.Coverage);

            Format.WriteArray(json, "organizations", report.Organizations, o =>
            {
                json.WriteString("organization", o.Organization);
                json.WriteNumber("principals", o.Principals);
                json.WriteBoolean("partner", o.Partner);
                WriteDistinct(json, o.Figures);
            });

            Format.WriteArray(json, "principals", report.Principals, p =>
            {
                WriteAccount(json, p);
                if (p.LastLogin is { } lastLogin)
                {
                    json.WriteString("lastLogin", lastLogin.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                }
                else
                {
                    json.WriteNull("lastLogin");
                }

                WriteReach(json, p);
                json.WriteNumber("closedFilesInReach", p.ClosedFilesInReach);
                json.WriteNumber("grantsInForce", p.GrantsInForce);
                if (p.ExercisedExcessFiles is { } exercised)
                {
                    json.WriteNumber("exercisedExcessFiles", exercised);
                }

            });

            Format.WriteArray(json, "findings", report.Findings, f =>
            {
                json.WriteString("ruleId", f.RuleId);
                json.WriteString("severity", Names.Of(f.Severity));
                json.WriteString("message", f.Message);
                json.WriteString("subjectKind", f.SubjectKind);
                Format.WriteStrings(json, "subjectIds", f.SubjectIds);
            });
        });
    }

    /// <summary>
    /// A principal's identity, home unit (unitName empty, not null, when the unit has no name) and status; <c>explain</c>
    /// describes its principal with the same fields as <c>analyze</c>.
    /// </summary>
    internal static void WriteAccount(Utf8JsonWriter json, PrincipalFigures p)
    {
        Format.WritePrincipalId(json, p.PrincipalId, p.Kind, p.Organization);
        Format.WriteNullable(json, "unitId", p.UnitId);
        Format.WriteNullable(json, "unitName", p.UnitId is null ? null : p.UnitName ?? string.Empty);
        json.WriteBoolean("active", p.Active);
        json.WriteBoolean("mfa", p.Mfa);
    }

    /// <summary>A principal's reach against its caseload, in <c>analyze</c> and <c>explain</c> alike.</summary>
    internal static void WriteReach(Utf8JsonWriter json, PrincipalFigures p)
    {
        json.WriteNumber("reachableFiles", p.ReachableFiles);
        json.WriteNumber("caseloadFiles", p.CaseloadFiles);
        json.WriteNumber("caseloadInReach", p.CaseloadInReach);
        json.WriteNumber("excessFiles", p.ExcessFiles);
        json.WriteNumber("sensitiveExcessFiles", p.SensitiveExcessFiles);
        json.WriteNumber("justifiedFiles", p.JustifiedFiles);
    }

    /// <summary>The four distinct figures of a set of accounts (unions of files, not sums over accounts).</summary>
    private static void WriteDistinct(Utf8JsonWriter json, Core.Engine.DistinctFigures d)
    {
        json.WriteNumber("distinctReachableFiles", d.Reachable);
        json.WriteNumber("distinctExcessFiles", d.Excess);
        json.WriteNumber("distinctSensitiveExcessFiles", d.SensitiveExcess);
        json.WriteNumber("distinctPhishableFiles", d.Phishable);
    }
}
