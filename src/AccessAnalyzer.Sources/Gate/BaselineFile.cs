using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Gate;

/// <summary>Reads the baseline, a JSON file people review and edit; every problem names the JSON path. Written by the sinks.</summary>
public static class BaselineFile
{
    public static Baseline Parse(string text, string fileName) => JsonFile.Read(text, fileName, root => Read(root, fileName));

    private static Baseline Read(JsonElement root, string fileName)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw new InputErrorException(fileName, null, "$", "expected an object with an 'entries' array");
        }

        var list = new List<BaselineEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var e in entries.EnumerateArray())
        {
            var path = $"$.entries[{i++}]";
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw new InputErrorException(fileName, null, path, "expected an object");
            }

            string Text(string name) =>
                e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
                    ? v.GetString()!
                    : throw new InputErrorException(fileName, null, $"{path}.{name}", $"missing or empty '{name}'");
            var value = e.TryGetProperty("value", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out var number) && number >= 0
                ? number
                : throw new InputErrorException(fileName, null, $"{path}.value", "expected a whole number ≥ 0");
            var expires = DateOnly.TryParseExact(Text("expires"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d
                : throw new InputErrorException(fileName, null, $"{path}.expires", "expected a date YYYY-MM-DD");
            // An empty or missing reason reads fine: the gate then fails on it (baseline-unjustified) instead of
            // refusing the whole file, so the run still says which findings the entry would accept.
            var reason = !e.TryGetProperty("reason", out var r) || r.ValueKind == JsonValueKind.Null ? string.Empty
                : r.ValueKind == JsonValueKind.String ? r.GetString()!
                : throw new InputErrorException(fileName, null, $"{path}.reason", "expected a string");
            var id = Text("id");
            if (!seen.TryAdd(id, path))
            {
                throw new InputErrorException(fileName, null, $"{path}.id", $"'{id}' is already listed at {seen[id]}");
            }

            list.Add(new BaselineEntry(id, Text("ruleId"), Text("subject"), value, reason, expires));
        }

        return new Baseline(list) { Name = fileName };
    }
}
