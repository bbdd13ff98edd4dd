using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using Spectre.Console;

namespace AccessAnalyzer.Sinks;

/// <summary>The tool that wrote an output: stamped by the sinks, once, from what the command line says it is.</summary>
public sealed record ToolStamp(string Name, string Version);

/// <summary>The spellings and writer settings every sink shares, so all outputs agree on numbers, dates and JSON.</summary>
internal static class Format
{
    /// <summary>Indented JSON; ids may hold any character, and relaxed escaping keeps non-ASCII readable while valid.</summary>
    public static readonly JsonWriterOptions Json = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A machine number: invariant digits, no separators.</summary>
    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A number for people: thousands separated.</summary>
    public static string G(long value) => Numbers.Grouped(value);

    public static string Signed(long value) => value > 0 ? "+" + G(value) : G(value);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Date(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// A table cell (Spectre markup) for a role over a scope: the ids on the first line, the names under them in grey,
    /// <c>regional-consultation @ R03</c> / <c>Regional file consultation @ Region 03</c>. Long names in one line would
    /// wrap anywhere; two lines keep ids and names each readable. One line when there are no names to add.
    /// </summary>
    public static string RoleAtScopeCell(string roleId, string? roleName, string? unitId, string? unitName, string noUnit = "own caseload")
    {
        var ids = $"{roleId} @ {unitId ?? noUnit}";
        var names = $"{NameOr(roleId, roleName)} @ {(unitId is null ? noUnit : NameOr(unitId, unitName))}";
        return NamedCell(ids, names);
    }

    /// <summary>A table cell (Spectre markup) for a unit after some words: the id, and the unit's name under it in grey.</summary>
    public static string UnitCell(string prefix, string unitId, string? unitName) =>
        NamedCell(prefix + unitId, NameOr(unitId, unitName), unitId);

    private static string NameOr(string id, string? name) => string.IsNullOrWhiteSpace(name) ? id : name.Trim();

    private static string NamedCell(string ids, string names, string? sameAs = null) => string.Equals(sameAs ?? ids, names, StringComparison.Ordinal)
        ? Escape.Terminal(ids)
        : $"{Escape.Terminal(ids)}\n[grey]{Escape.Terminal(names)}[/]";

    /// <summary>
    /// A console table with the rounded border every table of ours has, titled when <paramref name="title"/> is given,
    /// with its columns in order (see <see cref="Text"/> and <see cref="Number"/>).
    /// </summary>
    public static Table RoundedTable(string? title, params TableColumn[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns(columns);
        return title is null ? table : table.Title(title);
    }

    /// <summary>The rule a console report opens with: its name in bold, then the source and the analysis date.</summary>
    public static void Title(IAnsiConsole console, string name, ReportHeader header) =>
        Heading(console, $"[bold]{name}[/] — {Escape.Terminal(header.Source)} as of {header.AsOf:yyyy-MM-dd}");

    /// <summary>Widest a heading's rule is drawn: a console without a width (a file, a CI log) would get a line without end.</summary>
    public const int MaxRuleWidth = 120;

    /// <summary>A heading as a left-justified rule (<c>── title ────</c>) as wide as the console, at most <see cref="MaxRuleWidth"/>.</summary>
    public static void Heading(IAnsiConsole console, string markup)
    {
        ArgumentNullException.ThrowIfNull(console);
        var width = Math.Min(console.Profile.Width, MaxRuleWidth);
        var fill = Math.Max(2, width - Spectre.Console.Markup.Remove(markup).Length - 4);
        console.MarkupLine($"── {markup} {new string('─', fill)}");
    }

    /// <summary>A column of words, left-aligned.</summary>
    public static TableColumn Text(string header) => new(header);

    /// <summary>A column of numbers, right-aligned so that digits line up.</summary>
    public static TableColumn Number(string header) => new TableColumn(header).RightAligned();

    /// <summary>UTF-8 without BOM, LF line ends, leaving the stream open for the caller's atomic write.</summary>
    public static StreamWriter Writer(Stream output) => new(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };

    public static void WriteNullable(Utf8JsonWriter json, string name, string? value)
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

    /// <summary>One JSON document: an object whose properties <paramref name="writeProperties"/> writes, then a final newline.</summary>
    public static void WriteJsonObject(Stream output, Action<Utf8JsonWriter> writeProperties)
    {
        using (var json = new Utf8JsonWriter(output, Json))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
            json.Flush();
        }

        output.WriteByte((byte)'\n');
    }

    /// <summary>
    /// An array of objects, as a property (<paramref name="name"/>): one object per item, whose properties
    /// <paramref name="writeProperties"/> writes. Every JSON output lists its items this way.
    /// </summary>
    public static void WriteArray<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<T> writeProperties)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            writeProperties(item);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>An array of strings, as a property (<paramref name="name"/>) or, with null, as an array value.</summary>
    public static void WriteStrings(Utf8JsonWriter json, string? name, IEnumerable<string> values)
    {
        if (name is null)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartArray(name);
        }

        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>principalId, kind, organization: how every JSON output names an account, so outputs join on the same fields.</summary>
    public static void WritePrincipalId(Utf8JsonWriter json, string principalId, PrincipalKind kind, string organization)
    {
        json.WriteString("principalId", principalId);
        json.WriteString("kind", Names.Of(kind));
        json.WriteString("organization", organization);
    }

    /// <summary>assignmentId, roleId, roleName: how every JSON output names a grant, so outputs join on the assignment.</summary>
    public static void WriteGrantId(Utf8JsonWriter json, string assignmentId, string roleId, string roleName)
    {
        json.WriteString("assignmentId", assignmentId);
        json.WriteString("roleId", roleId);
        json.WriteString("roleName", roleName);
    }

    /// <summary>holderType, holderId: the group or principal an assignment is given to.</summary>
    public static void WriteHolder(Utf8JsonWriter json, string holderType, string holderId)
    {
        json.WriteString("holderType", holderType);
        json.WriteString("holderId", holderId);
    }

    /// <summary>scopeUnitId, scopeUnitName: the unit a grant covers (null for a grant over its holders' caseloads).</summary>
    public static void WriteScopeUnit(Utf8JsonWriter json, string? scopeUnitId, string? scopeUnitName)
    {
        WriteNullable(json, "scopeUnitId", scopeUnitId);
        WriteNullable(json, "scopeUnitName", scopeUnitName);
    }

    /// <summary>
    /// A report's JSON document (<see cref="WriteJsonObject"/>): first tool, version, source and asOf, the four
    /// properties every report on one source opens with, then the properties <paramref name="writeProperties"/> writes.
    /// </summary>
    public static void WriteReportObject(Stream output, ReportHeader header, ToolStamp tool, Action<Utf8JsonWriter> writeProperties) =>
        WriteJsonObject(output, json =>
        {
            json.WriteString("tool", tool.Name);
            json.WriteString("version", tool.Version);
            json.WriteString("source", header.Source);
            json.WriteString("asOf", Date(header.AsOf));
            writeProperties(json);
        });
}
