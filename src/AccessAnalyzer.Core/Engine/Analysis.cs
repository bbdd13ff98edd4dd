using System.Collections.Immutable;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Engine;

/// <summary>Analysis settings that change figures.</summary>
public sealed record AnalysisOptions
{
    /// <summary>Assignments and shares whose valid_until is before this day are not in force.</summary>
    public required DateOnly AsOf { get; init; }

    /// <summary>How the per-principal loop is run; the CLI passes a parallel one. Core owns no threads.</summary>
    public IWorkScheduler Scheduler { get; init; } = SequentialScheduler.Instance;
}

/// <summary>Figures of one principal. Reach and everything derived from it count distinct files.</summary>
public readonly record struct PrincipalExposure(
    long ReachableFiles,
    long CaseloadFiles,
    long CaseloadInReach,
    long SensitiveExcessFiles,
    long ClosedFilesInReach,
    long SensitiveFilesInReach,
    int GrantsInForce,
    long JustifiedFiles = 0)
{
    /// <summary>Reach minus the caseload files inside reach, minus the reach a justification covers.</summary>
    public long ExcessFiles => ReachableFiles - CaseloadInReach - JustifiedFiles;
}

/// <summary>What one assignment contributes: the excess removing it would remove, and how many principals hold it.</summary>
public readonly record struct GrantContribution(long Excess, long SensitiveExcess, int Holders);

/// <summary>
/// The engine's one output for a snapshot and an analysis date, computed once per snapshot per command: the
/// membership closure, the grant and holder indexes, every principal's exposure, and each assignment's contribution
/// on demand. The report, the plan, the explainer, the diff and the gate all read it; none of them builds the engine.
/// <para>
/// Counting never enumerates (principal, file) pairs: in pre-order a unit's subtree is an interval, a principal's
/// unit scopes are a union of intervals (sorted and merged, O(k log k)), and prefix sums of per-unit file counts by
/// class turn the union into exact counts. Caseload and shares arrive as per-unit aggregates, placed by binary search.
/// </para>
/// </summary>
public sealed class Analysis
{
    private readonly GrantContribution?[] _contributions;
    private readonly IWorkScheduler _scheduler;
    private HolderIndex? _holders;
    private DistinctExposure? _distinct;

    private Analysis(
        Snapshot snapshot, DateOnly asOf, ExposureCalculator calculator, ImmutableArray<PrincipalExposure> principals, IWorkScheduler scheduler)
    {
        _scheduler = scheduler;
        Snapshot = snapshot;
        AsOf = asOf;
        Calculator = calculator;
        Principals = principals;
        _contributions = new GrantContribution?[snapshot.Assignments.Length];
    }

    public Snapshot Snapshot { get; }

    public DateOnly AsOf { get; }

    public MembershipClosure Closure => Calculator.Closure;

    /// <summary>Figures of every principal, indexed like <see cref="Model.Snapshot.Principals"/>.</summary>
    public ImmutableArray<PrincipalExposure> Principals { get; }

    /// <summary>The per-principal calculator, for what-if figures (the plan, the gate's per-holder excess).</summary>
    internal ExposureCalculator Calculator { get; }

    /// <summary>Distinct files over all accounts and per organisation (unions, not sums), computed on first use.</summary>
    public DistinctExposure Distinct => _distinct ??= DistinctExposure.Compute(Snapshot, Calculator, _scheduler);

    /// <summary>Built on first use: <c>analyze</c> alone never needs it.</summary>
    internal HolderIndex Holders => _holders ??= HolderIndex.Build(Snapshot, Closure);

    internal GrantIndex GrantsByHolder => Calculator.Grants;

    public static Analysis Run(Snapshot snapshot, AnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        var calculator = new ExposureCalculator(snapshot, options.AsOf);
        var results = new PrincipalExposure[snapshot.Principals.Count];
        options.Scheduler.For(results.Length, calculator.NewScratch, (p, scratch) => results[p] = calculator.Compute(p, scratch, state: null));
        return new Analysis(snapshot, options.AsOf, calculator, [.. results], options.Scheduler);
    }

    /// <summary>True when the assignment grants reach on the analysis date (in force, role with file access).</summary>
    public bool Grants(int assignment) => GrantIndex.Grants(Snapshot, Snapshot.Assignments[assignment], AsOf);

