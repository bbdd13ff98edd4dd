
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
}
