using System.Globalization;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Gate;

/// <summary>A gate rule crashed: the gate cannot say "pass", so it fails closed (exit 2).</summary>
public sealed class GateRuleException : Exception
{
    public GateRuleException() { }

    public GateRuleException(string message) : base(message) { }

    public GateRuleException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Everything a rule may look at. Assignment contributions are computed on demand and cached.</summary>
public sealed class GateContext
{
    private readonly ExposureCalculator _calculator;
    private readonly HolderIndex _holders;

    internal GateContext(Snapshot snapshot, GatePolicy policy, DateOnly asOf, DiffReport? diff)
    {
        Snapshot = snapshot;
        Policy = policy;
        AsOf = asOf;
        Diff = diff;
        _calculator = new ExposureCalculator(snapshot, asOf);
        var exposures = new PrincipalExposure[snapshot.Principals.Count];
        _calculator.ComputeAll(exposures, state: null);
        Exposures = exposures;
        Figures = [.. exposures.Select((e, p) => ReportBuilder.Figures(snapshot, e, p))];
        Result = new ExposureResult(snapshot, new AnalysisOptions { AsOf = asOf }, _calculator.Closure, [.. exposures]);
        _holders = HolderIndex.Build(snapshot, _calculator.Closure);
    }

    public Snapshot Snapshot { get; }
    public GatePolicy Policy { get; }
    public DateOnly AsOf { get; }

    /// <summary>The change under review, when the gate runs with <c>--before</c>.</summary>
    public DiffReport? Diff { get; }

    public ExposureResult Result { get; }

    /// <summary>Figures of every principal, indexed like the snapshot.</summary>
    public IReadOnlyList<PrincipalFigures> Figures { get; }

    internal PrincipalExposure[] Exposures { get; }

    /// <summary>Principals an assignment reaches (its holder, or every member of its holder group).</summary>
    public int[] HoldersOf(int assignment) => _holders.Of(Snapshot.Assignments[assignment]).ToArray();

    /// <summary>The excess that removing an assignment would remove for the given holders.</summary>
    public long ExcessThrough(int assignment, IEnumerable<int> holders)
    {
        ArgumentNullException.ThrowIfNull(holders);
        var scratch = _calculator.NewScratch();
        long total = 0;
        foreach (var p in holders)
        {
            var without = _calculator.Compute(p, scratch, state: null, assignment, new GrantChange(GrantChangeKind.Removed));
            total += Exposures[p].ExcessFiles - without.ExcessFiles;
        }

        return total;
    }

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
        Snapshot snapshot, GatePolicy policy, AnalysisOptions options, DiffReport? diff, Baseline? baseline,
        string toolVersion, IEnumerable<IGateRule>? extraRules = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        var context = new GateContext(snapshot, policy, options.AsOf, diff);
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
                violations.AddRange(rule.Evaluate(context));
            }
#pragma warning disable CA1031 // A crashing rule must fail the gate closed, whatever it threw.
            catch (Exception ex) when (ex is not GateRuleException)
#pragma warning restore CA1031
            {
                throw new GateRuleException($"rule '{info.Id}' failed: {ex.GetType().Name}: {ex.Message}", ex);
            }
        }

        var ordered = violations
            .OrderByDescending(v => v.Level)
            .ThenBy(v => v.RuleId, StringComparer.Ordinal)
            .ThenBy(v => v.SubjectId, StringComparer.Ordinal)
            .ToList();
        var final = baseline is null ? ordered : baseline.Apply(ordered, options.AsOf);
        var header = new ReportHeader("AccessAnalyzer", toolVersion, snapshot.SourceName, options.AsOf);
        return new GateOutcome(header, rules, final, diff);
    }

    internal static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
