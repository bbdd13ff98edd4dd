using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Engine;

/// <summary>How an assignment is treated in a what-if: as it is, removed, or narrowed.</summary>
internal enum GrantChangeKind : byte { AsIs, Removed, CaseloadScope, UnitScope }

/// <summary>A what-if change of one assignment. <see cref="Unit"/> is the new scope unit for <see cref="GrantChangeKind.UnitScope"/>.</summary>
internal readonly record struct GrantChange(GrantChangeKind Kind, int Unit = -1)
{
    public static readonly GrantChange AsIs = new(GrantChangeKind.AsIs);
}

/// <summary>
/// Computes one principal's figures from the snapshot, optionally under what-if changes of assignments. The same
/// code serves the analysis (no change), the plan (one change at a time, then cumulative changes) and the tests, so
/// a what-if figure is by construction what a re-analysis of the changed data would give.
/// </summary>
internal sealed class ExposureCalculator
{
    private readonly Snapshot _snapshot;
    private readonly long[][] _prefix;

    public ExposureCalculator(Snapshot snapshot, DateOnly asOf)
    {
        _snapshot = snapshot;
        AsOf = asOf;
        Closure = MembershipClosure.Build(snapshot);
        Grants = GrantIndex.Build(snapshot, asOf);
        _prefix = PrefixSums(snapshot);
    }

    public DateOnly AsOf { get; }

    public MembershipClosure Closure { get; }

    public GrantIndex Grants { get; }

    public Snapshot Snapshot => _snapshot;

    public Scratch NewScratch() => new(_snapshot.GroupCount);

    /// <summary>Files in a unit's subtree: all of them, or only the sensitive ones (open or closed).</summary>
    public long FilesInSubtree(int unit, bool sensitiveOnly)
    {
        int start = _snapshot.Units.Pre[unit], end = _snapshot.Units.End[unit];
        long total = 0;
        for (var c = 0; c < FileClasses.Count; c++)
        {
            if (!sensitiveOnly || ((FileClass)c & FileClass.Sensitive) != 0)
            {
                total += _prefix[c][end] - _prefix[c][start];
            }
        }

        return total;
    }

    /// <summary>prefix[class][k] = files of that class in the first k pre-order positions.</summary>
    internal static long[][] PrefixSums(Snapshot snapshot)
    {
        var units = snapshot.Units;
        var prefix = new long[FileClasses.Count][];
        for (var c = 0; c < FileClasses.Count; c++)
        {
            var sums = new long[units.Count + 1];
            for (var position = 0; position < units.Count; position++)
            {
                sums[position + 1] = sums[position] + snapshot.UnitFileCounts[(units.UnitAtPosition[position] * FileClasses.Count) + c];
            }

            prefix[c] = sums;
        }

        return prefix;
    }

