using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Language;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>Renders a gate outcome: console text, SARIF 2.1.0 (code scanning), JUnit XML (CI test reports), markdown.</summary>
public static class GateWriters
{
    /// <summary>
    /// Where people learn about the tool, shown by code-scanning UIs. There is no public site: deployments set their own
    /// (the gate's <c>--tool-uri</c>); the default is a URN naming the README, which is valid and points nowhere outside.
    /// </summary>
    public const string DefaultInformationUri = "urn:accessanalyzer:readme";

    /// <summary>
    /// How a location becomes a URI relative to the repository root (a CSV file's path, the baseline file); null when
    /// the row lives in a database, where it has no file: SARIF then locates it logically, by table and key.
    /// </summary>
    public delegate string? ArtifactUri(GateLocation location);

    public static string Status(ViolationStatus status) => status switch
    {
        ViolationStatus.New => "new",
        ViolationStatus.Grown => "grown",
        ViolationStatus.Expired => "expired",
        ViolationStatus.Accepted => "accepted",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string Level(GateLevel level) => level == GateLevel.Error ? "error" : "warning";

    /// <summary>
    /// Text for people. With a baseline, what needs attention (new, grown, expired findings, and warnings) is listed in
    /// full and what the baseline accepts is one line per rule with a count, unless <paramref name="showAccepted"/>.
    /// </summary>
    public static void WriteText(GateOutcome outcome, IAnsiConsole console, bool showAccepted = false)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(console);
        var failing = outcome.Violations.Count(v => v.Fails);
        var accepted = outcome.Violations.Count(v => v.Status == ViolationStatus.Accepted);
        var acceptedText = accepted == 0 ? string.Empty : $" ({accepted} accepted by the baseline)";
        Format.Title(console, "Gate", outcome.Header);
        console.MarkupLine(outcome.Passed
            ? $"[green bold]PASSED[/]: {outcome.Rules.Count} rules checked, {outcome.Violations.Count} findings{acceptedText}, none failing."
            : $"[red bold]FAILED[/]: {failing} failing finding(s) under {outcome.Rules.Count} rules checked{acceptedText}.");
        CoverageWriters.WriteConsole(outcome.Coverage, console);
        var (listed, summarised) = Split(outcome, showAccepted);
        foreach (var v in listed)
        {
            var tag = v.Fails ? "[red]FAIL[/]" : v.Status == ViolationStatus.Accepted ? "[grey]accepted[/]" : "[yellow]warn[/]";
            var note = v.BaselineNote is null ? string.Empty : $" [grey]({Escape.Terminal(v.BaselineNote)})[/]";
            console.MarkupLine($"{tag} [bold]{v.RuleId}[/] {Escape.Terminal(v.Message)}{note}");
        }

        foreach (var (rule, count) in summarised)
        {
            console.MarkupLine($"[grey]accepted[/] [bold]{rule}[/] {AcceptedText(count)} (--show-accepted lists them)");
        }
    }

    public static void WriteMarkdown(GateOutcome outcome, TextWriter writer, bool showAccepted = false, Lang lang = Lang.En)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(writer);
        string T(string key, params object[] args) => Escape.MarkdownText(Texts.Get(lang, key, args));
        string N(long value) => Texts.Number(lang, value);
        var failing = outcome.Violations.Count(v => v.Fails);
        var accepted = outcome.Violations.Count(v => v.Status == ViolationStatus.Accepted);
        var warnings = outcome.Violations.Count - failing - accepted;
        writer.Write(outcome.Passed ? $"### ✅ {T("gate.passed")}\n\n" : $"### ❌ {T("gate.failed")}\n\n");
        // The source is a code span inside the sentence: the sentence is escaped on either side of it.
        var summary = Texts.Get(lang, "gate.summary", "\u0000", Texts.Date(lang, outcome.Header.AsOf), N(outcome.Rules.Count), N(failing), N(warnings)).Split('\u0000');
        writer.Write(Escape.MarkdownText(summary[0]) + Escape.MarkdownCode(outcome.Header.Source) + Escape.MarkdownText(summary[1]) +
            (accepted == 0 ? string.Empty : T("gate.summaryAccepted", N(accepted))) + ".\n\n");
        // With a comparison, the before side's gaps too; the diff section below then leaves them out.
        CoverageWriters.WriteMarkdown(outcome.Diff is { } compared
            ? CoverageWriters.NotRun(compared.CoverageBefore, outcome.Coverage)
            : CoverageWriters.NotRun(outcome.Coverage).Select(c => (c, (string?)null)), writer, lang);
        if (outcome.Violations.Count > 0)
        {
            var (listed, summarised) = Split(outcome, showAccepted);
            writer.Write($"| | {T("gate.rule")} | {T("gate.finding")} | {T("gate.status")} |\n|---|---|---|---|\n");
            foreach (var v in listed)
            {
                var icon = v.Fails ? "❌" : v.Status == ViolationStatus.Accepted ? "☑️" : "⚠️";
                writer.Write($"| {icon} | `{v.RuleId}` | {Escape.MarkdownText(v.Message)} | {T("gate.status." + Status(v.Status))}{(v.BaselineNote is null ? string.Empty : " — " + Escape.MarkdownText(v.BaselineNote))} |\n");
            }

            foreach (var (rule, count) in summarised)
            {
                var text = count == 1 ? T("gate.acceptedOne") : T("gate.acceptedMany", N(count));
                var lists = Texts.Get(lang, "gate.showAccepted", "\u0000").Split('\u0000');
                writer.Write($"| ☑️ | `{rule}` | {text} ({Escape.MarkdownText(lists[0])}`--show-accepted`{Escape.MarkdownText(lists[1])}) | {T("gate.status.accepted")} |\n");
            }
        }

