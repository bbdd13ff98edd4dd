using System.Globalization;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Reference;

/// <summary>
/// The fast engine (CSV source, snapshot, interval arithmetic) against the brute-force reference on seeded random
/// datasets; and the reference itself against figures worked out by hand, so the oracle is checked too.
/// </summary>
public sealed class DifferentialTests
{
    public const int SeedCount = 250;

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= SeedCount; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    public static TheoryData<string> HandCases()
    {
        var cases = new TheoryData<string>();
        foreach (var name in HandComputed.Names)
        {
            cases.Add(name);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Engine_matches_brute_force_reference_on_random_dataset(int seed)
    {
        var data = RandomDataset.Create(seed);
        var expected = BruteForceReference.Compute(data);
        AssertEngineMatches(data, expected, $"seed {seed}");
    }

    [Theory]
    [MemberData(nameof(HandCases))]
    public void Brute_force_reference_gives_hand_computed_figures(string name)
    {
        var (data, expected) = HandComputed.Get(name);

        var actual = BruteForceReference.Compute(data);

        actual.Should().BeEquivalentTo(expected, $"hand-computed case {name}");
    }

    [Theory]
    [MemberData(nameof(HandCases))]
    public void Engine_gives_hand_computed_figures(string name)
    {
        var (data, expected) = HandComputed.Get(name);
        AssertEngineMatches(data, expected, $"hand-computed case {name}");
    }

    [Fact]
    public void Random_datasets_are_deterministic_well_formed_and_cover_every_edge()
    {
        RandomDataset.Create(42).Should().BeEquivalentTo(RandomDataset.Create(42), o => o.WithStrictOrdering());

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var seed = 1; seed <= SeedCount; seed++)
        {
            var d = RandomDataset.Create(seed);
            var because = $"seed {seed}";
            string[][] keyed =
            [
                [.. d.Units.Select(u => u.Id)], [.. d.Principals.Select(p => p.Id)], [.. d.Groups.Select(g => g.Id)],
                [.. d.Roles.Select(r => r.Id)], [.. d.Assignments.Select(a => a.Id)], [.. d.Files.Select(f => f.Id)],
            ];
            foreach (var ids in keyed)
            {
                ids.Should().OnlyHaveUniqueItems(because);
                ids.Should().NotContain(id => id.Length == 0 || id.Length > 64, because);
            }

            d.Units.Count.Should().BeInRange(1, 40, because);
            d.Principals.Count.Should().BeInRange(0, 30, because);
            d.Groups.Count.Should().BeInRange(0, 15, because);
            d.Files.Count.Should().BeInRange(0, 300, because);
            Cover(seen, d);
        }

        seen.Should().BeEquivalentTo(AllEdges, "the generator must exercise every edge over the seeds");
    }

    [Fact]
    public void Csv_fields_are_quoted_per_rfc_4180()
    {
        RandomDataset.CsvField("plain é").Should().Be("plain é");
        RandomDataset.CsvField("a,b").Should().Be("\"a,b\"");
        RandomDataset.CsvField("say \"hi\"").Should().Be("\"say \"\"hi\"\"\"");
        RandomDataset.CsvField("two\nlines").Should().Be("\"two\nlines\"");
        RandomDataset.CsvField("cr\rhere").Should().Be("\"cr\rhere\"");
        RandomDataset.CsvField("").Should().Be("");
    }

    private static RefDistinct Ref(DistinctFigures f) => new(f.Reachable, f.Excess, f.SensitiveExcess, f.Phishable);

    private static void AssertEngineMatches(RandomDataset data, Dictionary<string, RefFigures> expected, string label)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"aa-reference-{Guid.NewGuid():N}");
        try
        {
            data.WriteCsv(directory);
            var snapshot = TestSources.Load(directory);
            var result = Analysis.Run(snapshot, new AnalysisOptions { AsOf = data.AsOf });

            result.Principals.Length.Should().Be(expected.Count, $"{label}: one result per principal ({data})");
            snapshot.Principals.Ids.Should().BeEquivalentTo(expected.Keys, $"{label}: the snapshot holds exactly the principals written");

            var mismatches = new List<string>();
            for (var i = 0; i < result.Principals.Length; i++)
            {
                var id = snapshot.Principals.Ids[i];
                var e = result.Principals[i];
                var engine = new RefFigures(
                    e.ReachableFiles, e.CaseloadFiles, e.CaseloadInReach, e.ExcessFiles, e.SensitiveExcessFiles, e.ClosedFilesInReach,
                    e.JustifiedFiles);
                if (expected.TryGetValue(id, out var reference) && engine != reference)
                {
                    mismatches.Add($"{label}, principal '{id}': engine [{engine}] reference [{reference}]");
                }
            }

            mismatches.Should().BeEmpty($"{label} ({data}): the engine must agree with the brute force on every figure of every principal");

            var (all, organizations) = BruteForceReference.ComputeDistinct(data);
            var distinct = result.Distinct;
            Ref(distinct.All).Should().Be(all, $"{label} ({data}): distinct figures over every account");
            distinct.Organizations.ToDictionary(o => o.Organization, o => Ref(o.Figures), StringComparer.Ordinal)
                .Should().BeEquivalentTo(organizations, $"{label} ({data}): distinct figures per organisation");
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static readonly string[] AllEdges =
    [
        "forest", "orphan unit", "no principals", "no groups", "self membership", "group cycle", "duplicate membership",
        "dangling membership", "role without file access", "sensitive role", "unit scope", "caseload scope",
        "group holder", "principal holder", "valid_until empty", "valid_until before", "valid_until equal",
        "valid_until after", "dangling assignment role", "dangling assignment holder", "dangling scope unit",
        "file in missing unit", "file in several caseloads", "duplicate caseload", "dangling caseload", "shares",
        "no shares table", "no justifications table", "role justified", "assignment justified", "principal justified",
        "justification expired", "justification expiring on the as-of date", "dangling justification", "share without date", "share pair with two dates", "duplicate share", "dangling share",
        "id with comma", "id with quote", "id with space", "id non-ascii", "id of 64 chars", "principal and group share an id",
        "name with newline",
    ];

    private static void Cover(HashSet<string> seen, RandomDataset d)
    {
        void Mark(bool condition, string edge)
        {
            if (condition)
            {
                seen.Add(edge);
            }
        }

        var units = d.Units.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        var groups = d.Groups.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var principals = d.Principals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var roles = d.Roles.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var files = d.Files.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var dates = d.Assignments.Select(a => a.ValidUntil).Concat((d.Shares ?? []).Select(s => s.ValidUntil)).ToList();
        var asOf = RandomDataset.Date(d.AsOf);
        var allIds = units.Concat(principals).Concat(groups).Concat(roles.Keys).Concat(files).ToList();

        Mark(d.Units.Count(u => u.ParentId.Length == 0) > 1, "forest");
        Mark(d.Units.Any(u => u.ParentId.Length > 0 && !units.Contains(u.ParentId)), "orphan unit");
        Mark(d.Principals.Count == 0, "no principals");
        Mark(d.Groups.Count == 0, "no groups");
        Mark(d.Memberships.Any(m => m.MemberType == "group" && m.GroupId == m.MemberId && groups.Contains(m.GroupId)), "self membership");
        Mark(d.Memberships.Any(m => m.MemberType == "group" && m.GroupId != m.MemberId && groups.Contains(m.GroupId) &&
            d.Memberships.Any(n => n.MemberType == "group" && n.MemberId == m.GroupId && n.GroupId != m.GroupId)), "group cycle");
        Mark(d.Memberships.Count != d.Memberships.Distinct().Count(), "duplicate membership");
        Mark(d.Memberships.Any(m => !groups.Contains(m.GroupId) || !(m.MemberType == "group" ? groups : principals).Contains(m.MemberId)),
            "dangling membership");
        Mark(d.Roles.Any(r => r.FileAccess == "false"), "role without file access");
        Mark(d.Roles.Any(r => r.FileAccess == "true" && r.Sensitive == "true"), "sensitive role");
        Mark(d.Assignments.Any(a => a.Scope == "unit"), "unit scope");
        Mark(d.Assignments.Any(a => a.Scope == "caseload"), "caseload scope");
        Mark(d.Assignments.Any(a => a.HolderType == "group" && groups.Contains(a.HolderId)), "group holder");
        Mark(d.Assignments.Any(a => a.HolderType == "principal" && principals.Contains(a.HolderId)), "principal holder");
        Mark(dates.Contains(""), "valid_until empty");
        Mark(dates.Any(v => v.Length > 0 && string.CompareOrdinal(v, asOf) < 0), "valid_until before");
        Mark(dates.Contains(asOf), "valid_until equal");
        Mark(dates.Any(v => string.CompareOrdinal(v, asOf) > 0), "valid_until after");
        Mark(d.Assignments.Any(a => !roles.ContainsKey(a.RoleId)), "dangling assignment role");
        Mark(d.Assignments.Any(a => !(a.HolderType == "group" ? groups : principals).Contains(a.HolderId)), "dangling assignment holder");
        Mark(d.Assignments.Any(a => a.Scope == "unit" && !units.Contains(a.ScopeUnitId)), "dangling scope unit");
        Mark(d.Files.Any(f => !units.Contains(f.UnitId)), "file in missing unit");
        Mark(d.Caseload.Distinct().GroupBy(c => c.FileId).Any(g => g.Count() > 1), "file in several caseloads");
        Mark(d.Caseload.Count != d.Caseload.Distinct().Count(), "duplicate caseload");
        Mark(d.Caseload.Any(c => !files.Contains(c.FileId) || !principals.Contains(c.PrincipalId)), "dangling caseload");
        Mark(d.Shares is { Count: > 0 }, "shares");
        Mark(d.Shares is null, "no shares table");
        Mark(d.Justifications is null, "no justifications table");
        foreach (var j in d.Justifications ?? [])
        {
            var subjects = j.SubjectType switch { "role" => roles.Keys.ToHashSet(StringComparer.Ordinal), "assignment" => d.Assignments.Select(a => a.Id).ToHashSet(StringComparer.Ordinal), _ => principals };
            var exists = subjects.Contains(j.SubjectId);
            Mark(exists && string.CompareOrdinal(j.Expires, asOf) > 0, $"{j.SubjectType} justified");
            Mark(exists && string.CompareOrdinal(j.Expires, asOf) < 0, "justification expired");
            Mark(exists && j.Expires == asOf, "justification expiring on the as-of date");
            Mark(!exists, "dangling justification");
        }

        if (d.Shares is { } shares)
        {
            Mark(shares.Any(s => s.ValidUntil.Length == 0), "share without date");
            Mark(shares.GroupBy(s => (s.FileId, s.PrincipalId)).Any(g => g.Select(s => s.ValidUntil).Distinct().Count() > 1),
                "share pair with two dates");
            Mark(shares.Count != shares.Distinct().Count(), "duplicate share");
            Mark(shares.Any(s => !files.Contains(s.FileId) || !principals.Contains(s.PrincipalId)), "dangling share");
        }

        Mark(allIds.Any(i => i.Contains(',', StringComparison.Ordinal)), "id with comma");
        Mark(allIds.Any(i => i.Contains('"', StringComparison.Ordinal)), "id with quote");
        Mark(allIds.Any(i => i.Contains(' ', StringComparison.Ordinal)), "id with space");
        Mark(allIds.Any(i => i.Any(c => c > 127)), "id non-ascii");
        Mark(allIds.Any(i => i.Length == 64), "id of 64 chars");
        Mark(principals.Overlaps(groups), "principal and group share an id");
        Mark(d.Units.Any(u => u.Name.Contains('\n', StringComparison.Ordinal)), "name with newline");
    }
}

/// <summary>Tiny datasets whose figures were worked out by hand (the reasoning is in the comments).</summary>
internal static class HandComputed
{
    private static readonly DateOnly AsOf = new(2026, 3, 31);

