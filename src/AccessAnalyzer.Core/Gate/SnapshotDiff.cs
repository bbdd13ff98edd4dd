using System.Collections.Immutable;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Gate;

/// <summary>How an assignment differs between two sources.</summary>
public enum AssignmentChangeKind { Added, Removed, Widened, Narrowed, Changed }

/// <summary>A principal whose reach or excess differs.</summary>
public sealed record PrincipalChange(string PrincipalId, PrincipalKind Kind, string Organization,
    long ReachBefore, long ReachAfter, long ExcessBefore, long ExcessAfter, long SensitiveExcessBefore, long SensitiveExcessAfter)
{
    public long ExcessDelta => ExcessAfter - ExcessBefore;
}

/// <summary>
/// An assignment added, removed or altered. <see cref="ExcessAdded"/> is the change in the excess this assignment alone
/// is responsible for (what removing it would remove), after minus before: positive when the edit widens access.
/// <see cref="Before"/> and <see cref="After"/> describe the grant for people, role and unit names beside their ids.
/// <see cref="ExcessGrantedAlone"/> is what it grants beyond its holders' caseloads as if it were their only grant (after
/// the change; before it for a removed one): overlapping grants hide the first figure, never this one.
/// </summary>
public sealed record AssignmentChange(string AssignmentId, AssignmentChangeKind Kind, string RoleId, string RoleName, string HolderType, string HolderId,
    string? Before, string? After, int Holders, long ExcessAdded, long SensitiveExcessAdded,
    long ExcessGrantedAlone, long SensitiveExcessGrantedAlone, long ExcessGrantedAloneBefore)
{
    /// <summary>True when the change gives its holders more than before, counted alone (added, or a wider scope).</summary>
    public bool GrantsMoreAlone => Kind != AssignmentChangeKind.Removed && ExcessGrantedAlone > ExcessGrantedAloneBefore;
}

/// <summary>A membership row added or removed.</summary>
public sealed record MembershipChange(string GroupId, string MemberId, MemberType MemberType, bool Added);

/// <summary>
/// The exposure change a proposed edit makes: before and after analyzed with the same engine and date, with the
/// coverage of each side (a check that ran on one side only makes the comparison partial).
/// </summary>
public sealed record DiffReport(
    ReportHeader Header,
    string BeforeSource,
    ReportTotals TotalsBefore,
    ReportTotals TotalsAfter,
    IReadOnlyList<PrincipalChange> Principals,
    IReadOnlyList<AssignmentChange> Assignments,
    IReadOnlyList<MembershipChange> Memberships,
    IReadOnlyList<CoverageItem> CoverageBefore,
    IReadOnlyList<CoverageItem> CoverageAfter);

