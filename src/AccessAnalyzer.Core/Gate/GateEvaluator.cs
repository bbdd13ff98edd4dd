using System.Globalization;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Core.Gate;

/// <summary>A gate rule crashed: the gate cannot say "pass", so it fails closed (exit 2).</summary>
public sealed class GateRuleException : Exception
{
    public GateRuleException() { }

    public GateRuleException(string message) : base(message) { }

    public GateRuleException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Everything a rule may look at: the analysis of the proposed data, the policy, and the change under review.</summary>
public sealed class GateContext
{
    private IReadOnlyList<Finding>? _usageFindings;

    internal GateContext(Analysis analysis, GatePolicy policy, DiffReport? diff, UsageOptions usageOptions)
    {
        Analysis = analysis;
        Policy = policy;
        Diff = diff;
        UsageOptions = usageOptions;
        Figures = [.. analysis.Principals.Select((e, p) => ReportBuilder.Figures(analysis.Snapshot, e, p))];
    }

    public Analysis Analysis { get; }

    public Snapshot Snapshot => Analysis.Snapshot;

    public GatePolicy Policy { get; }

    public DateOnly AsOf => Analysis.AsOf;

    /// <summary>The change under review, when the gate runs with <c>--before</c>.</summary>
    public DiffReport? Diff { get; }

    /// <summary>Thresholds of the usage rules, as <c>analyze</c> applies them.</summary>
    public UsageOptions UsageOptions { get; }

    /// <summary>Figures of every principal, indexed like the snapshot.</summary>
    public IReadOnlyList<PrincipalFigures> Figures { get; }

    /// <summary>The usage findings of the access log (empty without one), evaluated once.</summary>
    public IReadOnlyList<Finding> UsageFindings => _usageFindings ??= Snapshot.UsageIndex is { } usage
        ? [.. UsageRules.Evaluate(AsOf, Figures, usage, UsageOptions)]
        : [];

    public GateLocation PrincipalLocation(int p) =>
        new("principals", Snapshot.Lines.TableDisplayName("principals"), Snapshot.Principals.Ids[p], Snapshot.Lines.Principals[p]);

    public GateLocation AssignmentLocation(int a) =>
        new("assignments", Snapshot.Lines.TableDisplayName("assignments"), Snapshot.Assignments[a].Id, Snapshot.Lines.Assignments[a]);

    public GateLocation GroupLocation(int g) =>
        new("groups", Snapshot.Lines.TableDisplayName("groups"), Snapshot.GroupIds[g], Snapshot.Lines.Groups[g]);

    public GateLocation TableLocation(string table, string key, long? line = null) =>
        new(table, Snapshot.Lines.TableDisplayName(table), key, line);
}

/// <summary>A gate rule: its metadata under a policy, and the violations it finds.</summary>
public interface IGateRule
{
    /// <summary>Metadata, or null when the policy does not enable this rule (or it needs a change to compare).</summary>
    GateRuleInfo? Info(GatePolicy policy, bool comparing);

    IEnumerable<GateViolation> Evaluate(GateContext context);
}

/// <summary>Runs the rules a policy enables, applies the baseline, and says pass or fail.</summary>
public static class GateEvaluator
{
    public static GateOutcome Evaluate(
        Analysis analysis, GatePolicy policy, DiffReport? diff, Baseline? baseline,
        IEnumerable<IGateRule>? extraRules = null, UsageOptions? usageOptions = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(policy);
        CheckLevels(analysis.Snapshot, policy);
        var context = new GateContext(analysis, policy, diff, usageOptions ?? new UsageOptions());
        var rules = new List<GateRuleInfo>();
        var violations = new List<GateViolation>();
        foreach (var rule in GateRules.All.Concat(extraRules ?? []))
        {
            var info = rule.Info(policy, diff is not null);
            if (info is null)
            {
                continue;
            }

            rules.Add(info);
            try
            {
                violations.AddRange(rule.Evaluate(context).Select(v => v with { Critical = info.IsCritical(v) }));
            }
#pragma warning disable CA1031 // A crashing rule must fail the gate closed, whatever it threw.
            catch (Exception ex) when (ex is not GateRuleException)
#pragma warning restore CA1031
            {
                throw new GateRuleException($"rule '{info.Id}' failed: {ex.GetType().Name}: {ex.Message}", ex);
            }
        }

        IReadOnlyList<GateViolation> final = Order(violations);
        if (baseline is not null)
        {
            // The baseline's own rule: an entry accepts a failing finding only with a reason a person wrote.
            rules.Add(Baseline.UnjustifiedRule);
            var applied = baseline.Apply(final, analysis.AsOf);
            final = Order([.. applied, .. baseline.Unjustified(applied)]);
        }

        var header = new ReportHeader(analysis.Snapshot.SourceName, analysis.AsOf);
        return new GateOutcome(header, rules, final, diff, Coverage.Of(analysis.Snapshot, analysis.AsOf));
    }

    /// <summary>
    /// With forbidden scopes to check and <see cref="UnknownLevels.Error"/>, every unit kind in org_units must be one of
    /// the policy's levels (in any case). Otherwise a legitimate grant on such a unit would fail as "above" every level
    /// with nothing saying why: a policy that cannot place a kind is a bad configuration, not a finding.
    /// </summary>
    private static void CheckLevels(Snapshot snapshot, GatePolicy policy)
    {
        if (policy.ForbiddenScopes.Count == 0 || policy.UnknownLevels != UnknownLevels.Error)
        {
            return;
        }

        var known = policy.Levels.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = snapshot.Units.Kinds
            .Where(kind => !known.Contains(kind))
            .GroupBy(kind => kind, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => $"'{g.Key}' ({N(g.Count())} unit{(g.Count() == 1 ? string.Empty : "s")})")
            .ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var kinds = unknown.Count == 1 ? $"unit kind {unknown[0]} is" : $"unit kinds {string.Join(", ", unknown)} are";
        throw new InputErrorException(snapshot.Lines.TableDisplayName("org_units"), null, "kind",
            $"{kinds} not among the gate policy's levels ({string.Join(", ", policy.Levels)}): name them in \"levels\", " +
            "or set \"unknownLevels\": \"highest\" to treat them as above every level");
    }

    private static List<GateViolation> Order(IEnumerable<GateViolation> violations) => violations
        .OrderByDescending(v => v.Level)
        .ThenBy(v => v.RuleId, StringComparer.Ordinal)
        .ThenBy(v => v.SubjectId, StringComparer.Ordinal)
        .ToList();

    internal static string N(long value) => Numbers.Grouped(value);
}
