using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Engine;

/// <summary>
/// Group nestings built to break naive algorithms: every path counted by walking would take exponential time, and a
/// closure kept as "every enclosing group of every group" quadratic memory. Both must stay polynomial and exact.
/// </summary>
public sealed class AdversarialNestingTests
{
    /// <summary>
    /// Layers of two groups, each containing both groups of the next layer; the principal is in both groups of the last
    /// layer and the grant is held by the first group: 2 × 2^(layers − 1) distinct paths.
    /// </summary>
    private static AgencyFixture Layers(int layers)
    {
        var f = new AgencyFixture().Unit("U").Principal("P", unit: "U").Role("read").Files("f", "U", 3);
        for (var l = 0; l < layers; l++)
        {
            f.Group($"L{l}a").Group($"L{l}b");
            if (l > 0)
            {
                foreach (var inner in new[] { $"L{l}a", $"L{l}b" })
                {
                    f.Member($"L{l - 1}a", inner, "group").Member($"L{l - 1}b", inner, "group");
                }
            }
        }

        f.Member($"L{layers - 1}a", "P").Member($"L{layers - 1}b", "P");
        return f.Assign("A", "read", "L0a", "group", scopeUnit: "U");
    }

    [Theory]
    [InlineData(40)]
    [InlineData(62)]
    public void Explain_counts_exponentially_many_paths_exactly_in_polynomial_time(int layers)
    {
        var analysis = Layers(layers).Analyze();

        var grant = AccessExplainer.ExplainPrincipal(analysis, "P", unitId: null, file: null).Grants.Should().ContainSingle().Subject;

        // Two starting groups, each with 2^(layers - 2) ways up to L0a... through both groups of every middle layer.
        var expected = 2L << (layers - 2);
        grant.Paths.Should().HaveCount(AccessExplainer.MaxPathsPerGrant);
        (grant.Paths.Count + grant.PathsOmitted).Should().Be(expected);
        grant.Paths.Should().OnlyContain(path => path.Count == layers + 1 && path.First() == "P" && path.Last() == "L0a");
        analysis.Principals[0].ReachableFiles.Should().Be(3);
    }

    [Fact]
    public void Explain_path_counts_saturate_instead_of_overflowing()
    {
        var grant = AccessExplainer.ExplainPrincipal(Layers(70).Analyze(), "P", unitId: null, file: null).Grants.Single();
        (grant.Paths.Count + grant.PathsOmitted).Should().Be(long.MaxValue);
    }

    [Fact]
    public void A_membership_cycle_on_the_way_is_one_step_of_the_path()
    {
        var f = new AgencyFixture().Unit("U").Principal("P", unit: "U").Role("read").Files("f", "U", 2)
            .Group("A").Group("B").Group("C").Group("TOP")
            .Member("A", "P").Member("B", "A", "group").Member("A", "B", "group").Member("C", "B", "group").Member("TOP", "C", "group")
            .Assign("X", "read", "TOP", "group", scopeUnit: "U");

        var grant = AccessExplainer.ExplainPrincipal(f.Analyze(), "P", unitId: null, file: null).Grants.Single();

        grant.Paths.Should().ContainSingle().Which.Should().Equal("P", "A ⇄ B", "C", "TOP");
        grant.PathsOmitted.Should().Be(0);
    }

    [Fact]
    public void A_deep_nesting_chain_costs_memory_linear_in_memberships()
    {
        const int depth = 20_000;
        var f = new AgencyFixture().Unit("U").Principal("P", unit: "U").Principal("Q", unit: "U").Role("read").Files("f", "U", 5);
        for (var i = 0; i < depth; i++)
        {
            f.Group($"G{i:D5}");
            if (i > 0)
            {
                f.Member($"G{i - 1:D5}", $"G{i:D5}", "group");
            }
        }

        f.Member($"G{depth - 1:D5}", "P").Assign("A", "read", "G00000", "group", scopeUnit: "U");
        var snapshot = f.Load();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var analysis = Analysis.Run(snapshot, new AnalysisOptions { AsOf = AgencyFixture.AsOf });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        snapshot.TryGetPrincipal("P", out var p).Should().BeTrue();
        snapshot.TryGetPrincipal("Q", out var q).Should().BeTrue();
        analysis.Principals[p].ReachableFiles.Should().Be(5, "the grant at the top of the chain reaches the bottom member");
        analysis.Principals[q].ReachableFiles.Should().Be(0);

        // A closure with every enclosing group per group would hold depth²/2 = 200 million entries (800 MB); linear
        // structures stay within a few hundred bytes per group.
        allocated.Should().BeLessThan(depth * 1_000L, "memory must grow with memberships, not with depth squared");
    }
}
