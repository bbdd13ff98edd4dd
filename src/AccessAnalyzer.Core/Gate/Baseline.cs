
namespace AccessAnalyzer.Core.Gate;

/// <summary>A known violation accepted for a while, with the reason and the date the acceptance ends.</summary>
public sealed record BaselineEntry(string Fingerprint, string RuleId, string Subject, long Value, string Reason, DateOnly Expires)
{
    /// <summary>False when the reason is empty or still the placeholder <c>--write-baseline</c> puts there.</summary>
    public bool Justified => Baseline.IsJustification(Reason);
}

/// <summary>One entry <c>--write-baseline</c> would write, with where it comes from.</summary>
/// <param name="Entry">The entry as written.</param>
/// <param name="Critical">The finding it accepts is critical (see <see cref="GateRules.Criticality"/>).</param>
/// <param name="Kept">Carried over from the previous baseline with its reason and expiry.</param>
/// <param name="Accepting">The finding is of an error-level rule: the entry is what keeps it from failing the gate.</param>
public sealed record BaselineDraftEntry(BaselineEntry Entry, bool Critical, bool Kept, bool Accepting);

/// <summary>What <c>--write-baseline</c> writes, and what became of the previous baseline's entries.</summary>
/// <param name="Baseline">The baseline to write.</param>
/// <param name="Entries">Its entries with their origin, in the baseline's order.</param>
/// <param name="Dropped">Previous entries no finding matches any more.</param>
/// <param name="Renewed">Previous entries whose finding grew or whose justification expired: written again as new entries.</param>
public sealed record BaselineDraft(Baseline Baseline, IReadOnlyList<BaselineDraftEntry> Entries, IReadOnlyList<BaselineEntry> Dropped, IReadOnlyList<BaselineEntry> Renewed)
{
    /// <summary>Critical findings the draft would accept with the placeholder reason: written only with <c>--accept-critical</c>.</summary>
    public IEnumerable<BaselineDraftEntry> CriticalUnjustified => Entries.Where(e => e.Critical && !e.Entry.Justified);

    /// <summary>Entries that must get a reason before the gate passes (see <see cref="Baseline.UnjustifiedRuleId"/>).</summary>
    public IEnumerable<BaselineDraftEntry> ToJustify => Entries.Where(e => e.Accepting && !e.Entry.Justified);
}

/// <summary>
/// Known findings. A violation in the baseline passes only while its value has not grown and its justification has not
/// expired; anything new, grown or expired fails. An entry without a real reason fails too, as
/// <see cref="UnjustifiedRuleId"/>. Stored as JSON, meant to be reviewed and edited by people.
/// </summary>
public sealed record Baseline(IReadOnlyList<BaselineEntry> Entries)
{
    /// <summary>The reason <c>--write-baseline</c> gives new entries. It justifies nothing: the gate fails until it is replaced.</summary>
    public const string DefaultReason = "Accepted when the baseline was written: replace with the justification and an owner.";

    /// <summary>The rule a baseline entry breaks when it accepts a failing finding without a reason.</summary>
    public const string UnjustifiedRuleId = "baseline-unjustified";

    /// <summary>Where the baseline was read from (a file name), for messages and locations.</summary>
    public string Name { get; init; } = "baseline";

    /// <summary>The metadata of <see cref="UnjustifiedRuleId"/>, checked whenever a baseline is given.</summary>
    public static GateRuleInfo UnjustifiedRule { get; } = new(UnjustifiedRuleId, "BaselineUnjustified", GateLevel.Error,
        "A baseline entry accepts a failing finding without saying why: its reason is empty or still the placeholder.",
        "Write in the entry's `reason` why the finding is accepted and who owns it, or fix the finding and drop the entry. " +
        "An entry accepts nothing until it has a real reason.");

    /// <summary>True for a reason a person wrote: not empty, not the placeholder.</summary>
    public static bool IsJustification(string? reason) =>
        !string.IsNullOrWhiteSpace(reason) && !string.Equals(reason.Trim(), DefaultReason, StringComparison.Ordinal);

