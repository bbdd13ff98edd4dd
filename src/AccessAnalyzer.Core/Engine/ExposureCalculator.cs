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
        Justified = JustifiedSubjects.Build(snapshot, asOf);
        _prefix = PrefixSums(snapshot);
    }

    public DateOnly AsOf { get; }

    public MembershipClosure Closure { get; }

    public GrantIndex Grants { get; }

    /// <summary>Roles, assignments and principals a justification in force covers.</summary>
    public JustifiedSubjects Justified { get; }

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
    /// The unit-scope intervals of principal <paramref name="p"/>, merged: all of them, the sensitive roles' ones, and
    /// the justified ones; and the excess intervals (reach minus justified). Each assignment is taken as
    /// <paramref name="state"/> says (null: as is), except <paramref name="changedAssignment"/>, taken as
    /// <paramref name="change"/>. The spans live in <paramref name="scratch"/> until its next use.
    /// </summary>
    public ReachIntervals Intervals(int p, Scratch scratch, GrantChange[]? state, int changedAssignment = -1, GrantChange change = default)
    {
        scratch.Groups.Clear();
        scratch.All.Clear();
        scratch.Sensitive.Clear();
        scratch.Justified.Clear();
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

                if (Justified.Covers(a, assignment.Role))
                {
                    scratch.Justified.Add(interval);
                }
            }
        }

        Collect(Grants.OfPrincipal(p));
        foreach (var g in scratch.Groups)
        {
            Collect(Grants.OfGroup(g));
        }

        var principalJustified = Justified.Principal(p);
        var reach = Interval.MergeInPlace(scratch.All);
        var sensitive = Interval.MergeInPlace(scratch.Sensitive);
        var justified = principalJustified ? reach : Interval.MergeInPlace(scratch.Justified);
        var excess = Interval.Subtract(reach, justified, scratch.Excess);
        var sensitiveExcess = Interval.Subtract(sensitive, justified, scratch.SensitiveExcess);
        return new ReachIntervals(reach, justified, excess, sensitiveExcess, caseloadScope, principalJustified, grantCount);
    }

    /// <summary>
    /// Figures of principal <paramref name="p"/>. Each assignment is taken as <paramref name="state"/> says (null: as
    /// is), except <paramref name="changedAssignment"/>, which is taken as <paramref name="change"/>.
    /// </summary>
    public PrincipalExposure Compute(int p, Scratch scratch, GrantChange[]? state, int changedAssignment = -1, GrantChange change = default)
    {
        var intervals = Intervals(p, scratch, state, changedAssignment, change);
        var reach = intervals.Reach;
        var caseloadScope = intervals.CaseloadScope;
        var units = _snapshot.Units;
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
        long sensitiveInSensitiveExcess = 0;
        foreach (var interval in intervals.SensitiveExcess)
        {
            sensitiveInSensitiveExcess += prefix[sensitiveOpen][interval.End] - prefix[sensitiveOpen][interval.Start]
                + prefix[sensitiveClosed][interval.End] - prefix[sensitiveClosed][interval.Start];
        }

        long inJustified = 0;
        foreach (var interval in intervals.Justified)
        {
            for (var c = 0; c < FileClasses.Count; c++)
            {
                inJustified += prefix[c][interval.End] - prefix[c][interval.Start];
            }
        }

        long caseloadFiles = 0, caseloadInReach = 0, sensitiveCaseloadInSensitiveExcess = 0, caseloadInJustified = 0;
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

            if (position >= 0 && Interval.Contains(intervals.Justified, position))
            {
                caseloadInJustified += entry.Count;
            }

            if ((entry.Class & FileClass.Sensitive) != 0 && position >= 0 && Interval.Contains(intervals.SensitiveExcess, position))
            {
                sensitiveCaseloadInSensitiveExcess += entry.Count;
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

        var reachable = reachByClass[0] + reachByClass[1] + reachByClass[2] + reachByClass[3];

        // Justified: the reach beyond the caseload that a justified grant covers, or all of it for a justified principal.
        var justifiedFiles = intervals.PrincipalJustified ? reachable - caseloadInReach : inJustified - caseloadInJustified;
        return new PrincipalExposure(
            ReachableFiles: reachable,
            CaseloadFiles: caseloadFiles,
            CaseloadInReach: caseloadInReach,
            SensitiveExcessFiles: sensitiveInSensitiveExcess - sensitiveCaseloadInSensitiveExcess,
            ClosedFilesInReach: reachByClass[(int)FileClass.Closed] + reachByClass[sensitiveClosed],
            SensitiveFilesInReach: reachByClass[sensitiveOpen] + reachByClass[sensitiveClosed],
            GrantsInForce: intervals.GrantsInForce,
            JustifiedFiles: justifiedFiles);
    }

    /// <summary>Per-thread buffers: one mark per group, and interval lists reused across principals.</summary>
    internal sealed class Scratch(int groupCount)
    {
        public readonly int[] Mark = new int[groupCount];
        public readonly List<int> Groups = [];
        public readonly List<Interval> All = [];
        public readonly List<Interval> Sensitive = [];
        public readonly List<Interval> Justified = [];
        public readonly List<Interval> Excess = [];
        public readonly List<Interval> SensitiveExcess = [];
        public int Stamp;
    }
}

