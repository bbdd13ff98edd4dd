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
            Format.WriteArray(json, "entries", baseline.Entries, e =>
            {
                json.WriteString("id", e.Fingerprint);
                json.WriteString("ruleId", e.RuleId);
                json.WriteString("subject", e.Subject);
                json.WriteNumber("value", e.Value);
                json.WriteString("reason", e.Reason);
                json.WriteString("expires", Format.Date(e.Expires));
            });
        });
    }

    /// <summary>
    /// What <c>--write-baseline</c> wrote, for the person who will edit it: entries by rule, how many are critical, what
    /// an update kept, added, renewed and dropped, and how many entries still need a reason before the gate passes.
    /// </summary>
    public static void WriteSummary(TextWriter writer, string path, BaselineDraft draft, bool updated, DateOnly newExpiry)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(draft);
        var entries = draft.Entries;
        var critical = entries.Count(e => e.Critical);
        writer.Write($"Baseline written to {path}: {Count(entries.Count, "entry", "entries")}, {Format.G(critical)} critical.\n");
        var byRule = entries.GroupBy(e => e.Entry.RuleId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var width = byRule.Count == 0 ? 0 : byRule.Max(g => g.Key.Length);
        foreach (var g in byRule)
        {
            var criticalInRule = g.Count(e => e.Critical);
            writer.Write($"  {g.Key.PadRight(width)}  {Format.G(g.Count()),6}{(criticalInRule > 0 ? $"  ({Format.G(criticalInRule)} critical)" : string.Empty)}\n");
        }

        var added = entries.Count(e => !e.Kept);
        if (updated)
        {
            writer.Write($"Updated: {Format.G(entries.Count - added)} kept with their reason and expiry, {Format.G(added - draft.Renewed.Count)} added, " +
                $"{Format.G(draft.Renewed.Count)} renewed (grown or expired), {Format.G(draft.Dropped.Count)} dropped (no longer found).\n");
        }

        if (added > 0)
        {
            writer.Write($"{Count(added, "new entry is", "new entries are")} accepted until {Format.Date(newExpiry)}, with a placeholder reason.\n");
        }

        var toJustify = draft.ToJustify.Count();
        writer.Write(toJustify == 0
            ? "Every entry that accepts a failing finding has a reason.\n"
            : $"Next: write the reason and owner of {Count(toJustify, "entry", "entries")} accepting a failing finding; " +
              $"until then the gate fails ({Baseline.UnjustifiedRuleId}).\n");
    }

    private static string Count(int count, string one, string many) => count == 1 ? $"1 {one}" : $"{Format.G(count)} {many}";
}