/// <summary>Compares two snapshots of the same organisation, matching rows by id.</summary>
public static class SnapshotDiff
{
    /// <summary>The change from <paramref name="beforeAnalysis"/> to <paramref name="afterAnalysis"/> (same analysis date).</summary>
    public static DiffReport Compute(Analysis beforeAnalysis, Analysis afterAnalysis)
    {
        ArgumentNullException.ThrowIfNull(beforeAnalysis);
        ArgumentNullException.ThrowIfNull(afterAnalysis);
        var before = beforeAnalysis.Snapshot;
        var after = afterAnalysis.Snapshot;
        var beforeSide = new Side(beforeAnalysis);
        var afterSide = new Side(afterAnalysis);

        var principals = new List<PrincipalChange>();
        var beforeIndex = Index(before.Principals.Ids);
        var afterIndex = Index(after.Principals.Ids);
        foreach (var id in beforeIndex.Keys.Union(afterIndex.Keys).Order(StringComparer.Ordinal))
        {
            var b = beforeIndex.TryGetValue(id, out var bi) ? beforeSide.Figures[bi] : default;
            var a = afterIndex.TryGetValue(id, out var ai) ? afterSide.Figures[ai] : default;
            if (a.ReachableFiles == b.ReachableFiles && a.ExcessFiles == b.ExcessFiles && a.SensitiveExcessFiles == b.SensitiveExcessFiles)
            {
                continue;
            }

            var (kind, organization) = afterIndex.ContainsKey(id)
                ? (after.Principals.Kinds[ai], after.Principals.Organizations[ai])
                : (before.Principals.Kinds[bi], before.Principals.Organizations[bi]);
            principals.Add(new PrincipalChange(id, kind, organization, b.ReachableFiles, a.ReachableFiles, b.ExcessFiles, a.ExcessFiles,
                b.SensitiveExcessFiles, a.SensitiveExcessFiles));
        }

        var assignments = new List<AssignmentChange>();
        var beforeAssignments = before.Assignments.Select((x, i) => (x.Id, i)).ToDictionary(t => t.Id, t => t.i, StringComparer.Ordinal);
        var afterAssignments = after.Assignments.Select((x, i) => (x.Id, i)).ToDictionary(t => t.Id, t => t.i, StringComparer.Ordinal);
        foreach (var id in beforeAssignments.Keys.Union(afterAssignments.Keys).Order(StringComparer.Ordinal))
        {
            var inBefore = beforeAssignments.TryGetValue(id, out var bIdx);
            var inAfter = afterAssignments.TryGetValue(id, out var aIdx);
            // Compared on ids only: renaming a role or a unit changes no assignment.
            if (inBefore && inAfter && Describe(before, before.Assignments[bIdx], names: false) == Describe(after, after.Assignments[aIdx], names: false))
            {
                continue;
            }

            var describeBefore = inBefore ? Describe(before, before.Assignments[bIdx]) : null;
            var describeAfter = inAfter ? Describe(after, after.Assignments[aIdx]) : null;

            var (bExcess, bSensitive, _) = inBefore ? beforeSide.Contribution(bIdx) : default;
            var (aExcess, aSensitive, holders) = inAfter ? afterSide.Contribution(aIdx) : default;
            if (!inAfter)
            {
                holders = beforeSide.Contribution(bIdx).Holders;
            }

            var aloneBefore = inBefore ? beforeAnalysis.GrantedAlone(bIdx) : default;
            var alone = inAfter ? afterAnalysis.GrantedAlone(aIdx) : aloneBefore;
            var kind = !inBefore ? AssignmentChangeKind.Added
                : !inAfter ? AssignmentChangeKind.Removed
                : aExcess > bExcess ? AssignmentChangeKind.Widened
                : aExcess < bExcess ? AssignmentChangeKind.Narrowed
                : AssignmentChangeKind.Changed;
            var (snapshot, assignment) = inAfter ? (after, after.Assignments[aIdx]) : (before, before.Assignments[bIdx]);
            assignments.Add(new AssignmentChange(id, kind, snapshot.Roles.Ids[assignment.Role], snapshot.Roles.Names[assignment.Role],
                Spellings.Of(assignment.HolderType), HolderId(snapshot, assignment),
                describeBefore, describeAfter, holders, aExcess - bExcess, aSensitive - bSensitive,
                alone.Excess, alone.SensitiveExcess, aloneBefore.Excess));
        }

        var memberships = new List<MembershipChange>();
        var beforeEdges = Edges(before);
        var afterEdges = Edges(after);
        memberships.AddRange(afterEdges.Except(beforeEdges).Select(e => new MembershipChange(e.Group, e.Member, e.Type, true)));
        memberships.AddRange(beforeEdges.Except(afterEdges).Select(e => new MembershipChange(e.Group, e.Member, e.Type, false)));

        var header = new ReportHeader(after.SourceName, afterAnalysis.AsOf);
        return new DiffReport(header, before.SourceName, beforeSide.Totals, afterSide.Totals,
            [.. principals.OrderByDescending(p => p.ExcessDelta).ThenBy(p => p.PrincipalId, StringComparer.Ordinal)],
            [.. assignments.OrderByDescending(a => a.ExcessAdded).ThenBy(a => a.AssignmentId, StringComparer.Ordinal)],
            [.. memberships.OrderBy(m => m.GroupId, StringComparer.Ordinal).ThenBy(m => m.MemberId, StringComparer.Ordinal)],
            Coverage.Of(before, beforeAnalysis.AsOf), Coverage.Of(after, afterAnalysis.AsOf));
    }

    /// <summary>
    /// The assignment as a person reads it, role and unit names beside their ids. Without <paramref name="names"/>, ids
    /// only: two equal such descriptions mean nothing relevant changed.
    /// </summary>
    public static string Describe(Snapshot snapshot, Assignment a, bool names = true)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var unit = a.Scope == AssignmentScope.Caseload ? null
            : names ? Labels.UnitWithKind(snapshot, a.ScopeUnit)
            : $"{snapshot.Units.Ids[a.ScopeUnit]} ({snapshot.Units.Kinds[a.ScopeUnit]})";
        var scope = unit is null ? "own caseload" : $"unit {unit}";
        var role = names ? Labels.Role(snapshot, a.Role) : snapshot.Roles.Ids[a.Role];
        var until = a.ValidUntil is { } d ? $" until {d:yyyy-MM-dd}" : string.Empty;
        return $"{role} @ {scope} for {Spellings.Of(a.HolderType)} {HolderId(snapshot, a)}{until}";
    }

    public static string HolderId(Snapshot snapshot, Assignment a) =>
        a.HolderType == HolderType.Group ? snapshot.GroupIds[a.Holder] : snapshot.Principals.Ids[a.Holder];

    private static Dictionary<string, int> Index(IEnumerable<string> ids) =>
        ids.Select((id, i) => (id, i)).ToDictionary(t => t.id, t => t.i, StringComparer.Ordinal);

    private static HashSet<(string Group, string Member, MemberType Type)> Edges(Snapshot s) =>
        [.. s.Memberships.Select(m => (s.GroupIds[m.Group],
            m.MemberType == MemberType.Group ? s.GroupIds[m.Member] : s.Principals.Ids[m.Member], m.MemberType))];

    /// <summary>One side of the diff: its figures and totals, read from its analysis.</summary>
    private sealed class Side(Analysis analysis)
    {
        public ImmutableArray<PrincipalExposure> Figures => analysis.Principals;

        public ReportTotals Totals { get; } =
            ReportBuilder.Totals(analysis, ReportBuilder.AllFigures(analysis), ReportOptions.DefaultDormantAfterDays);

        public GrantContribution Contribution(int assignment) => analysis.Contribution(assignment);
    }
}