    /// <summary>Principals an assignment reaches: its holder, or every member of its holder group, directly or through nesting.</summary>
    public ReadOnlySpan<int> HoldersOf(int assignment) => Holders.Of(Snapshot.Assignments[assignment]);

    /// <summary>Excess (and sensitive excess) that removing the assignment would remove, and its holder count. Cached.</summary>
    public GrantContribution Contribution(int assignment)
    {
        if (_contributions[assignment] is { } known)
        {
            return known;
        }

        var holders = HoldersOf(assignment);
        var contribution = Grants(assignment)
            ? new GrantContribution(ExcessThrough(assignment, holders, out var sensitive), sensitive, holders.Length)
            : new GrantContribution(0, 0, holders.Length);
        _contributions[assignment] = contribution;
        return contribution;
    }

    /// <summary>
    /// What the assignment grants beyond its holders' caseloads as if it were each holder's only grant: Σ over holders of
    /// the files of its scope outside their caseload (and, for a sensitive role, the sensitive ones). Other grants that
    /// overlap it hide its <see cref="Contribution"/>, never this figure. A caseload-scope grant, or one not in force, grants none.
    /// </summary>
    public GrantContribution GrantedAlone(int assignment) => GrantedAlone(assignment, HoldersOf(assignment));

    /// <summary>The figure of <see cref="GrantedAlone(int)"/> for some of the assignment's holders.</summary>
    public GrantContribution GrantedAlone(int assignment, ReadOnlySpan<int> holders)
    {
        var a = Snapshot.Assignments[assignment];
        if (!Grants(assignment) || a.Scope != Input.AssignmentScope.Unit)
        {
            return new GrantContribution(0, 0, holders.Length);
        }

        var units = Snapshot.Units;
        var sensitiveRole = Snapshot.Roles.Sensitive[a.Role];
        long scopeFiles = Calculator.FilesInSubtree(a.ScopeUnit, sensitiveOnly: false);
        long scopeSensitive = sensitiveRole ? Calculator.FilesInSubtree(a.ScopeUnit, sensitiveOnly: true) : 0;
        long excess = 0, sensitive = 0;
        foreach (var p in holders)
        {
            long caseloadInScope = 0, sensitiveCaseloadInScope = 0;
            foreach (var entry in Snapshot.CaseloadOf(p))
            {
                if (entry.Unit >= 0 && units.IsInSubtree(entry.Unit, a.ScopeUnit))
                {
                    caseloadInScope += entry.Count;
                    sensitiveCaseloadInScope += (entry.Class & Input.FileClass.Sensitive) != 0 ? entry.Count : 0;
                }
            }

            excess += scopeFiles - caseloadInScope;
            sensitive += sensitiveRole ? scopeSensitive - sensitiveCaseloadInScope : 0;
        }

        return new GrantContribution(excess, sensitive, holders.Length);
    }

    /// <summary>The excess that removing an assignment would remove for the given holders.</summary>
    public long ExcessThrough(int assignment, ReadOnlySpan<int> holders) => ExcessThrough(assignment, holders, out _);

    private long ExcessThrough(int assignment, ReadOnlySpan<int> holders, out long sensitive)
    {
        var scratch = Calculator.NewScratch();
        long excess = 0;
        sensitive = 0;
        foreach (var p in holders)
        {
            var without = Calculator.Compute(p, scratch, state: null, assignment, new GrantChange(GrantChangeKind.Removed));
            excess += Principals[p].ExcessFiles - without.ExcessFiles;
            sensitive += Principals[p].SensitiveExcessFiles - without.SensitiveExcessFiles;
        }

        return excess;
    }
}

/// <summary>
/// Runs a loop body over <c>[0, count)</c>, each worker with its own scratch state. Core stays free of threads: the
/// caller decides whether the loop runs in parallel (the CLI) or in order (tests, the default).
/// </summary>
public interface IWorkScheduler
{
    void For<TScratch>(int count, Func<TScratch> newScratch, Action<int, TScratch> body);
}

/// <summary>The loop in order, on the calling thread.</summary>
public sealed class SequentialScheduler : IWorkScheduler
{
    public static readonly SequentialScheduler Instance = new();

    public void For<TScratch>(int count, Func<TScratch> newScratch, Action<int, TScratch> body)
    {
        ArgumentNullException.ThrowIfNull(newScratch);
        ArgumentNullException.ThrowIfNull(body);
        var scratch = newScratch();
        for (var i = 0; i < count; i++)
        {
            body(i, scratch);
        }
    }
}
