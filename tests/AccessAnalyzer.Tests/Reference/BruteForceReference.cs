using System.Globalization;

namespace AccessAnalyzer.Tests.Reference;

/// <summary>The six per-principal figures the differential test compares.</summary>
public readonly record struct RefFigures(
    long ReachableFiles, long CaseloadFiles, long CaseloadInReach, long ExcessFiles, long SensitiveExcessFiles, long ClosedFilesInReach,
    long JustifiedFiles = 0)
{
    public override string ToString() =>
        $"reach={ReachableFiles} caseload={CaseloadFiles} caseloadInReach={CaseloadInReach} excess={ExcessFiles} " +
        $"sensitiveExcess={SensitiveExcessFiles} closedInReach={ClosedFilesInReach} justified={JustifiedFiles}";
}

/// <summary>Distinct files a set of accounts reaches: unions of per-account file sets.</summary>
public readonly record struct RefDistinct(long Reachable, long Excess, long SensitiveExcess, long Phishable);

/// <summary>
/// An independent, deliberately naive statement of DESIGN.md "Semantics": for every principal it walks every file and
/// decides membership of reach one (principal, file) pair at a time. No intervals, no prefix sums, no aggregation and
/// no code from src/: only the rows of a <see cref="RandomDataset"/>, read as strings.
/// </summary>
public static class BruteForceReference
{
    public static Dictionary<string, RefFigures> Compute(RandomDataset data) =>
        Walk(data).ToDictionary(a => a.Id, a => a.Figures, StringComparer.Ordinal);

    /// <summary>
    /// Distinct figures for every account together and per organisation, as plain set unions of the per-account file
    /// sets: reach, excess (reach minus caseload), sensitive excess, and the reach of accounts without MFA.
    /// </summary>
    public static (RefDistinct All, Dictionary<string, RefDistinct> Organizations) ComputeDistinct(RandomDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var accounts = Walk(data);
        var mfa = data.Principals.ToDictionary(p => p.Id, p => Flag(p.Mfa), StringComparer.Ordinal);
        var organization = data.Principals.ToDictionary(p => p.Id, p => p.Organization, StringComparer.Ordinal);

        RefDistinct Union(IEnumerable<AccountFiles> set)
        {
            var list = set.ToList();
            return new RefDistinct(
                list.SelectMany(a => a.Reach).Distinct(StringComparer.Ordinal).LongCount(),
                list.SelectMany(a => a.Excess).Distinct(StringComparer.Ordinal).LongCount(),
                list.SelectMany(a => a.SensitiveExcess).Distinct(StringComparer.Ordinal).LongCount(),
                list.Where(a => !mfa[a.Id]).SelectMany(a => a.Reach).Distinct(StringComparer.Ordinal).LongCount());
        }

        return (Union(accounts), accounts.GroupBy(a => organization[a.Id], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, Union, StringComparer.Ordinal));
    }

    /// <summary>One account's files, by id: what it reaches, and which of them are excess and sensitive excess.</summary>
    private sealed record AccountFiles(
        string Id, RefFigures Figures, HashSet<string> Reach, HashSet<string> Excess, HashSet<string> SensitiveExcess);

    private static List<AccountFiles> Walk(RandomDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var asOf = data.AsOf;

        var unitParent = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var u in data.Units)
        {
            unitParent.Add(u.Id, u.ParentId);
        }

        var principals = data.Principals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var groups = data.Groups.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var roles = data.Roles.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var files = data.Files.ToDictionary(f => f.Id, StringComparer.Ordinal);

