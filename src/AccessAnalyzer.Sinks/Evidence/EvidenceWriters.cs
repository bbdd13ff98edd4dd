using System.Text.Json;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Language;
using static AccessAnalyzer.Sinks.Evidence.Run;

namespace AccessAnalyzer.Sinks.Evidence;

/// <summary>
/// The evidence pack's three files: <c>evidence.md</c> and <c>evidence.html</c> for people (the same document, in the
/// chosen language), and <c>evidence.json</c> for machines (ids, numbers and statuses; no sentence, so the same in every
/// language). Nothing depends on the wall clock: the same pack gives the same bytes.
/// </summary>
public static class EvidenceWriters
{
    public const string MarkdownFile = "evidence.md";
    public const string HtmlFile = "evidence.html";
    public const string JsonFile = "evidence.json";

    public static void WriteMarkdown(EvidencePack pack, Lang lang, Stream output)
    {
        using var writer = Format.Writer(output);
        MarkdownRenderer.Write(Build(pack, lang), writer);
    }

    public static void WriteHtml(EvidencePack pack, Lang lang, Stream output)
    {
        using var writer = Format.Writer(output);
        HtmlRenderer.Write(Build(pack, lang), writer);
    }

    public static void WriteJson(EvidencePack pack, Stream output, ToolStamp tool)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(tool);
        Format.WriteJsonObject(output, json =>
        {
            var h = pack.Header;
            json.WriteString("tool", tool.Name);
            json.WriteString("version", h.ToolVersion);
            json.WriteString("source", h.Source);
            json.WriteString("asOf", Format.Date(h.AsOf));
            json.WriteString("commandLine", h.CommandLine);
            if (pack.History is { } history)
            {
                json.WriteStartObject("history");
                json.WriteNumber("runs", history.Runs);
                WriteDate(json, "firstAsOf", history.FirstAsOf);
                WriteDate(json, "lastAsOf", history.LastAsOf);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("history");
            }

            Format.WriteArray(json, "points", pack.Points, p =>
            {
                json.WriteString("point", p.Id);
                json.WriteString("status", Status(p.Status));
                Format.WriteArray(json, "figures", p.Figures, f =>
                {
                    json.WriteString("figure", f.Id);
                    json.WriteNumber("current", f.Value);
                    WriteLong(json, "firstStoredRun", f.First);
                    WriteLong(json, "changeSinceFirstRun", f.Change);
                });
                Format.WriteArray(json, "rules", p.Rules, r =>
                {
                    json.WriteString("ruleId", r.RuleId);
                    json.WriteString("severity", Names.Of(r.Severity));
                    WriteLong(json, "threshold", r.Threshold);
                    json.WriteNumber("findings", r.Findings);
                    Format.WriteStrings(json, "subjects", r.Subjects);
                });
            });

            Format.WriteArray(json, "organizations", pack.Organizations, o =>
            {
                json.WriteString("organization", o.Organization);
                json.WriteNumber("principals", o.Principals);
                json.WriteBoolean("partner", o.Partner);
                json.WriteNumber("distinctExcessFiles", o.DistinctExcessFiles);
                json.WriteNumber("distinctSensitiveExcessFiles", o.DistinctSensitiveExcessFiles);
                json.WriteNumber("distinctPhishableFiles", o.DistinctPhishableFiles);
                json.WriteNumber("accountsWithoutMfa", o.AccountsWithoutMfa);
                WriteLong(json, "lockoutThreshold", o.LockoutThreshold);
                if (o.MfaRequired is { } required)
                {
                    json.WriteBoolean("mfaRequired", required);
                }
                else
                {
                    json.WriteNull("mfaRequired");
                }
            });

            var log = pack.Log;
            json.WriteStartObject("accessLog");
            json.WriteBoolean("present", log.Present);
            json.WriteNumber("events", log.Events);
            WriteDate(json, "firstDay", log.FirstDay);
            WriteDate(json, "lastDay", log.LastDay);
            json.WriteNumber("daysCovered", log.DaysCovered);
            json.WriteNumber("retentionDays", log.RetentionDays);
            json.WriteEndObject();

            var plan = pack.Plan;
            json.WriteStartObject("plan");
            json.WriteNumber("changes", plan.Changes);
            json.WriteNumber("removals", plan.Removals);
            json.WriteNumber("narrowingsToUnit", plan.NarrowingsToUnit);
            json.WriteNumber("narrowingsToCaseload", plan.NarrowingsToCaseload);
            json.WriteNumber("excessExposureBefore", plan.Totals.ExcessExposureBefore);
            json.WriteNumber("excessExposureAfter", plan.Totals.ExcessExposureAfter);
            json.WriteNumber("sensitiveExcessExposureBefore", plan.Totals.SensitiveExcessExposureBefore);
            json.WriteNumber("sensitiveExcessExposureAfter", plan.Totals.SensitiveExcessExposureAfter);
            Format.WriteArray(json, "firstChanges", plan.FirstChanges, c =>
            {
                json.WriteNumber("rank", c.Rank);
                json.WriteString("assignmentId", c.AssignmentId);
                json.WriteString("roleId", c.RoleId);
                Format.WriteNullable(json, "scopeUnitId", c.ScopeUnitId);
                json.WriteString("change", PlanWriters.Name(c.Change));
                Format.WriteNullable(json, "newScopeUnitId", c.NewScopeUnitId);
                json.WriteNumber("holders", c.Holders);
                json.WriteNumber("excessRemoved", c.ExcessRemoved);
                json.WriteNumber("cumulativeExcessRemoved", c.CumulativeExcessRemoved);
            });
            Format.WriteArray(json, "leftAlone", plan.LeftAlone, j =>
            {
                json.WriteString("subjectType", j.SubjectType);
                json.WriteString("subjectId", j.SubjectId);
                json.WriteString("owner", j.Owner);
                json.WriteString("reason", j.Reason);
                json.WriteString("expires", Format.Date(j.Expires));
                json.WriteNumber("reachBeyondCaseload", j.ReachBeyondCaseload);
            });
            json.WriteEndObject();

            var inputs = pack.Inputs;
            json.WriteStartObject("inputs");
            json.WriteString("sourceKind", inputs.SourceKind);
            Format.WriteArray(json, "files", inputs.Files, f =>
            {
                json.WriteString("name", f.Name);
                json.WriteNumber("bytes", f.Bytes);
                json.WriteString("sha256", f.Sha256);
            });
            Format.WriteArray(json, "tables", inputs.Tables, t =>
            {
                json.WriteString("table", t.Table);
                json.WriteNumber("rows", t.Rows);
            });
            Format.WriteNullable(json, "rowsDigestSha256", inputs.RowsDigest);
            json.WriteEndObject();

            Format.WriteArray(json, "coverage", pack.Coverage, c =>
            {
                json.WriteString("check", c.Check);
                json.WriteBoolean("ran", c.Ran);
                json.WriteString("reason", c.Reason);
            });
        });
    }

    private static void WriteLong(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteDate(Utf8JsonWriter json, string name, DateOnly? value)
    {
        if (value is { } v)
        {
            json.WriteString(name, Format.Date(v));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    public static string Status(EvidenceStatus status) => status switch
    {
        EvidenceStatus.Pass => "pass",
        EvidenceStatus.Gap => "gap",
        _ => "not-checked",
    };

    /// <summary>The document for people, in one language: the same blocks for markdown and HTML.</summary>
    internal static Document Build(EvidencePack pack, Lang lang)
    {
        ArgumentNullException.ThrowIfNull(pack);
        string X(string key, params object[] args) => Texts.Get(lang, key, args);
        string N(long value) => Texts.Number(lang, value);
        string D(DateOnly value) => Texts.Date(lang, value);
        string StatusWord(EvidenceStatus s) => X(s switch
        {
            EvidenceStatus.Pass => "evidence.status.pass",
            EvidenceStatus.Gap => "evidence.status.gap",
            _ => "evidence.status.notChecked",
        });
        IReadOnlyList<Run> Cell(params Run[] runs) => runs;
        IReadOnlyList<Run> Codes(IEnumerable<string> ids)
        {
            var runs = new List<Run>();
            foreach (var id in ids)
            {
                if (runs.Count > 0)
                {
                    runs.Add(T(", "));
                }

                runs.Add(C(id));
            }

            return runs.Count == 0 ? [T("—")] : runs;
        }

        var blocks = new List<Block>();
        var h = pack.Header;
        var history = pack.History is not { } hist ? X("evidence.noHistory")
            : hist.Runs == 0 ? X("evidence.noStoredRun")
            : X("evidence.historyRuns", N(hist.Runs), D(hist.FirstAsOf!.Value), D(hist.LastAsOf!.Value));
        blocks.Add(new Paragraph([T(X("evidence.intro"))]));
        blocks.Add(new TableBlock([X("evidence.field"), X("evidence.value")], [false, false],
        [
            [Cell(T(X("common.source"))), Cell(C(h.Source))],
            [Cell(T(X("evidence.asOf"))), Cell(T(D(h.AsOf)))],
            [Cell(T(X("common.toolVersion"))), Cell(T(h.ToolVersion))],
            [Cell(T(X("evidence.command"))), Cell(C(h.CommandLine))],
            [Cell(T(X("evidence.history"))), Cell(T(history))],
        ]));

        blocks.Add(new Heading(2, X("evidence.summary")));
        blocks.Add(new TableBlock([X("evidence.point"), X("evidence.status")], [false, false],
            [.. pack.Points.Select(p => (IReadOnlyList<IReadOnlyList<Run>>)[Cell(T(X("evidence.point." + p.Id))), Cell(B(StatusWord(p.Status)))])]));

        var firstRun = pack.History is { Runs: > 0, FirstAsOf: { } firstAsOf } ? firstAsOf : (DateOnly?)null;
        foreach (var point in pack.Points)
        {
            blocks.Add(new Heading(2, X("evidence.point." + point.Id)));
            blocks.Add(new Paragraph([T(CheckText(point, pack, lang))]));
            blocks.Add(new Paragraph([B(X("evidence.statusLine", StatusWord(point.Status))), T(" — " + GapText(point, pack, lang))]));

            if (firstRun is { } first)
            {
                blocks.Add(new TableBlock([X("evidence.figure"), X("evidence.current"), X("evidence.firstRun", D(first)), X("evidence.change")],
                    [false, true, true, true],
                    [.. point.Figures.Select(f => (IReadOnlyList<IReadOnlyList<Run>>)
                    [
                        Cell(T(X("evidence.figure." + f.Id))), Cell(T(N(f.Value))),
                        Cell(T(f.First is { } v ? N(v) : X("evidence.notStored"))),
                        Cell(T(f.Change is { } c ? (c > 0 ? "+" : string.Empty) + N(c) : "—")),
                    ])]));
            }
            else
            {
                var trend = pack.History is null ? X("evidence.noHistory") : X("evidence.noStoredRun");
                blocks.Add(new TableBlock([X("evidence.figure"), X("evidence.current"), X("evidence.trend")], [false, true, false],
                    [.. point.Figures.Select(f => (IReadOnlyList<IReadOnlyList<Run>>)
                        [Cell(T(X("evidence.figure." + f.Id))), Cell(T(N(f.Value))), Cell(T(trend))])]));
            }

            if (point.Rules.Count > 0)
            {
                blocks.Add(new TableBlock([X("evidence.rule"), X("evidence.threshold"), X("evidence.findings"), X("evidence.subjects")],
                    [false, false, true, false],
                    [.. point.Rules.Select(r => (IReadOnlyList<IReadOnlyList<Run>>)
                    [
                        Cell(C(r.RuleId), T(": " + X("evidence.rule." + r.RuleId))),
                        Cell(T(r.Threshold is { } v ? X("evidence.threshold." + r.RuleId, N(v)) : "—")),
                        Cell(T(N(r.Findings))),
                        Codes(r.Subjects),
                    ])]));
            }

            switch (point.Id)
            {
                case EvidencePoints.AccessBeyondNeed:
                    var partners = pack.Organizations.Where(o => o.Partner).ToArray();
                    blocks.Add(new Heading(3, X("evidence.partners")));
                    blocks.Add(partners.Length == 0
                        ? new Paragraph([T(X("evidence.noPartner"))])
                        : new TableBlock(
                            [X("evidence.organization"), X("evidence.accounts"), X("evidence.figure.distinctExcessFiles"), X("evidence.figure.distinctSensitiveExcessFiles")],
                            [false, true, true, true],
                            [.. partners.Select(o => (IReadOnlyList<IReadOnlyList<Run>>)
                                [Cell(C(o.Organization)), Cell(T(N(o.Principals))), Cell(T(N(o.DistinctExcessFiles))), Cell(T(N(o.DistinctSensitiveExcessFiles)))])]));
                    break;
                case EvidencePoints.Mfa:
                    blocks.Add(new Heading(3, X("evidence.organizations")));
                    blocks.Add(new TableBlock(
                        [X("evidence.organization"), X("evidence.figure.accountsWithoutMfa"), X("evidence.figure.distinctPhishableFiles"), X("evidence.mfaRequired")],
                        [false, true, true, false],
                        [.. pack.Organizations.Select(o => (IReadOnlyList<IReadOnlyList<Run>>)
                        [
                            Cell(C(o.Organization)), Cell(T(N(o.AccountsWithoutMfa))), Cell(T(N(o.DistinctPhishableFiles))),
                            Cell(T(o.MfaRequired is { } m ? X(m ? "evidence.yes" : "evidence.no") : X("evidence.notInPolicy"))),
                        ])]));
                    break;
                case EvidencePoints.Lockout:
                    var ruleMax = point.Rules.FirstOrDefault()?.Threshold ?? new ReportOptions().MaxLockoutThreshold;
                    var withPolicy = pack.Organizations.Where(o => o.LockoutThreshold is not null).ToArray();
                    if (withPolicy.Length > 0)
                    {
                        blocks.Add(new Heading(3, X("evidence.organizations")));
                        blocks.Add(new TableBlock(
                            [X("evidence.organization"), X("evidence.lockoutThreshold"), X("evidence.withinThreshold", N(ruleMax))],
                            [false, true, false],
                            [.. withPolicy.Select(o => (IReadOnlyList<IReadOnlyList<Run>>)
                            [
                                Cell(C(o.Organization)), Cell(T(N(o.LockoutThreshold!.Value))),
                                Cell(T(X(o.LockoutThreshold <= ruleMax ? "evidence.yes" : "evidence.no"))),
                            ])]));
                    }

                    break;
                case EvidencePoints.Logging:
                    var log = pack.Log;
                    blocks.Add(new Paragraph([T(log.Present && log.FirstDay is { } f && log.LastDay is { } l
                        ? X("evidence.log.present", N(log.Events), D(f), D(l), N(log.DaysCovered), N(log.RetentionDays))
                        : X("evidence.log.absent"))]));
                    break;
                case EvidencePoints.Remediation:
                    AddPlan(blocks, pack.Plan, lang);
                    break;
            }
        }

        blocks.Add(new Heading(2, X("evidence.inputs")));
        var inputs = pack.Inputs;
        if (inputs.Files.Count > 0)
        {
            blocks.Add(new Paragraph([T(X("evidence.inputs.files"))]));
            blocks.Add(new TableBlock([X("evidence.inputs.file"), X("evidence.inputs.bytes"), "SHA-256"], [false, true, false],
                [.. inputs.Files.Select(f => (IReadOnlyList<IReadOnlyList<Run>>)[Cell(C(f.Name)), Cell(T(N(f.Bytes))), Cell(C(f.Sha256))])]));
        }

        if (inputs.Tables.Count > 0)
        {
            blocks.Add(new Paragraph([T(X("evidence.inputs.tables"))]));
            blocks.Add(new TableBlock([X("evidence.inputs.table"), X("evidence.inputs.rows")], [false, true],
                [.. inputs.Tables.Select(t => (IReadOnlyList<IReadOnlyList<Run>>)[Cell(C(t.Table)), Cell(T(N(t.Rows)))])]));
        }

        if (inputs.RowsDigest is { } digest)
        {
            blocks.Add(new Paragraph([T(X("evidence.inputs.digest") + " "), C(digest)]));
        }

        blocks.Add(new Heading(2, X("evidence.notChecked")));
        var notChecked = pack.NotChecked;
        blocks.Add(notChecked.Count == 0
            ? new Paragraph([T(X("evidence.allChecked"))])
            : new BulletList([.. notChecked.Select(c => (IReadOnlyList<Run>)[C(c.Check), T(": " + c.Reason)])]));

        blocks.Add(new Heading(2, X("evidence.signoff")));
        blocks.Add(new Paragraph([T(X("evidence.signoff.intro"))]));
        blocks.Add(new TableBlock(
            [X("evidence.signoff.capacity"), X("evidence.signoff.name"), X("evidence.signoff.role"), X("evidence.signoff.date"), X("evidence.signoff.signature")],
            [false, false, false, false, false],
            [.. new[] { "evidence.signoff.preparedBy", "evidence.signoff.reviewedBy", "evidence.signoff.approvedBy" }
                .Select(k => (IReadOnlyList<IReadOnlyList<Run>>)[Cell(T(X(k))), Cell(T(" ")), Cell(T(" ")), Cell(T(" ")), Cell(T(" "))])]));

        return new Document(X("evidence.title"), lang == Lang.Fr ? "fr" : "en", blocks);
    }

    private static string CheckText(EvidencePoint point, EvidencePack pack, Lang lang) => point.Id switch
    {
        EvidencePoints.Lockout => Texts.Get(lang, "evidence.check.lockout", Texts.Number(lang, point.Rules.FirstOrDefault()?.Threshold ?? 10)),
        EvidencePoints.Logging => Texts.Get(lang, "evidence.check.logging", Texts.Number(lang, pack.Log.RetentionDays)),
        _ => Texts.Get(lang, "evidence.check." + point.Id),
    };

    private static string GapText(EvidencePoint point, EvidencePack pack, Lang lang)
    {
        string X(string key, params object[] args) => Texts.Get(lang, key, args);
        string N(long value) => Texts.Number(lang, value);
        string V(string figure) => N(point.Figure(figure).Value);
        var state = point.Status switch
        {
            EvidenceStatus.Pass => "pass",
            EvidenceStatus.Gap => "gap",
            _ => "notChecked",
        };
        switch (point.Id)
        {
            case EvidencePoints.AccessBeyondNeed:
                return X($"evidence.{state}.{point.Id}", V(EvidenceFigures.ExcessExposure), V(EvidenceFigures.DistinctExcessFiles),
                    V(EvidenceFigures.SensitiveExcessExposure), V(EvidenceFigures.DistinctSensitiveExcessFiles), V(EvidenceFigures.PrincipalsWithExcess));
            case EvidencePoints.Mfa:
                return X($"evidence.{state}.{point.Id}", V(EvidenceFigures.AccountsWithoutMfaWithReach), V(EvidenceFigures.DistinctPhishableFiles),
                    V(EvidenceFigures.OrganizationsWithoutMfaRequired));
            case EvidencePoints.Lockout:
                return X($"evidence.{state}.{point.Id}", V(EvidenceFigures.OrganizationsAboveLockoutThreshold),
                    N(point.Rules.FirstOrDefault()?.Threshold ?? 10), V(EvidenceFigures.HighestLockoutThreshold));
            case EvidencePoints.Logging:
                var key = state == "gap" && !pack.Log.Present ? "evidence.gap.logging.noLog" : $"evidence.{state}.{point.Id}";
                return X(key, V(EvidenceFigures.UsageFindings), N(pack.Log.RetentionDays), V(EvidenceFigures.LogDaysCovered));
            default:
                return X($"evidence.{state}.{point.Id}", V(EvidenceFigures.PlanChanges), N(pack.Plan.Totals.ExcessExposureBefore), V(EvidenceFigures.ExcessAfterPlan));
        }
    }

    private static void AddPlan(List<Block> blocks, PlanEvidence plan, Lang lang)
    {
        string X(string key, params object[] args) => Texts.Get(lang, key, args);
        string N(long value) => Texts.Number(lang, value);
        var t = plan.Totals;
        blocks.Add(new Paragraph([T(X("evidence.plan.summary", N(plan.Changes), N(plan.Removals), N(plan.NarrowingsToUnit), N(plan.NarrowingsToCaseload),
            N(t.ExcessExposureBefore), N(t.ExcessExposureAfter), N(t.SensitiveExcessExposureBefore), N(t.SensitiveExcessExposureAfter)))]));
        if (plan.FirstChanges.Count > 0)
        {
            blocks.Add(new Heading(3, X("evidence.plan.first")));
            blocks.Add(new TableBlock(
                [X("evidence.plan.rank"), X("evidence.plan.assignment"), X("evidence.plan.grant"), X("evidence.plan.change"), X("evidence.plan.holders"),
                    X("evidence.plan.removed"), X("evidence.plan.cumulative")],
                [true, false, false, false, true, true, true],
                [.. plan.FirstChanges.Select(c => (IReadOnlyList<IReadOnlyList<Run>>)
                [
                    [T(N(c.Rank))], [C(c.AssignmentId)], [C(c.RoleId + " @ " + (c.ScopeUnitId ?? "-"))],
                    c.Change switch
                    {
                        RemediationChange.Remove => [T(X("evidence.plan.remove"))],
                        RemediationChange.NarrowToCaseload => [T(X("evidence.plan.narrowToCaseload"))],
                        _ => [T(X("evidence.plan.narrowToUnit", string.Empty).TrimEnd()), T(" "), C(c.NewScopeUnitId ?? "-")],
                    },
                    [T(N(c.Holders))], [T(N(c.ExcessRemoved))], [T(N(c.CumulativeExcessRemoved))],
                ])]));
        }

        blocks.Add(new Heading(3, X("evidence.leftAlone")));
        blocks.Add(plan.LeftAlone.Count == 0
            ? new Paragraph([T(X("evidence.leftAlone.none"))])
            : new TableBlock(
                [X("evidence.leftAlone.subject"), X("evidence.leftAlone.owner"), X("evidence.leftAlone.expires"), X("evidence.leftAlone.reach")],
                [false, false, false, true],
                [.. plan.LeftAlone.Select(j => (IReadOnlyList<IReadOnlyList<Run>>)
                [
                    [T(j.SubjectType + " "), C(j.SubjectId), T(" — " + j.Reason)], [T(j.Owner)], [T(Texts.Date(lang, j.Expires))], [T(N(j.ReachBeyondCaseload))],
                ])]));
    }
}