        if (outcome.Diff is { } diff)
        {
            writer.Write('\n');
            DiffWriters.WriteMarkdown(diff, writer, lang, notChecked: false);
        }
    }

    /// <summary>The violations to list one by one, and the accepted ones summarised as (rule, count) in order of appearance.</summary>
    private static (IReadOnlyList<GateViolation> Listed, IReadOnlyList<(string Rule, int Count)> Summarised) Split(GateOutcome outcome, bool showAccepted)
    {
        if (showAccepted)
        {
            return (outcome.Violations, []);
        }

        var listed = outcome.Violations.Where(v => v.Status != ViolationStatus.Accepted).ToList();
        var summarised = outcome.Violations.Where(v => v.Status == ViolationStatus.Accepted)
            .GroupBy(v => v.RuleId, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count()))
            .ToList();
        return (listed, summarised);
    }

    private static string AcceptedText(int count) => count == 1 ? "1 finding accepted by the baseline" : $"{Format.G(count)} findings accepted by the baseline";

    public static void WriteJUnit(GateOutcome outcome, Stream output)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var xml = XmlWriter.Create(output, settings);
        var failures = outcome.Rules.Count(r => outcome.Violations.Any(v => v.RuleId == r.Id && v.Fails));
        var notRun = CoverageWriters.NotRun(outcome.Coverage);
        var tests = outcome.Rules.Count + notRun.Count;
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", "AccessAnalyzer gate");
        xml.WriteAttributeString("tests", Format.N(tests));
        xml.WriteAttributeString("failures", Format.N(failures));
        xml.WriteAttributeString("skipped", Format.N(notRun.Count));
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", "access-gate");
        xml.WriteAttributeString("tests", Format.N(tests));
        xml.WriteAttributeString("failures", Format.N(failures));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", Format.N(notRun.Count));
        xml.WriteAttributeString("timestamp", outcome.Header.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00");
        foreach (var rule in outcome.Rules)
        {
            var violations = outcome.Violations.Where(v => v.RuleId == rule.Id).ToList();
            var failing = violations.Where(v => v.Fails).ToList();
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", "accessanalyzer.gate");
            xml.WriteAttributeString("name", rule.Id);
            if (failing.Count > 0)
            {
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("message", $"{failing.Count} failing finding(s): {rule.Description}");
                xml.WriteAttributeString("type", rule.Id);
                xml.WriteString(string.Join('\n', failing.Select(v => $"[{Status(v.Status)}] {Escape.Xml(v.Message)}")));
                xml.WriteEndElement();
            }

            var reported = violations.Where(v => !v.Fails).ToList();
            if (reported.Count > 0)
            {
                xml.WriteElementString("system-out", string.Join('\n', reported.Select(v => $"[{Status(v.Status)}] {Escape.Xml(v.Message)}")));
            }

            xml.WriteEndElement();
        }

        // A check the source's inputs did not allow is a skipped test: visible in CI's test report, never a silent pass.
        foreach (var c in notRun)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", "accessanalyzer.coverage");
            xml.WriteAttributeString("name", c.Check);
            xml.WriteStartElement("skipped");
            xml.WriteAttributeString("message", Escape.Xml($"{CoverageWriters.Title}: {c.Reason}"));
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
        xml.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>
    /// SARIF 2.1.0 with what GitHub code scanning requires: version, tool driver name/version/rules, and results with
    /// ruleId, level, message and a physical location (the CSV row, or the table and row number).
    /// </summary>
    public static void WriteSarif(GateOutcome outcome, Stream output, ArtifactUri uriOf, ToolStamp tool, string informationUri = DefaultInformationUri)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(uriOf);
        Format.WriteJsonObject(output, json =>
        {
            json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();
            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", tool.Name);
            json.WriteString("version", tool.Version);
            json.WriteString("semanticVersion", tool.Version);
            json.WriteString("informationUri", informationUri);
            Format.WriteArray(json, "rules", outcome.Rules, rule =>
            {
                json.WriteString("id", rule.Id);
                json.WriteString("name", rule.Name);
                json.WriteStartObject("shortDescription");
                json.WriteString("text", rule.Description);
                json.WriteEndObject();
                json.WriteStartObject("fullDescription");
                json.WriteString("text", rule.Description);
                json.WriteEndObject();
                json.WriteStartObject("help");
                json.WriteString("text", rule.Help);
                json.WriteString("markdown", rule.Help);
                json.WriteEndObject();
                json.WriteStartObject("defaultConfiguration");
                json.WriteString("level", Level(rule.Level));
                json.WriteEndObject();
            });

            // The checks an input may lack, referenced by the notifications below.
            json.WriteStartArray("notifications");
            foreach (var (check, description) in Coverage.Checks)
            {
                json.WriteStartObject();
                json.WriteString("id", check);
                json.WriteStartObject("shortDescription");
                json.WriteString("text", description);
                json.WriteEndObject();
                json.WriteStartObject("fullDescription");
                json.WriteString("text", description);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            // The run succeeded; each check the source's inputs did not allow is a warning notification of it.
            var checkIndex = Coverage.Checks.Select((c, i) => (c.Check, i)).ToDictionary(t => t.Check, t => t.i, StringComparer.Ordinal);
            json.WriteStartArray("invocations");
            json.WriteStartObject();
            json.WriteBoolean("executionSuccessful", true);
            var notRun = CoverageWriters.NotRun(outcome.Coverage);
            if (notRun.Count > 0)
            {
                Format.WriteArray(json, "toolExecutionNotifications", notRun, c =>
                {
                    json.WriteString("level", "warning");
                    json.WriteStartObject("message");
                    json.WriteString("text", $"{CoverageWriters.Title}: {c.Check}: {c.Reason}.");
                    json.WriteEndObject();
                    json.WriteStartObject("descriptor");
                    json.WriteString("id", c.Check);
                    if (checkIndex.TryGetValue(c.Check, out var index))
                    {
                        json.WriteNumber("index", index);
                    }

                    json.WriteEndObject();
                });
            }

            json.WriteEndObject();
            json.WriteEndArray();

            json.WriteStartObject("originalUriBaseIds");
            json.WriteStartObject("SRCROOT");
            json.WriteStartObject("description");
            json.WriteString("text", "The directory the gate was run from (the repository root in CI).");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();

            var ruleIndex = outcome.Rules.Select((r, i) => (r.Id, i)).ToDictionary(t => t.Id, t => t.i, StringComparer.Ordinal);
            Format.WriteArray(json, "results", outcome.Violations, v =>
            {
                json.WriteString("ruleId", v.RuleId);
                json.WriteNumber("ruleIndex", ruleIndex[v.RuleId]);
                json.WriteString("level", v.Status == ViolationStatus.Accepted ? "note" : Level(v.Level));
                json.WriteStartObject("message");
                json.WriteString("text", v.BaselineNote is null ? v.Message : $"{v.Message} Baseline: {v.BaselineNote}.");
                json.WriteEndObject();
                if (v.Status == ViolationStatus.Accepted)
                {
                    json.WriteStartArray("suppressions");
                    json.WriteStartObject();
                    json.WriteString("kind", "external");
                    json.WriteString("justification", v.BaselineNote);
                    json.WriteEndObject();
                    json.WriteEndArray();
                }

                if (v.Location is { } location)
                {
                    json.WriteStartArray("locations");
                    json.WriteStartObject();
                    if (uriOf(location) is { } uri)
                    {
                        json.WriteStartObject("physicalLocation");
                        json.WriteStartObject("artifactLocation");
                        json.WriteString("uri", uri);
                        json.WriteString("uriBaseId", "SRCROOT");
                        json.WriteEndObject();
                        json.WriteStartObject("region");
                        json.WriteNumber("startLine", Math.Max(1, location.Line ?? 1));
                        json.WriteEndObject();
                        json.WriteEndObject();
                    }

                    json.WriteStartArray("logicalLocations");
                    json.WriteStartObject();
                    json.WriteString("name", location.Key);
                    json.WriteString("fullyQualifiedName", $"{location.Table}/{location.Key}");
                    json.WriteString("kind", "object");
                    json.WriteEndObject();
                    json.WriteEndArray();
                    if (location.Line is { } row && uriOf(location) is null)
                    {
                        // No file to put a line in: the table and the row's number in it, for people.
                        json.WriteStartObject("properties");
                        json.WriteString("table", location.DisplayName);
                        json.WriteNumber("row", row);
                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                    json.WriteEndArray();
                }

                json.WriteStartObject("partialFingerprints");
                json.WriteString("accessAnalyzer/v1", v.Fingerprint);
                json.WriteEndObject();
            });
            json.WriteEndObject();
            json.WriteEndArray();
        });
    }
}
