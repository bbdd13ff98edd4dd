using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AccessAnalyzer.Core.Reporting;

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

    /// <summary>A markdown table cell: pipes escaped, line breaks folded.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

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

    /// <summary>tool, version, source, asOf: the first four properties of every JSON output.</summary>
    public static void WriteHeader(Utf8JsonWriter json, ReportHeader header, ToolStamp tool)
    {
        json.WriteString("tool", tool.Name);
        json.WriteString("version", tool.Version);
        json.WriteString("source", header.Source);
        json.WriteString("asOf", Date(header.AsOf));
    }
}
