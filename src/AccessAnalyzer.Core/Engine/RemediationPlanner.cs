using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Core.Engine;

/// <summary>Plan settings.</summary>
public sealed record PlanOptions
{
    /// <summary>Keep only the N changes that remove the most excess (cumulative figures and totals follow the list).</summary>
    public int? Top { get; init; }

    /// <summary>With access events: a grant nobody exercised outside caseload for this many days is proposed for narrowing.</summary>
    public int UnusedDays { get; init; } = 90;
}

/// <summary>
/// Ranked remediation: for every assignment that grants reach, the exact excess each possible change removes
/// (recomputing every holder's figures with the change applied), the change to propose, and the cumulative effect
/// of applying the ranked changes one after another.
/// <para>
/// Which change is proposed: <c>remove</c> when no holder would lose a caseload file by it; otherwise
/// <c>narrow-to-unit</c> when the lowest unit covering every holder's caseload inside the scope is strictly below
/// the scope (the team keeps its working area); otherwise <c>narrow-to-caseload</c>. The alternatives are listed too.
/// </para>
/// <para>
/// Cost: one re-computation of a holder's figures per (assignment, holder, option): O(Σ over principals of
/// grants × (k log k + caseload entries)), i.e. linear in assignments × holders, never in files.
/// </para>
/// </summary>
public static class RemediationPlanner
{
    public static RemediationPlan Plan(Analysis analysis, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = analysis.Snapshot;
        var calculator = analysis.Calculator;
        var baseline = analysis.Principals.ToArray();
        var holders = analysis.Holders;
        var depth = Depths(snapshot.Units);
        var usage = snapshot.UsageIndex is { } index ? new UsageWindow(index, analysis.AsOf.AddDays(-options.UnusedDays)) : null;

        var candidates = new List<Candidate>();
        var scratch = calculator.NewScratch();
        for (var a = 0; a < snapshot.Assignments.Length; a++)
        {
            var assignment = snapshot.Assignments[a];
            if (!analysis.Grants(a) || assignment.Scope != AssignmentScope.Unit)
            {
                continue; // a caseload-scope grant adds no excess; a grant not in force adds nothing
            }

            if (calculator.Justified.Covers(a, assignment.Role))
            {
                continue; // a recorded need: listed apart as left alone, never proposed for change
            }

            var affected = holders.Of(assignment);
            if (affected.Length == 0)
            {
                continue;
            }

            var options3 = new List<(GrantChange Change, Delta Delta)>();
            var remove = Evaluate(calculator, scratch, baseline, affected, a, new GrantChange(GrantChangeKind.Removed));
            options3.Add((new GrantChange(GrantChangeKind.Removed), remove));
            var toCaseload = Evaluate(calculator, scratch, baseline, affected, a, new GrantChange(GrantChangeKind.CaseloadScope));
            options3.Add((new GrantChange(GrantChangeKind.CaseloadScope), toCaseload));
            var lowest = LowestCoveringUnit(snapshot, depth, affected, assignment.ScopeUnit);
            if (lowest >= 0 && lowest != assignment.ScopeUnit)
            {
                var toUnit = Evaluate(calculator, scratch, baseline, affected, a, new GrantChange(GrantChangeKind.UnitScope, lowest));
                options3.Add((new GrantChange(GrantChangeKind.UnitScope, lowest), toUnit));
            }

            var evidence = usage?.Evidence(snapshot, affected, assignment.ScopeUnit, options.UnusedDays);
            var chosen = remove.CaseloadLost == 0 ? options3[0]
                : evidence is { Used: false } ? options3[1] // nobody used the wider scope: keep the caseload only
                : options3.Count == 3 ? options3[2]
                : options3[1];
            if (chosen.Delta.Excess <= 0)
            {
                continue;
            }

            candidates.Add(new Candidate(a, affected.Length, chosen.Change, chosen.Delta, options3, evidence));
        }

        var ranked = candidates
            .OrderByDescending(c => c.Delta.Excess)
            .ThenByDescending(c => c.Delta.SensitiveExcess)
            .ThenByDescending(c => c.Holders)
            .ThenBy(c => snapshot.Assignments[c.Assignment].Id, StringComparer.Ordinal)
            .Take(options.Top is { } top ? Math.Max(0, top) : int.MaxValue)
            .ToList();

        // Apply the ranked changes one after another; only the holders of a changed assignment can change.
        var state = new GrantChange[snapshot.Assignments.Length];
        var current = (PrincipalExposure[])baseline.Clone();
        long excessBefore = baseline.Sum(e => e.ExcessFiles), sensitiveBefore = baseline.Sum(e => e.SensitiveExcessFiles);
        long exposureBefore = baseline.Sum(e => e.ReachableFiles);
        long excessNow = excessBefore, sensitiveNow = sensitiveBefore, exposureNow = exposureBefore;
        var items = new List<PlanItem>(ranked.Count);
        foreach (var candidate in ranked)
        {
            state[candidate.Assignment] = candidate.Change;
            foreach (var p in holders.Of(snapshot.Assignments[candidate.Assignment]))
            {
                var after = calculator.Compute(p, scratch, state);
                excessNow += after.ExcessFiles - current[p].ExcessFiles;
                sensitiveNow += after.SensitiveExcessFiles - current[p].SensitiveExcessFiles;
                exposureNow += after.ReachableFiles - current[p].ReachableFiles;
                current[p] = after;
            }

            items.Add(Item(analysis, items.Count + 1, candidate, excessBefore - excessNow, sensitiveBefore - sensitiveNow));
        }

        var header = new ReportHeader(snapshot.SourceName, analysis.AsOf);
        var totals = new PlanTotals(exposureBefore, excessBefore, sensitiveBefore, exposureNow, excessNow, sensitiveNow);
        return new RemediationPlan(header, totals, items, LeftAlone(analysis));
    }

