using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Gate;

/// <summary>The baseline as a JSON file people review and edit: read (every problem names the JSON path) and written.</summary>
public static class BaselineFile
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static void Write(Baseline baseline, Stream output)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("version", 1);
        json.WriteStartArray("entries");
        foreach (var e in baseline.Entries)
        {
            json.WriteStartObject();
            json.WriteString("id", e.Fingerprint);
            json.WriteString("ruleId", e.RuleId);
            json.WriteString("subject", e.Subject);
            json.WriteNumber("value", e.Value);
            json.WriteString("reason", e.Reason);
            json.WriteString("expires", e.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    public static Baseline Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException ex)
        {
            throw new InputErrorException(fileName, ex.LineNumber + 1, null, "not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new InputErrorException(fileName, null, "$", "expected an object with an 'entries' array");
            }

            var list = new List<BaselineEntry>();
            var i = 0;
            foreach (var e in entries.EnumerateArray())
            {
                var path = $"$.entries[{i++}]";
                string Text(string name) =>
                    e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
                        ? v.GetString()!
                        : throw new InputErrorException(fileName, null, $"{path}.{name}", $"missing or empty '{name}'");
                var value = e.TryGetProperty("value", out var n) && n.TryGetInt64(out var number) && number >= 0
                    ? number
                    : throw new InputErrorException(fileName, null, $"{path}.value", "expected a whole number ≥ 0");
                var expires = DateOnly.TryParseExact(Text("expires"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? d
                    : throw new InputErrorException(fileName, null, $"{path}.expires", "expected a date YYYY-MM-DD");
                list.Add(new BaselineEntry(Text("id"), Text("ruleId"), Text("subject"), value, Text("reason"), expires));
            }

            return new Baseline(list);
        }
    }
}
