using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sources.Usage;

namespace AccessAnalyzer.Tests.Usage;

/// <summary>The event aggregation against a brute-force count, in memory and through the on-disk merge.</summary>
public sealed class AccessEventAggregatorTests
{
    private sealed record Event(string Principal, int File, DateOnly Day);

    public static TheoryData<int, int> Cases() => new() { { 1, 1 << 20 }, { 2, 7 }, { 3, 64 }, { 4, 1 }, { 5, 1000 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_match_a_brute_force_count_whatever_the_chunk_size(int seed, int chunkSize)
    {
        var random = new Random(seed);
        var principals = Enumerable.Range(0, 6).Select(i => $"P{i}").ToArray();
        var units = new[] { "U1", "U2", "U3" };
        var fileUnit = Enumerable.Range(0, 40).Select(_ => units[random.Next(units.Length)]).ToArray();
        var fileSensitive = Enumerable.Range(0, 40).Select(_ => random.Next(4) == 0).ToArray();
        var caseload = new HashSet<(string, int)>();
        for (var i = 0; i < 60; i++)
        {
            caseload.Add((principals[random.Next(principals.Length)], random.Next(40)));
        }

        var events = new List<Event>();
        for (var i = 0; i < 2000; i++)
        {
            // P5 is unknown to principals; file -1 is a missing file.
            events.Add(new Event(principals[random.Next(principals.Length)], random.Next(-1, 40), new DateOnly(2026, 1, 1).AddDays(random.Next(20))));
        }

        using var aggregator = new AccessEventAggregator(p => p != "P5", (p, f) => caseload.Contains((p, f)), f => (fileUnit[f], fileSensitive[f]), chunkSize);
        foreach (var e in events)
        {
            aggregator.Add(e.Principal, e.File, e.Day).Should().BeTrue();
        }

        var usage = aggregator.Complete();
        var valid = events.Where(e => e.Principal != "P5" && e.File >= 0).ToList();
        usage.Events.Should().Be(2000);
        usage.EventsNamingMissingPrincipal.Should().Be(events.Count(e => e.Principal == "P5"));
        usage.EventsNamingMissingFile.Should().Be(events.Count(e => e.Principal != "P5" && e.File < 0));
        usage.FirstDay.Should().Be(valid.Min(e => e.Day));
        usage.LastDay.Should().Be(valid.Max(e => e.Day));

        var expectedDays = valid.GroupBy(e => (e.Principal, e.Day)).Select(g =>
        {
            var files = g.Select(e => e.File).Distinct().ToList();
            var outside = files.Where(f => !caseload.Contains((g.Key.Principal, f))).ToList();
            return new PrincipalDay(g.Key.Principal, g.Key.Day, g.Count(), files.Count, outside.Count,
                files.Count(f => fileSensitive[f]), outside.Count(f => fileSensitive[f]));
        }).OrderBy(d => d.PrincipalId, StringComparer.Ordinal).ThenBy(d => d.Day).ToList();
        usage.Days.Should().Equal(expectedDays);

        var expectedPrincipals = valid.GroupBy(e => e.Principal).Select(g =>
        {
            var files = g.Select(e => e.File).Distinct().ToList();
            var outside = files.Where(f => !caseload.Contains((g.Key, f))).ToList();
            return new PrincipalActivity(g.Key, g.Count(), files.Count, outside.Count, outside.Count(f => fileSensitive[f]),
                g.Min(e => e.Day), g.Max(e => e.Day));
        }).OrderBy(a => a.PrincipalId, StringComparer.Ordinal).ToList();
        usage.Principals.Should().Equal(expectedPrincipals);

        var expectedUnits = valid.GroupBy(e => (e.Principal, Unit: fileUnit[e.File])).Select(g =>
        {
            var outside = g.Where(e => !caseload.Contains((g.Key.Principal, e.File))).Select(e => e.Day).ToList();
            return new UnitActivity(g.Key.Principal, g.Key.Unit, g.Max(e => e.Day), outside.Count == 0 ? null : outside.Max());
        }).OrderBy(u => u.PrincipalId, StringComparer.Ordinal).ThenBy(u => u.UnitId, StringComparer.Ordinal).ToList();
        usage.Units.Should().Equal(expectedUnits);
    }

    [Fact]
    public void Should_refuse_a_day_outside_the_supported_range()
    {
        using var aggregator = new AccessEventAggregator(_ => true, (_, _) => false, _ => ("U", false));
        aggregator.Add("P", 0, new DateOnly(1999, 12, 31)).Should().BeFalse();
        aggregator.Add("P", 0, new DateOnly(2000, 1, 1)).Should().BeTrue();
    }
}