    /// <summary>Every justification in force with the reach beyond the caseload it covers, by subject.</summary>
    private static List<JustifiedReach> LeftAlone(Analysis analysis)
    {
        var snapshot = analysis.Snapshot;
        var result = new List<JustifiedReach>();
        foreach (var j in snapshot.Justifications)
        {
            if (!j.IsInForce(analysis.AsOf))
            {
                continue;
            }

            var (name, reach) = j.Subject switch
            {
                JustificationSubject.Role => (snapshot.Roles.Names[j.Index], Enumerable.Range(0, snapshot.Assignments.Length)
                    .Where(a => snapshot.Assignments[a].Role == j.Index)
                    .Sum(a => analysis.GrantedAlone(a).Excess)),
                JustificationSubject.Assignment => (
                    Labels.RoleAtScope(snapshot, snapshot.Assignments[j.Index]), analysis.GrantedAlone(j.Index).Excess),
                _ => (snapshot.Principals.Names[j.Index], analysis.Principals[j.Index].JustifiedFiles),
            };
            result.Add(new JustifiedReach(Spellings.Of(j.Subject), j.SubjectId, name, j.Reason, j.Owner, j.Expires, reach));
        }

        return [.. result
            .OrderBy(r => r.SubjectType, StringComparer.Ordinal)
            .ThenBy(r => r.SubjectId, StringComparer.Ordinal)
            .ThenBy(r => r.Expires)
            .ThenBy(r => r.Reason, StringComparer.Ordinal)];
    }

    private static Delta Evaluate(
        ExposureCalculator calculator, ExposureCalculator.Scratch scratch, PrincipalExposure[] baseline,
        ReadOnlySpan<int> affected, int assignment, GrantChange change)
    {
        long excess = 0, sensitive = 0, caseloadLost = 0;
        foreach (var p in affected)
        {
            var after = calculator.Compute(p, scratch, state: null, assignment, change);
            excess += baseline[p].ExcessFiles - after.ExcessFiles;
            sensitive += baseline[p].SensitiveExcessFiles - after.SensitiveExcessFiles;
            caseloadLost += baseline[p].CaseloadInReach - after.CaseloadInReach;
        }

        return new Delta(excess, sensitive, caseloadLost);
    }

    /// <summary>
    /// The lowest unit inside <paramref name="scope"/> whose subtree holds every caseload file of every holder that lies
    /// in the scope; -1 when no holder has caseload there (then narrowing to a unit makes no sense).
    /// </summary>
    private static int LowestCoveringUnit(Snapshot snapshot, int[] depth, ReadOnlySpan<int> affected, int scope)
    {
        var units = snapshot.Units;
        var lowest = -1;
        foreach (var p in affected)
        {
            foreach (var entry in snapshot.CaseloadOf(p))
            {
                if (entry.Unit < 0 || !units.IsInSubtree(entry.Unit, scope))
                {
                    continue;
                }

                lowest = lowest < 0 ? entry.Unit : CommonAncestor(units, depth, lowest, entry.Unit);
                if (lowest == scope)
                {
                    return scope;
                }
            }
        }

        return lowest;
    }