        // Units at or above each file's unit, by walking parent links up to a root (or to a parent that does not
        // exist: an orphan is the root of its own tree). A file whose unit is missing has none.
        var unitsAbove = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var f in data.Files)
        {
            var above = new HashSet<string>(StringComparer.Ordinal);
            var u = f.UnitId;
            while (unitParent.TryGetValue(u, out var parent) && above.Add(u))
            {
                u = parent;
            }

            unitsAbove[f.Id] = above;
        }

        // Justifications in force on the as-of date (the day itself counts); an expired one counts for nothing.
        var inForce = (data.Justifications ?? []).Where(j => DateOnly.ParseExact(j.Expires, RandomDataset.DateFormat, CultureInfo.InvariantCulture) >= asOf).ToList();
        bool Justified(string type, string id) => inForce.Any(j => j.SubjectType == type && j.SubjectId == id);

        var result = new List<AccountFiles>();
        foreach (var p in data.Principals.Select(p => p.Id))
        {
            var memberOf = GroupsOf(p, data, groups);
            var principalJustified = Justified("principal", p);

            var justifiedUnitScopes = new List<string>();
            var unitScopes = new List<string>();
            var sensitiveUnitScopes = new List<string>();
            var caseloadScope = false;
            foreach (var a in data.Assignments)
            {
                var held = a.HolderType switch
                {
                    "principal" => a.HolderId == p && principals.Contains(a.HolderId),
                    "group" => memberOf.Contains(a.HolderId),
                    _ => throw new InvalidOperationException($"holder_type {a.HolderType}"),
                };
                if (!held || !roles.TryGetValue(a.RoleId, out var role) || !Flag(role.FileAccess) || !InForce(a.ValidUntil, asOf))
                {
                    continue;
                }

                switch (a.Scope)
                {
                    case "unit" when unitParent.ContainsKey(a.ScopeUnitId):
                        unitScopes.Add(a.ScopeUnitId);
                        if (Justified("assignment", a.Id) || Justified("role", a.RoleId))
                        {
                            justifiedUnitScopes.Add(a.ScopeUnitId);
                        }

                        if (Flag(role.Sensitive))
                        {
                            sensitiveUnitScopes.Add(a.ScopeUnitId);
                        }

                        break;
                    case "unit":
                        break; // scope unit missing: grants nothing
                    case "caseload":
                        caseloadScope = true;
                        break;
                    default:
                        throw new InvalidOperationException($"scope {a.Scope}");
                }
            }

            var caseload = data.Caseload.Where(c => c.PrincipalId == p && files.ContainsKey(c.FileId))
                .Select(c => c.FileId).ToHashSet(StringComparer.Ordinal);
            var sharedInForce = (data.Shares ?? []).Where(s => s.PrincipalId == p && files.ContainsKey(s.FileId) && InForce(s.ValidUntil, asOf))
                .Select(s => s.FileId).ToHashSet(StringComparer.Ordinal);

            long reach = 0, caseloadInReach = 0, sensitiveExcess = 0, closedInReach = 0, justifiedFiles = 0;
            HashSet<string> reachSet = new(StringComparer.Ordinal), excessSet = new(StringComparer.Ordinal),
                sensitiveExcessSet = new(StringComparer.Ordinal);
            foreach (var f in data.Files)
            {
                var above = unitsAbove[f.Id];
                var inCaseload = caseload.Contains(f.Id);
                var inReach = unitScopes.Any(above.Contains)
                    || (caseloadScope && inCaseload)
                    || sharedInForce.Contains(f.Id);

                // Beyond the caseload and covered by a justification: through a justified role or assignment, or any
                // reach of a justified principal. Neither excess nor sensitive excess.
                var justified = inReach && !inCaseload && (principalJustified || justifiedUnitScopes.Any(above.Contains));
                if (inReach)
                {
                    reach++;
                    reachSet.Add(f.Id);
                    if (inCaseload)
                    {
                        caseloadInReach++;
                    }
                    else if (justified)
                    {
                        justifiedFiles++;
                    }
                    else
                    {
                        excessSet.Add(f.Id);
                    }

                    if (Flag(f.Closed))
                    {
                        closedInReach++;
                    }
                }

                if (Flag(f.Sensitive) && !inCaseload && !justified && sensitiveUnitScopes.Any(above.Contains))
                {
                    sensitiveExcess++;
                    sensitiveExcessSet.Add(f.Id);
                }
            }

            result.Add(new AccountFiles(
                p, new RefFigures(reach, caseload.Count, caseloadInReach, reach - caseloadInReach - justifiedFiles, sensitiveExcess, closedInReach,
                    justifiedFiles),
                reachSet, excessSet, sensitiveExcessSet));
        }

        return result;
    }

    /// <summary>
    /// Every existing group the principal belongs to, directly or through nesting: plain reachability over
    /// "member group -> enclosing group" edges with a visited set, so cycles terminate and every member of a cycle
    /// ends up in every group of it.
    /// </summary>
    private static HashSet<string> GroupsOf(string principal, RandomDataset data, HashSet<string> groups)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        foreach (var m in data.Memberships)
        {
            if (m.MemberType == "principal" && m.MemberId == principal && groups.Contains(m.GroupId) && visited.Add(m.GroupId))
            {
                pending.Push(m.GroupId);
            }
        }

        while (pending.Count > 0)
        {
            var g = pending.Pop();
            foreach (var m in data.Memberships)
            {
                if (m.MemberType == "group" && m.MemberId == g && groups.Contains(m.GroupId) && visited.Add(m.GroupId))
                {
                    pending.Push(m.GroupId);
                }
            }
        }

        return visited;
    }

    /// <summary>In force unless valid_until is before the as-of date; the day itself counts; empty is forever.</summary>
    private static bool InForce(string validUntil, DateOnly asOf) =>
        validUntil.Length == 0
        || DateOnly.ParseExact(validUntil, RandomDataset.DateFormat, CultureInfo.InvariantCulture) >= asOf;

    private static bool Flag(string value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw new InvalidOperationException($"boolean {value}"),
    };
}
