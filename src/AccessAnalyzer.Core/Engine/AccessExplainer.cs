using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Engine;

/// <summary>
/// Answers "why": every grant path from a principal to what it reaches (principal → group → nested group … →
/// assignment → scope unit), and the reverse question, who reaches a unit or a file and through what.
/// Paths run over membership components (a cycle is one step), so output is finite and counting them is polynomial.
/// </summary>
public static class AccessExplainer
{
    /// <summary>Paths listed per grant; beyond this they are counted, not listed (dense nesting can have very many).</summary>
    public const int MaxPathsPerGrant = 100;

    /// <summary>Why a principal reaches what it reaches: every assignment it holds, or those that reach the target.</summary>
    public static PrincipalExplanation ExplainPrincipal(
        Analysis analysis, string principalId, string? unitId, FileFacts? file)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var snapshot = analysis.Snapshot;
        var asOf = analysis.AsOf;
        var p = PrincipalIndex(snapshot, principalId);
        var figures = ReportBuilder.Figures(snapshot, analysis.Principals[p], p);

        var closure = analysis.Closure;
        var groups = new List<int>();
        closure.EffectiveGroupsOf(p, groups, new int[snapshot.GroupCount], 1);
        var member = new bool[snapshot.GroupCount];
        foreach (var g in groups)
        {
            member[g] = true;
        }

        ExplainTarget? target = null;
        var targetUnit = -1;
        if (file is not null)
        {
            targetUnit = UnitIndex(snapshot, file.UnitId, required: false);
            target = new ExplainTarget("file", file.FileId, file.UnitId, UnitName(snapshot, targetUnit));
        }
        else if (unitId is not null)
        {
            targetUnit = UnitIndex(snapshot, unitId, required: true);
            target = new ExplainTarget("unit", unitId, unitId, UnitName(snapshot, targetUnit));
        }

        var inCaseload = file is not null && file.CaseloadPrincipalIds.Contains(principalId, StringComparer.Ordinal);
        var shared = file is not null && file.Shares.Any(s => s.PrincipalId == principalId && Validity.InForce(s.ValidUntil, asOf));
        var prefix = ExposureCalculator.PrefixSums(snapshot);
        var caseloadFiles = figures.CaseloadFiles;

        var grants = new List<GrantExplanation>();
        var reaches = shared;
        for (var a = 0; a < snapshot.Assignments.Length; a++)
        {
            var assignment = snapshot.Assignments[a];
            var held = assignment.HolderType == HolderType.Principal ? assignment.Holder == p : member[assignment.Holder];
            if (!held)
            {
                continue;
            }

            var granting = analysis.Grants(a);
            var covers = assignment.Scope == AssignmentScope.Unit
                ? targetUnit >= 0 && snapshot.Units.IsInSubtree(targetUnit, assignment.ScopeUnit)
                : file is not null ? inCaseload : targetUnit >= 0 && HasCaseloadIn(snapshot, p, targetUnit);
            if (target is not null && !(granting && covers))
            {
                continue; // with a target, list only what actually reaches it
            }

            reaches |= granting && covers;
            var filesGranted = !granting ? 0
                : assignment.Scope == AssignmentScope.Caseload ? caseloadFiles
                : FilesInSubtree(snapshot, prefix, assignment.ScopeUnit);
            var (paths, omitted) = Paths(snapshot, closure, p, assignment);
            grants.Add(new GrantExplanation(
                assignment.Id, snapshot.Roles.Ids[assignment.Role], snapshot.Roles.Names[assignment.Role], snapshot.Roles.FileAccess[assignment.Role],
                snapshot.Roles.Sensitive[assignment.Role], assignment.Scope,
                assignment.ScopeUnit >= 0 ? snapshot.Units.Ids[assignment.ScopeUnit] : null, UnitName(snapshot, assignment.ScopeUnit), assignment.ValidUntil,
                assignment.IsInForce(asOf), Spellings.Of(assignment.HolderType),
                assignment.HolderType == HolderType.Group ? snapshot.GroupIds[assignment.Holder] : snapshot.Principals.Ids[assignment.Holder],
                filesGranted, paths, omitted,
                Notes(analysis, j => (j.Subject == JustificationSubject.Assignment && j.Index == a)
                    || (j.Subject == JustificationSubject.Role && j.Index == assignment.Role))));
        }

        var sharesInForce = 0L;
        foreach (var share in snapshot.SharesOf(p))
        {
            sharesInForce += share.IsInForce(asOf) ? 1 : 0;
        }