    private static int CommonAncestor(OrgTree units, int[] depth, int x, int y)
    {
        while (depth[x] > depth[y])
        {
            x = units.Parent[x];
        }

        while (depth[y] > depth[x])
        {
            y = units.Parent[y];
        }

        while (x != y)
        {
            x = units.Parent[x];
            y = units.Parent[y];
        }

        return x;
    }

    private static int[] Depths(OrgTree units)
    {
        // Pre-order visits a parent before its children, so one pass in position order suffices.
        var depth = new int[units.Count];
        for (var position = 0; position < units.Count; position++)
        {
            var unit = units.UnitAtPosition[position];
            depth[unit] = units.Parent[unit] < 0 ? 0 : depth[units.Parent[unit]] + 1;
        }

        return depth;
    }

    private static PlanItem Item(Analysis analysis, int rank, Candidate c, long cumulative, long cumulativeSensitive)
    {
        var snapshot = analysis.Snapshot;
        var a = snapshot.Assignments[c.Assignment];
        var alone = analysis.GrantedAlone(c.Assignment);
        string? UnitId(int unit) => unit >= 0 ? snapshot.Units.Ids[unit] : null;
        string? UnitName(int unit) => unit >= 0 ? snapshot.Units.Names[unit] : null;
        var newUnit = c.Change.Kind == GrantChangeKind.UnitScope ? c.Change.Unit : -1;
        return new PlanItem(
            rank, a.Id, snapshot.Roles.Ids[a.Role], snapshot.Roles.Names[a.Role],
            a.HolderType == HolderType.Group ? snapshot.GroupIds[a.Holder] : snapshot.Principals.Ids[a.Holder],
            Spellings.Of(a.HolderType),
            UnitId(a.ScopeUnit), UnitName(a.ScopeUnit), ToChange(c.Change.Kind), UnitId(newUnit), UnitName(newUnit),
            c.Holders, c.Delta.Excess, c.Delta.SensitiveExcess, cumulative, cumulativeSensitive,
            [.. c.Options.Select(o =>
            {
                var unit = o.Change.Kind == GrantChangeKind.UnitScope ? o.Change.Unit : -1;
                return new PlanAlternative(ToChange(o.Change.Kind), UnitId(unit), UnitName(unit),
                    o.Delta.Excess, o.Delta.SensitiveExcess, o.Delta.CaseloadLost);
            })], c.Evidence, alone.Excess, alone.SensitiveExcess);
    }

    private static RemediationChange ToChange(GrantChangeKind kind) => kind switch
    {
        GrantChangeKind.Removed => RemediationChange.Remove,
        GrantChangeKind.CaseloadScope => RemediationChange.NarrowToCaseload,
        GrantChangeKind.UnitScope => RemediationChange.NarrowToUnit,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private readonly record struct Delta(long Excess, long SensitiveExcess, long CaseloadLost);

    private sealed record Candidate(int Assignment, int Holders, GrantChange Change, Delta Delta, List<(GrantChange Change, Delta Delta)> Options, UsageEvidence? Evidence);

    /// <summary>Reads outside caseload on or after the window's start, from the interned access log.</summary>
    private sealed class UsageWindow(UsageIndex usage, DateOnly since)
    {
        public UsageEvidence Evidence(Snapshot snapshot, ReadOnlySpan<int> holders, int scope, int days)
        {
            var readers = 0;
            DateOnly? latest = null;
            foreach (var p in holders)
            {
                var read = false;
                foreach (var unitRead in usage.UnitReadsOf(p))
                {
                    if (unitRead.LastReadOutsideCaseload is { } last && last >= since && snapshot.Units.IsInSubtree(unitRead.Unit, scope))
                    {
                        read = true;
                        latest = latest is { } l && l >= last ? l : last;
                    }
                }

                readers += read ? 1 : 0;
            }

            var where = Labels.Unit(snapshot, scope);
            var text = readers == 0
                ? $"no holder read a file outside its caseload in {where} in the last {days} days"
                : $"{readers} holder(s) read files outside their caseload in {where} in the last {days} days (last on {latest:yyyy-MM-dd})";
            return new UsageEvidence(readers > 0, days, readers, latest, text);
        }
    }
}
