using System.Globalization;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Reference;

/// <summary>
/// A grant's impact "as if it were the holders' only grant" against a brute force over every (holder, file) pair, on
/// random datasets with nested groups, cycles, expired grants, caseload scopes and overlapping grants.
/// </summary>
public sealed class GrantImpactTests
{
    private const int FirstSeed = 500;
    private const int SeedCount = 80;

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(FirstSeed, SeedCount)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Granted_alone_matches_brute_force(int seed) => Check(seed);

    [Fact]
    public void Random_datasets_exercise_non_zero_figures()
    {
        // Some small datasets have no unit grant in force with holders; most must, or the comparison proves little.
        var seeds = Enumerable.Range(FirstSeed, SeedCount).ToList();
        seeds.Count(seed => Check(seed) > 0).Should().BeGreaterThan(seeds.Count / 2);
    }

    /// <summary>Compares every assignment of one dataset; returns how many have a non-zero figure.</summary>
    private static int Check(int seed)
    {
        var data = RandomDataset.Create(seed);
        var directory = Path.Combine(Path.GetTempPath(), $"aa-alone-{seed}-{Environment.ProcessId}");
        try
        {
            data.WriteCsv(directory);
            var analysis = Analysis.Run(TestSources.Load(directory), new AnalysisOptions { AsOf = data.AsOf });
            var snapshot = analysis.Snapshot;
            var mismatches = new List<string>();
            var nonZero = 0;
            for (var a = 0; a < snapshot.Assignments.Length; a++)
            {
                var engine = analysis.GrantedAlone(a);
                var (excess, sensitive) = Reference(data, snapshot.Assignments[a].Id);
                nonZero += excess > 0 ? 1 : 0;
                if (engine.Excess != excess || engine.SensitiveExcess != sensitive)
                {
                    mismatches.Add($"assignment '{snapshot.Assignments[a].Id}': engine {engine.Excess}/{engine.SensitiveExcess}, reference {excess}/{sensitive}");
                }
            }

            mismatches.Should().BeEmpty($"seed {seed} ({data})");
            return nonZero;
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Σ over holders of files under the scope unit not in the holder's caseload (sensitive ones for a sensitive role).</summary>
    private static (long Excess, long Sensitive) Reference(RandomDataset data, string assignmentId)
    {
        var a = data.Assignments.First(x => x.Id == assignmentId);
        var role = data.Roles.First(r => r.Id == a.RoleId);
        var inForce = a.ValidUntil.Length == 0
            || DateOnly.ParseExact(a.ValidUntil, RandomDataset.DateFormat, CultureInfo.InvariantCulture) >= data.AsOf;
        var units = data.Units.ToDictionary(u => u.Id, u => u.ParentId, StringComparer.Ordinal);
        if (role.FileAccess != "true" || !inForce || a.Scope != "unit" || !units.ContainsKey(a.ScopeUnitId))
        {
            return (0, 0);
        }

        bool Under(string unitId)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var u = unitId; units.ContainsKey(u) && seen.Add(u); u = units[u])
            {
                if (u == a.ScopeUnitId)
                {
                    return true;
                }
            }

            return false;
        }

        var holders = a.HolderType == "principal"
            ? data.Principals.Where(p => p.Id == a.HolderId).Select(p => p.Id).ToList()
            : data.Principals.Select(p => p.Id).Where(p => GroupsOf(p, data).Contains(a.HolderId)).ToList();
        long excess = 0, sensitive = 0;
        foreach (var p in holders)
        {
            var caseload = data.Caseload.Where(c => c.PrincipalId == p).Select(c => c.FileId).ToHashSet(StringComparer.Ordinal);
            foreach (var f in data.Files.Where(f => Under(f.UnitId) && !caseload.Contains(f.Id)))
            {
                excess++;
                sensitive += role.Sensitive == "true" && f.Sensitive == "true" ? 1 : 0;
            }
        }

        return (excess, sensitive);
    }

    private static HashSet<string> GroupsOf(string principal, RandomDataset data)
    {
        var groups = data.Groups.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(data.Memberships
            .Where(m => m.MemberType == "principal" && m.MemberId == principal && groups.Contains(m.GroupId)).Select(m => m.GroupId));
        while (pending.Count > 0)
        {
            var g = pending.Pop();
            if (!visited.Add(g))
            {
                continue;
            }

            foreach (var m in data.Memberships.Where(m => m.MemberType == "group" && m.MemberId == g && groups.Contains(m.GroupId)))
            {
                pending.Push(m.GroupId);
            }
        }

        return visited;
    }
}
