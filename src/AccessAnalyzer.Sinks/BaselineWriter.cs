using AccessAnalyzer.Core.Gate;

namespace AccessAnalyzer.Sinks;

/// <summary>Writes a baseline as the JSON file people review and edit (read back by the gate's baseline reader).</summary>
public static class BaselineWriter
{
    public static void Write(Baseline baseline, Stream output)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        Format.WriteJsonObject(output, json =>
        {
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
                json.WriteString("expires", Format.Date(e.Expires));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }
}