        var ordered = grants
            .OrderByDescending(g => g.InForce && g.FileAccess)
            .ThenByDescending(g => g.FilesGranted)
            .ThenBy(g => g.AssignmentId, NaturalOrder.Instance)
            .ToList();
        var header = new ReportHeader(snapshot.SourceName, asOf);
        return new PrincipalExplanation(header, figures, target, target is null ? figures.ReachableFiles > 0 : reaches,
            ordered, sharesInForce, inCaseload, shared,
            Notes(analysis, j => j.Subject == JustificationSubject.Principal && j.Index == p));
    }

    /// <summary>The justifications that name a grant or a principal, in force or not, latest expiry first.</summary>
    private static List<JustificationNote> Notes(Analysis analysis, Func<Justification, bool> names) =>
        [.. analysis.Snapshot.Justifications
            .Where(names)
            .OrderByDescending(j => j.Expires)
            .ThenBy(j => j.Subject)
            .ThenBy(j => j.Reason, StringComparer.Ordinal)
            .Select(j => new JustificationNote(Spellings.Of(j.Subject), j.SubjectId, j.Reason, j.Owner, j.Expires, j.IsInForce(analysis.AsOf)))];

    /// <summary>Who can open files of a unit (through a unit-scope grant on it or above it).</summary>
    public static TargetExplanation ExplainUnit(Analysis analysis, string unitId)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var unit = UnitIndex(analysis.Snapshot, unitId, required: true);
        return Reverse(analysis, new ExplainTarget("unit", unitId, unitId, UnitName(analysis.Snapshot, unit)), unit, file: null);
    }

    /// <summary>Who can open one file: unit-scope grants over its unit, caseload grants of those who hold it, shares.</summary>
    public static TargetExplanation ExplainFile(Analysis analysis, FileFacts file)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(file);
        var unit = UnitIndex(analysis.Snapshot, file.UnitId, required: false);
        return Reverse(analysis, new ExplainTarget("file", file.FileId, file.UnitId, UnitName(analysis.Snapshot, unit)), unit, file);
    }

    private static TargetExplanation Reverse(
        Analysis analysis, ExplainTarget target, int unit, FileFacts? file)
    {
        var snapshot = analysis.Snapshot;
        var asOf = analysis.AsOf;
        var closure = analysis.Closure;
        var holders = analysis.Holders;
        var via = new SortedDictionary<int, SortedSet<string>>();
        void Add(int p, string how)
        {
            if (!via.TryGetValue(p, out var set))
            {
                via[p] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(how);
        }

        var covering = new List<CoveringGrant>();
        for (var a = 0; a < snapshot.Assignments.Length; a++)
        {
            var assignment = snapshot.Assignments[a];
            if (unit < 0 || assignment.Scope != AssignmentScope.Unit || !analysis.Grants(a)
                || !snapshot.Units.IsInSubtree(unit, assignment.ScopeUnit))
            {
                continue;
            }

            var affected = holders.Of(assignment);
            foreach (var p in affected)
            {
                Add(p, assignment.Id);
            }

            covering.Add(new CoveringGrant(
                assignment.Id, snapshot.Roles.Ids[assignment.Role], snapshot.Roles.Names[assignment.Role], snapshot.Roles.Sensitive[assignment.Role],
                Spellings.Of(assignment.HolderType),
                assignment.HolderType == HolderType.Group ? snapshot.GroupIds[assignment.Holder] : snapshot.Principals.Ids[assignment.Holder],
                snapshot.Units.Ids[assignment.ScopeUnit], snapshot.Units.Names[assignment.ScopeUnit], affected.Length));
        }

        if (file is not null)
        {
            var grants = analysis.GrantsByHolder;
            var groups = new List<int>();
            var mark = new int[snapshot.GroupCount];
            var stamp = 0;
            foreach (var principalId in file.CaseloadPrincipalIds.Distinct(StringComparer.Ordinal))
            {
                if (!snapshot.TryGetPrincipal(principalId, out var p))
                {
                    continue;
                }

                groups.Clear();
                closure.EffectiveGroupsOf(p, groups, mark, ++stamp);
                var caseloadGrant = grants.OfPrincipal(p).ToArray().Concat(groups.SelectMany(g => grants.OfGroup(g).ToArray()))
                    .Any(a => snapshot.Assignments[a].Scope == AssignmentScope.Caseload);
                if (caseloadGrant)
                {
                    Add(p, "caseload");
                }
            }

            foreach (var (principalId, validUntil) in file.Shares)
            {
                if (snapshot.TryGetPrincipal(principalId, out var p) && Validity.InForce(validUntil, asOf))
                {
                    Add(p, "share");
                }
            }
        }

        var principals = snapshot.Principals;
        var reaching = via.Select(kv => new ReachingPrincipal(
                principals.Ids[kv.Key], principals.Kinds[kv.Key], principals.Organizations[kv.Key],
                principals.Active[kv.Key], principals.Mfa[kv.Key], [.. kv.Value]))
            .OrderBy(r => r.PrincipalId, StringComparer.Ordinal)
            .ToList();
        static List<KeyValuePair<string, int>> Count(IEnumerable<string> keys) =>
            [.. keys.GroupBy(k => k, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, int>(g.Key, g.Count()))
                .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)];

        var header = new ReportHeader(snapshot.SourceName, asOf);
        return new TargetExplanation(header, target,
            [.. covering.OrderByDescending(c => c.Holders).ThenBy(c => c.AssignmentId, NaturalOrder.Instance)],
            reaching,
            Count(reaching.Select(r => Spellings.Of(r.Kind))),
            Count(reaching.Select(r => r.Organization)));
    }

    /// <summary>Every simple membership path from the principal to the assignment's holder.</summary>
    /// <summary>
    /// The membership paths from principal <paramref name="p"/> to the holder of <paramref name="assignment"/>: the first
    /// <see cref="MaxPathsPerGrant"/> listed, the rest counted. Paths run over the condensation (a membership cycle is one
    /// step, written as its groups joined by ⇄), so there are finitely many, and they are counted by dynamic programming
    /// over the components the principal reaches — polynomial however densely groups nest. The count saturates at
    /// <see cref="long.MaxValue"/>.
    /// </summary>
    private static (IReadOnlyList<IReadOnlyList<string>> Paths, long Omitted) Paths(
        Snapshot snapshot, MembershipClosure closure, int p, Assignment assignment)
    {
        var principalId = snapshot.Principals.Ids[p];
        if (assignment.HolderType == HolderType.Principal)
        {
            return ([[principalId]], 0);
        }

        var target = closure.ComponentOf(assignment.Holder);
        var starts = new List<int>();
        foreach (var g in closure.DirectGroupsOf(p))
        {
            var c = closure.ComponentOf(g);
            if (!starts.Contains(c))
            {
                starts.Add(c);
            }
        }

        // Paths from each reached component to the target, after its parents (iterative post-order: deep nesting must
        // not overflow the stack).
        var count = new Dictionary<int, long>();
        foreach (var root in starts)
        {
            var stack = new Stack<(int Component, int Next)>();
            if (!count.ContainsKey(root))
            {
                stack.Push((root, 0));
                count[root] = -1; // on the way
            }

            while (stack.Count > 0)
            {
                var (c, next) = stack.Pop();
                var parents = closure.ParentComponentsOf(c);
                if (c != target && next < parents.Length)
                {
                    stack.Push((c, next + 1));
                    var d = parents[next];
                    if (!count.ContainsKey(d))
                    {
                        count[d] = -1;
                        stack.Push((d, 0));
                    }

                    continue;
                }

                long paths = 0;
                if (c == target)
                {
                    paths = 1;
                }
                else
                {
                    foreach (var d in parents)
                    {
                        paths = SaturatingAdd(paths, count[d]);
                    }
                }

                count[c] = paths;
            }
        }

        long total = 0;
        foreach (var root in starts)
        {
            total = SaturatingAdd(total, count[root]);
        }

        // The first paths, depth first along components that lead to the target.
        var listed = new List<IReadOnlyList<string>>();
        foreach (var root in starts)
        {
            if (count[root] == 0)
            {
                continue;
            }

            var path = new List<int> { root };
            var cursor = new List<int> { 0 };
            while (path.Count > 0 && listed.Count < MaxPathsPerGrant)
            {
                var c = path[^1];
                if (c == target)
                {
                    listed.Add([principalId, .. path.Select(component => ComponentText(snapshot, closure, component))]);
                    path.RemoveAt(path.Count - 1);
                    cursor.RemoveAt(cursor.Count - 1);
                    continue;
                }

                var parents = closure.ParentComponentsOf(c);
                var i = cursor[^1];
                while (i < parents.Length && count.GetValueOrDefault(parents[i]) <= 0)
                {
                    i++;
                }

                if (i == parents.Length)
                {
                    path.RemoveAt(path.Count - 1);
                    cursor.RemoveAt(cursor.Count - 1);
                    continue;
                }

                cursor[^1] = i + 1;
                path.Add(parents[i]);
                cursor.Add(0);
            }
        }

        return (listed, total - listed.Count);
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>A group's id, or a membership cycle's groups joined by ⇄.</summary>
    private static string ComponentText(Snapshot snapshot, MembershipClosure closure, int component)
    {
        var groups = closure.GroupsOf(component);
        return groups.Length == 1
            ? snapshot.GroupIds[groups[0]]
            : string.Join(" ⇄ ", groups.ToArray().Select(g => snapshot.GroupIds[g]));
    }

    private static bool HasCaseloadIn(Snapshot snapshot, int p, int unit)
    {
        foreach (var entry in snapshot.CaseloadOf(p))
        {
            if (entry.Unit == unit)
            {
                return true;
            }
        }

        return false;
    }

    private static long FilesInSubtree(Snapshot snapshot, long[][] prefix, int unit)
    {
        int start = snapshot.Units.Pre[unit], end = snapshot.Units.End[unit];
        long total = 0;
        for (var c = 0; c < FileClasses.Count; c++)
        {
            total += prefix[c][end] - prefix[c][start];
        }

        return total;
    }

    private static string? UnitName(Snapshot snapshot, int unit) => unit >= 0 ? snapshot.Units.Names[unit] : null;

    private static int PrincipalIndex(Snapshot snapshot, string principalId)
    {
        return snapshot.TryGetPrincipal(principalId, out var p) ? p : throw new InputErrorException("principals", null, "id", $"principal '{principalId}' not found");
    }

    private static int UnitIndex(Snapshot snapshot, string unitId, bool required)
    {
        return snapshot.TryGetUnit(unitId, out var u) || !required ? u : throw new InputErrorException("org_units", null, "id", $"unit '{unitId}' not found");
    }
}