/// <summary>
/// One principal's unit-scope reach as merged position intervals (spans into a <see cref="ExposureCalculator.Scratch"/>):
/// all of it, the justified part, the excess part (reach minus justified) and the sensitive roles' excess part.
/// </summary>
internal readonly ref struct ReachIntervals(
    ReadOnlySpan<Interval> reach, ReadOnlySpan<Interval> justified, ReadOnlySpan<Interval> excess,
    ReadOnlySpan<Interval> sensitiveExcess, bool caseloadScope, bool principalJustified, int grantsInForce)
{
    public ReadOnlySpan<Interval> Reach { get; } = reach;

    public ReadOnlySpan<Interval> Justified { get; } = justified;

    public ReadOnlySpan<Interval> Excess { get; } = excess;

    public ReadOnlySpan<Interval> SensitiveExcess { get; } = sensitiveExcess;

    /// <summary>A caseload-scope grant in force: the principal reaches its own caseload wherever it is.</summary>
    public bool CaseloadScope { get; } = caseloadScope;

    /// <summary>A justification in force names the principal: none of its reach is excess.</summary>
    public bool PrincipalJustified { get; } = principalJustified;

    public int GrantsInForce { get; } = grantsInForce;
}

/// <summary>
/// What the justifications in force on the analysis date cover: roles, assignments and principals. An expired one
/// covers nothing.
/// </summary>
internal sealed class JustifiedSubjects
{
    private readonly bool[] _roles;
    private readonly bool[] _assignments;
    private readonly bool[] _principals;

    private JustifiedSubjects(bool[] roles, bool[] assignments, bool[] principals)
    {
        _roles = roles;
        _assignments = assignments;
        _principals = principals;
    }

    public static JustifiedSubjects Build(Snapshot snapshot, DateOnly asOf)
    {
        var roles = new bool[snapshot.Roles.Count];
        var assignments = new bool[snapshot.Assignments.Length];
        var principals = new bool[snapshot.Principals.Count];
        foreach (var j in snapshot.Justifications)
        {
            if (!j.IsInForce(asOf))
            {
                continue;
            }

            var covered = j.Subject switch
            {
                JustificationSubject.Role => roles,
                JustificationSubject.Assignment => assignments,
                _ => principals,
            };
            covered[j.Index] = true;
        }

        return new JustifiedSubjects(roles, assignments, principals);
    }

    /// <summary>True when a justification in force names the assignment or its role.</summary>
    public bool Covers(int assignment, int role) => _assignments[assignment] || _roles[role];

    public bool Principal(int principal) => _principals[principal];
}
