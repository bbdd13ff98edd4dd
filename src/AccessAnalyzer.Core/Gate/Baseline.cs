using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Core.Gate;

/// <summary>A known violation accepted for a while, with the reason and the date the acceptance ends.</summary>
public sealed record BaselineEntry(string Fingerprint, string RuleId, string Subject, long Value, string Reason, DateOnly Expires);

/// <summary>
/// Known findings. A violation in the baseline passes only while its value has not grown and its justification has not
/// expired; anything new, grown or expired fails. Stored as JSON, meant to be reviewed and edited by people.
/// </summary>
public sealed record Baseline(IReadOnlyList<BaselineEntry> Entries)
{
    public const string DefaultReason = "Accepted when the baseline was written: replace with the justification and an owner.";

    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Marks each violation New, Grown, Expired or Accepted.</summary>
    public IReadOnlyList<GateViolation> Apply(IReadOnlyList<GateViolation> violations, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var byFingerprint = Entries.ToDictionary(e => e.Fingerprint, StringComparer.Ordinal);
        return [.. violations.Select(v =>
        {
            if (!byFingerprint.TryGetValue(v.Fingerprint, out var entry))
            {
                return v with { Status = ViolationStatus.New };
            }

            if (v.Value > entry.Value)
            {
                return v with { Status = ViolationStatus.Grown, BaselineNote = $"grew from {entry.Value} to {v.Value} since the baseline" };
            }

            if (entry.Expires < asOf)
            {
                return v with { Status = ViolationStatus.Expired, BaselineNote = $"justification expired on {entry.Expires:yyyy-MM-dd}: {entry.Reason}" };
            }

            return v with { Status = ViolationStatus.Accepted, BaselineNote = $"accepted until {entry.Expires:yyyy-MM-dd}: {entry.Reason}" };
        })];
    }

    /// <summary>A baseline accepting today's violations for <paramref name="days"/> days.</summary>
    public static Baseline From(IEnumerable<GateViolation> violations, DateOnly asOf, int days) =>
        new([.. violations
            .GroupBy(v => v.Fingerprint, StringComparer.Ordinal)
            .Select(g => g.MaxBy(v => v.Value)!)
            .OrderBy(v => v.Fingerprint, StringComparer.Ordinal)
            .Select(v => new BaselineEntry(v.Fingerprint, v.RuleId, v.SubjectId, v.Value, DefaultReason, asOf.AddDays(days)))]);

    public void Write(Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("version", 1);
        json.WriteStartArray("entries");
        foreach (var e in Entries)
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
