using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Gate;

/// <summary>Reads the baseline, a JSON file people review and edit; every problem names the JSON path. Written by the sinks.</summary>
public static class BaselineFile
{
    public static Baseline Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var document = JsonFile.Parse(text, fileName);
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