    /// <summary>Marks each violation New, Grown, Expired or Accepted.</summary>
    public IReadOnlyList<GateViolation> Apply(IReadOnlyList<GateViolation> violations, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var byFingerprint = ByFingerprint();
        return [.. violations.Select(v =>
        {
            if (!byFingerprint.TryGetValue(v.Fingerprint, out var entry))
            {
                return v with { Status = ViolationStatus.New };
            }

            var reason = string.IsNullOrWhiteSpace(entry.Reason) ? "no reason given" : entry.Reason;
            if (v.Value > entry.Value)
            {
                return v with { Status = ViolationStatus.Grown, BaselineNote = $"grew from {entry.Value} to {v.Value} since the baseline" };
            }

            if (entry.Expires < asOf)
            {
                return v with { Status = ViolationStatus.Expired, BaselineNote = $"justification expired on {entry.Expires:yyyy-MM-dd}: {reason}" };
            }

            return v with { Status = ViolationStatus.Accepted, BaselineNote = $"accepted until {entry.Expires:yyyy-MM-dd}: {reason}" };
        })];
    }

    /// <summary>
    /// One <see cref="UnjustifiedRuleId"/> violation per entry that matches a current finding of an error-level rule
    /// but has no real reason. Entries that match nothing, or only a warning, accept nothing that would fail, so they
    /// are left alone (rewriting the baseline drops the former).
    /// </summary>
    public IEnumerable<GateViolation> Unjustified(IReadOnlyList<GateViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var failing = violations.Where(v => v.Level == GateLevel.Error).ToLookup(v => v.Fingerprint, StringComparer.Ordinal);
        foreach (var entry in Entries.Where(e => !e.Justified && failing.Contains(e.Fingerprint)).DistinctBy(e => e.Fingerprint))
        {
            var what = string.IsNullOrWhiteSpace(entry.Reason) ? "has no reason" : "has the placeholder reason";
            yield return new GateViolation(UnjustifiedRuleId, GateLevel.Error,
                $"Baseline entry '{entry.Fingerprint}' {what}: write why the finding is accepted and who owns it.",
                "baseline-entry", entry.Fingerprint, 1, 0, new GateLocation("baseline", Name, entry.Fingerprint, null));
        }
    }

    /// <summary>A baseline accepting today's violations for <paramref name="days"/> days.</summary>
    public static Baseline From(IEnumerable<GateViolation> violations, DateOnly asOf, int days) => Draft(null, violations, asOf, days).Baseline;

    /// <summary>
    /// What <c>--write-baseline</c> writes. Without a previous baseline: every finding, with the placeholder reason and
    /// an expiry <paramref name="days"/> days ahead. With one, an update: an entry whose finding is still there, has not
    /// grown and has not expired keeps its reason and expiry (and takes the finding's value when it went down, so the
    /// baseline only tightens); a grown or expired one is written again as new, since its justification no longer
    /// covers it; a finding not in the previous baseline is added as new; a previous entry no finding matches is dropped.
    /// <see cref="UnjustifiedRuleId"/> violations are about the baseline itself and never written into it.
    /// </summary>
    public static BaselineDraft Draft(Baseline? previous, IEnumerable<GateViolation> violations, DateOnly asOf, int days)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var old = previous?.ByFingerprint() ?? new Dictionary<string, BaselineEntry>(StringComparer.Ordinal);
        var current = violations
            .Where(v => v.RuleId != UnjustifiedRuleId)
            .GroupBy(v => v.Fingerprint, StringComparer.Ordinal)
            .Select(g => g.MaxBy(v => v.Value)!)
            .OrderBy(v => v.Fingerprint, StringComparer.Ordinal)
            .ToList();
        var entries = new List<BaselineDraftEntry>();
        var renewed = new List<BaselineEntry>();
        foreach (var v in current)
        {
            var accepting = v.Level == GateLevel.Error;
            if (old.TryGetValue(v.Fingerprint, out var entry))
            {
                if (v.Value <= entry.Value && entry.Expires >= asOf)
                {
                    entries.Add(new(entry with { Value = v.Value }, v.Critical, true, accepting));
                    continue;
                }

                renewed.Add(entry);
            }

            entries.Add(new(new BaselineEntry(v.Fingerprint, v.RuleId, v.SubjectId, v.Value, DefaultReason, asOf.AddDays(days)), v.Critical, false, accepting));
        }

        var written = current.Select(v => v.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var dropped = previous?.Entries.Where(e => !written.Contains(e.Fingerprint)).ToList() ?? [];
        var baseline = new Baseline([.. entries.Select(e => e.Entry)]) { Name = previous?.Name ?? "baseline" };
        return new BaselineDraft(baseline, entries, dropped, renewed);
    }

    private Dictionary<string, BaselineEntry> ByFingerprint()
    {
        // The baseline reader refuses a fingerprint listed twice; built in code, the last entry wins.
        var map = new Dictionary<string, BaselineEntry>(StringComparer.Ordinal);
        foreach (var entry in Entries)
        {
            map[entry.Fingerprint] = entry;
        }

        return map;
    }
}