    public static readonly string[] Names = ["tree-and-dates", "cycles-caseload-shares", "sensitive-excess-and-quoting", "no-file-access"];

    public static (RandomDataset Data, Dictionary<string, RefFigures> Expected) Get(string name) => name switch
    {
        "tree-and-dates" => TreeAndDates(),
        "cycles-caseload-shares" => CyclesCaseloadShares(),
        "sensitive-excess-and-quoting" => SensitiveExcessAndQuoting(),
        "no-file-access" => NoFileAccess(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown hand-computed case"),
    };

    private static string Day(int offset) => RandomDataset.Date(AsOf.AddDays(offset));

    private static RandomDataset New() => new() { Seed = -1, AsOf = AsOf };

    private static void AddPrincipal(RandomDataset d, string id, bool active = true) =>
        d.Principals.Add(new RefPrincipal(id, "staff", "France Travail", "", id, RandomDataset.Bool(active), "false", ""));

    /// <summary>
    /// Tree R > {A > A1, B}. alice holds health (sensitive) on A, valid until as-of itself (in force), and read on R
    /// expired yesterday. bob is in G2, G2 is in G1, G1 holds read on B. carol holds only a role without file access
    /// and a grant on a missing unit.
    /// </summary>
    private static (RandomDataset, Dictionary<string, RefFigures>) TreeAndDates()
    {
        var d = New();
        d.Units.Add(new RefUnit("R", "", "region", "R"));
        d.Units.Add(new RefUnit("A", "R", "agency", "A"));
        d.Units.Add(new RefUnit("B", "R", "agency", "B"));
        d.Units.Add(new RefUnit("A1", "A", "team", "A1"));
        d.Files.Add(new RefFile("f1", "A1", "true", "false"));
        d.Files.Add(new RefFile("f2", "A", "false", "true"));
        d.Files.Add(new RefFile("f3", "B", "true", "true"));
        d.Files.Add(new RefFile("f4", "R", "false", "false"));
        d.Files.Add(new RefFile("f5", "nowhere", "false", "false"));
        AddPrincipal(d, "alice");
        AddPrincipal(d, "bob");
        AddPrincipal(d, "carol");
        d.Groups.Add(new RefGroup("G1", "G1"));
        d.Groups.Add(new RefGroup("G2", "G2"));
        d.Memberships.Add(new RefMembership("G2", "bob", "principal"));
        d.Memberships.Add(new RefMembership("G1", "G2", "group"));
        d.Roles.Add(new RefRole("read", "read", "true", "false"));
        d.Roles.Add(new RefRole("health", "health", "true", "true"));
        d.Roles.Add(new RefRole("admin", "admin", "false", "false"));
        d.Assignments.Add(new RefAssignment("a1", "health", "alice", "principal", "unit", "A", Day(0)));
        d.Assignments.Add(new RefAssignment("a2", "read", "G1", "group", "unit", "B", ""));
        d.Assignments.Add(new RefAssignment("a3", "read", "alice", "principal", "unit", "R", Day(-1)));
        d.Assignments.Add(new RefAssignment("a4", "admin", "carol", "principal", "unit", "R", ""));
        d.Assignments.Add(new RefAssignment("a5", "read", "carol", "principal", "unit", "missing", ""));
        d.Caseload.Add(new RefCaseload("f1", "alice"));
        d.Caseload.Add(new RefCaseload("f5", "alice"));
        d.Caseload.Add(new RefCaseload("f1", "alice"));
        d.Caseload.Add(new RefCaseload("f3", "bob"));
        return (d, new Dictionary<string, RefFigures>(StringComparer.Ordinal)
        {
            // reach {f1, f2} (subtree of A); caseload {f1, f5}; f1 in reach; f1 is her own, so no sensitive excess; f2 closed.
            ["alice"] = new(ReachableFiles: 2, CaseloadFiles: 2, CaseloadInReach: 1, ExcessFiles: 1, SensitiveExcessFiles: 0, ClosedFilesInReach: 1),
            // reach {f3} through G2 -> G1; caseload {f3}; read is not sensitive; f3 closed.
            ["bob"] = new(1, 1, 1, 0, 0, 1),
            ["carol"] = new(0, 0, 0, 0, 0, 0),
        });
    }

    /// <summary>
    /// Roots U and V. X and Y contain each other (cycle), Z contains itself. p1 is in X, so in Y too: Y holds a sensitive
    /// caseload-scope grant (never sensitive excess) and an expired grant on U. p2 (inactive) is in Z, which holds read
    /// on V until as-of + 10. Shares: k2 to p1 open-ended; k3 to p1 expired in one row, in force in the other; k1 to
    /// p2 until as-of itself.
    /// </summary>
    private static (RandomDataset, Dictionary<string, RefFigures>) CyclesCaseloadShares()
    {
        var d = New();
        d.Units.Add(new RefUnit("U", "", "region", "U"));
        d.Units.Add(new RefUnit("V", "", "region", "V"));
        d.Files.Add(new RefFile("k1", "U", "false", "false"));
        d.Files.Add(new RefFile("k2", "U", "true", "false"));
        d.Files.Add(new RefFile("k3", "V", "false", "false"));
        d.Files.Add(new RefFile("k4", "gone", "true", "true"));
        AddPrincipal(d, "p1");
        AddPrincipal(d, "p2", active: false);
        d.Groups.Add(new RefGroup("X", "X"));
        d.Groups.Add(new RefGroup("Y", "Y"));
        d.Groups.Add(new RefGroup("Z", "Z"));
        d.Memberships.Add(new RefMembership("Y", "X", "group"));
        d.Memberships.Add(new RefMembership("X", "Y", "group"));
        d.Memberships.Add(new RefMembership("Z", "Z", "group"));
        d.Memberships.Add(new RefMembership("X", "p1", "principal"));
        d.Memberships.Add(new RefMembership("Z", "p2", "principal"));
        d.Roles.Add(new RefRole("cl", "caseload", "true", "true"));
        d.Roles.Add(new RefRole("ro", "read", "true", "false"));
        d.Assignments.Add(new RefAssignment("b1", "cl", "Y", "group", "caseload", "", ""));
        d.Assignments.Add(new RefAssignment("b2", "ro", "Z", "group", "unit", "V", Day(10)));
        d.Assignments.Add(new RefAssignment("b3", "ro", "Y", "group", "unit", "U", Day(-1)));
        d.Caseload.Add(new RefCaseload("k1", "p1"));
        d.Caseload.Add(new RefCaseload("k4", "p1"));
        d.Caseload.Add(new RefCaseload("k3", "p2"));
        d.Caseload.Add(new RefCaseload("no-such-file", "p1"));
        d.Caseload.Add(new RefCaseload("k2", "nobody"));
        d.Shares =
        [
            new RefShare("k2", "p1", ""),
            new RefShare("k3", "p1", Day(-5)),
            new RefShare("k3", "p1", Day(1)),
            new RefShare("k1", "p2", Day(0)),
        ];
        return (d, new Dictionary<string, RefFigures>(StringComparer.Ordinal)
        {
            // reach: caseload {k1, k4} (k4 has no unit but caseload scope reaches it) + shares {k2, k3} = 4;
            // caseload 2 (the missing file does not count), both in reach; excess 2; k4 closed.
            ["p1"] = new(4, 2, 2, 2, 0, 1),
            // reach: {k3} via Z on V + share {k1} = 2; caseload {k3} in reach; excess 1.
            ["p2"] = new(2, 1, 1, 1, 0, 0),
        });
    }

    /// <summary>
    /// N > N1 > N2. Principal "q, 1" holds sens on N1 and plain on N; a group with the very same id "q, 1" holds sens on
    /// N2, and its member is "é\"2" (the principal "q, 1" is not in it). s1 is in the caseload of "q, 1",
    /// s3 is shared to and in the caseload of "é\"2".
    /// </summary>
    private static (RandomDataset, Dictionary<string, RefFigures>) SensitiveExcessAndQuoting()
    {
        const string Q = "q, 1";
        const string E = "é\"2";
        var d = New();
        d.Units.Add(new RefUnit("N", "", "region", "Nord, \"N\""));
        d.Units.Add(new RefUnit("N1", "N", "agency", "line\nbreak"));
        d.Units.Add(new RefUnit("N2", "N1", "team", "N2"));
        d.Files.Add(new RefFile("s1", "N2", "true", "false"));
        d.Files.Add(new RefFile("s2", "N1", "true", "false"));
        d.Files.Add(new RefFile("s3", "N", "false", "false"));
        d.Files.Add(new RefFile("s4", "N2", "true", "true"));
        AddPrincipal(d, Q);
        AddPrincipal(d, E);
        d.Groups.Add(new RefGroup(Q, "same id as a principal"));
        d.Memberships.Add(new RefMembership(Q, E, "principal"));
        d.Roles.Add(new RefRole("sens", "sensitive", "true", "true"));
        d.Roles.Add(new RefRole("plain", "plain", "true", "false"));
        d.Assignments.Add(new RefAssignment("c1", "sens", Q, "principal", "unit", "N1", ""));
        d.Assignments.Add(new RefAssignment("c2", "plain", Q, "principal", "unit", "N", ""));
        d.Assignments.Add(new RefAssignment("c3", "sens", Q, "group", "unit", "N2", ""));
        d.Assignments.Add(new RefAssignment("c4", "plain", "missing", "principal", "unit", "N", ""));
        d.Caseload.Add(new RefCaseload("s1", Q));
        d.Caseload.Add(new RefCaseload("s3", E));
        d.Shares = [new RefShare("s3", E, "")];
        return (d, new Dictionary<string, RefFigures>(StringComparer.Ordinal)
        {
            // reach: all of N = {s1..s4}; caseload {s1} in reach; sensitive under N1 via sens = {s1, s2, s4}, minus own s1
            // = 2; s4 closed.
            [Q] = new(4, 1, 1, 3, 2, 1),
            // reach: {s1, s4} via group "q, 1" on N2 + share {s3} = 3; caseload {s3} in reach through the share;
            // sensitive excess {s1, s4}; s4 closed.
            [E] = new(3, 1, 1, 2, 2, 1),
        });
    }

    /// <summary>Only a role without file access, held at unit and caseload scope: nobody reaches anything.</summary>
    private static (RandomDataset, Dictionary<string, RefFigures>) NoFileAccess()
    {
        var d = New();
        d.Units.Add(new RefUnit("solo", "", "agency", "solo"));
        d.Files.Add(new RefFile("z1", "solo", "true", "false"));
        d.Files.Add(new RefFile("z2", "solo", "false", "true"));
        AddPrincipal(d, "lone");
        AddPrincipal(d, "svc");
        d.Roles.Add(new RefRole("nofa", "audit", "false", "true"));
        d.Assignments.Add(new RefAssignment("d1", "nofa", "svc", "principal", "caseload", "", ""));
        d.Assignments.Add(new RefAssignment("d2", "nofa", "svc", "principal", "unit", "solo", ""));
        d.Caseload.Add(new RefCaseload("z1", "lone"));
        d.Caseload.Add(new RefCaseload("z2", "svc"));
        d.Caseload.Add(new RefCaseload("z2", "svc"));
        return (d, new Dictionary<string, RefFigures>(StringComparer.Ordinal)
        {
            ["lone"] = new(0, 1, 0, 0, 0, 0),
            ["svc"] = new(0, 1, 0, 0, 0, 0),
        });
    }
}