    /// <summary>
    /// Figures of principal <paramref name="p"/>. Each assignment is taken as <paramref name="state"/> says (null: as
    /// is), except <paramref name="changedAssignment"/>, which is taken as <paramref name="change"/>.
    /// </summary>
    public PrincipalExposure Compute(int p, Scratch scratch, GrantChange[]? state, int changedAssignment = -1, GrantChange change = default)
    {
        scratch.Groups.Clear();
        scratch.All.Clear();
        scratch.Sensitive.Clear();
        Closure.EffectiveGroupsOf(p, scratch.Groups, scratch.Mark, ++scratch.Stamp);

        var caseloadScope = false;
        var grantCount = 0;
        var units = _snapshot.Units;

        void Collect(ReadOnlySpan<int> assignmentIndices)
        {
            foreach (var a in assignmentIndices)
            {
                var effective = a == changedAssignment ? change : state?[a] ?? GrantChange.AsIs;
                if (effective.Kind == GrantChangeKind.Removed)
                {
                    continue;
                }

                grantCount++;
                var assignment = _snapshot.Assignments[a];
                var scope = effective.Kind switch
                {
                    GrantChangeKind.CaseloadScope => AssignmentScope.Caseload,
                    GrantChangeKind.UnitScope => AssignmentScope.Unit,
                    _ => assignment.Scope,
                };
                if (scope == AssignmentScope.Caseload)
                {
                    caseloadScope = true;
                    continue;
                }

                var unit = effective.Kind == GrantChangeKind.UnitScope ? effective.Unit : assignment.ScopeUnit;
                var interval = new Interval(units.Pre[unit], units.End[unit]);
                scratch.All.Add(interval);
                if (_snapshot.Roles.Sensitive[assignment.Role])
                {
                    scratch.Sensitive.Add(interval);
                }
            }
        }

        Collect(Grants.OfPrincipal(p));
        foreach (var g in scratch.Groups)
        {
            Collect(Grants.OfGroup(g));
        }

        var reach = Interval.MergeInPlace(scratch.All);
        var sensitiveReach = Interval.MergeInPlace(scratch.Sensitive);
        var prefix = _prefix;

        Span<long> reachByClass = stackalloc long[FileClasses.Count];
        foreach (var interval in reach)
        {
            for (var c = 0; c < FileClasses.Count; c++)
            {
                reachByClass[c] += prefix[c][interval.End] - prefix[c][interval.Start];
            }
        }

        const int sensitiveOpen = (int)FileClass.Sensitive;
        const int sensitiveClosed = (int)(FileClass.Sensitive | FileClass.Closed);
        long sensitiveInSensitiveReach = 0;
        foreach (var interval in sensitiveReach)
        {
            sensitiveInSensitiveReach += prefix[sensitiveOpen][interval.End] - prefix[sensitiveOpen][interval.Start]
                + prefix[sensitiveClosed][interval.End] - prefix[sensitiveClosed][interval.Start];
        }

        long caseloadFiles = 0, caseloadInReach = 0, sensitiveCaseloadInSensitiveReach = 0;
        foreach (var entry in _snapshot.CaseloadOf(p))
        {
            caseloadFiles += entry.Count;
            var position = entry.Unit >= 0 ? units.Pre[entry.Unit] : -1;
            if (position >= 0 && Interval.Contains(reach, position))
            {
                caseloadInReach += entry.Count;
            }
            else if (caseloadScope)
            {
                // A caseload-scope grant reaches the principal's own files wherever they are.
                caseloadInReach += entry.Count;
                reachByClass[(int)entry.Class] += entry.Count;
            }

            if ((entry.Class & FileClass.Sensitive) != 0 && position >= 0 && Interval.Contains(sensitiveReach, position))
            {
                sensitiveCaseloadInSensitiveReach += entry.Count;
            }
        }

        foreach (var share in _snapshot.SharesOf(p))
        {
            if (!share.IsInForce(AsOf))
            {
                continue;
            }

            var position = share.Unit >= 0 ? units.Pre[share.Unit] : -1;
            if ((position >= 0 && Interval.Contains(reach, position)) || (share.InCaseload && caseloadScope))
            {
                continue; // already reached through a grant
            }

            reachByClass[(int)share.Class]++;
            if (share.InCaseload)
            {
                caseloadInReach++;
            }
        }

        return new PrincipalExposure(
            ReachableFiles: reachByClass[0] + reachByClass[1] + reachByClass[2] + reachByClass[3],
            CaseloadFiles: caseloadFiles,
            CaseloadInReach: caseloadInReach,
            SensitiveExcessFiles: sensitiveInSensitiveReach - sensitiveCaseloadInSensitiveReach,
            ClosedFilesInReach: reachByClass[(int)FileClass.Closed] + reachByClass[sensitiveClosed],
            SensitiveFilesInReach: reachByClass[sensitiveOpen] + reachByClass[sensitiveClosed],
            GrantsInForce: grantCount);
    }

    /// <summary>Per-thread buffers: one mark per group, and interval lists reused across principals.</summary>
    internal sealed class Scratch(int groupCount)
    {
        public readonly int[] Mark = new int[groupCount];
        public readonly List<int> Groups = [];
        public readonly List<Interval> All = [];
        public readonly List<Interval> Sensitive = [];
        public int Stamp;
    }
}
