using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Usage;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Usage;

/// <summary>access_events pushed down to a database as GROUP BYs gives what the streaming aggregation gives.</summary>
public sealed class UsageSourceTests
{
    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6];

    /// <summary>Random events over a small agency, with duplicates, missing principals and files, and date-times.</summary>
    internal static (AgencyFixture Fixture, List<(string Principal, string File, DateOnly Day)> Events) Build(int seed)
    {
        var random = new Random(seed);
        var f = new AgencyFixture().Unit("NAT").Unit("A", "NAT").Unit("B", "NAT").Role("read");
        var files = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = $"f{i}";
            files.Add(id);
            f.File(id, random.Next(2) == 0 ? "A" : "B", sensitive: random.Next(3) == 0);
        }

        var principals = new[] { "P1", "P2", "P3", "P4" };
        foreach (var p in principals)
        {
            f.Principal(p);
            for (var i = 0; i < 5; i++)
            {
                f.Caseload(files[random.Next(files.Count)], p);
            }
        }

        var events = new List<(string, string, DateOnly)>();
        for (var i = 0; i < 400; i++)
        {
            var principal = random.Next(20) == 0 ? "GHOST" : principals[random.Next(principals.Length)];
            var file = random.Next(25) == 0 ? "missing-file" : files[random.Next(files.Count)];
            var day = new DateOnly(2026, 3, 1).AddDays(random.Next(15));
            var at = random.Next(2) == 0 ? day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : $"{day:yyyy-MM-dd}T{random.Next(24):00}:{random.Next(60):00}:00Z";
            f.Event(principal, file, at);
            events.Add((principal, file, day));
        }

        return (f, events);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_aggregate_access_events_in_sqlite_as_the_streaming_aggregator_does(int seed)
    {
        var (fixture, events) = Build(seed);
        using var f = fixture;
        var directory = f.WriteCsv();
        var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));
        var fromDatabase = TestSources.Load(database).Usage!;

        var snapshot = TestSources.Load(directory);
        var caseload = File.ReadLines(Path.Combine(directory, "caseload.csv")).Skip(1).Select(l => l.Split(',')).Select(c => (c[1], c[0])).ToHashSet();
        var fileRows = File.ReadLines(Path.Combine(directory, "files.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var fileIndex = fileRows.Select((c, i) => (c[0], i)).ToDictionary(t => t.Item1, t => t.i);
        using var aggregator = new AccessEventAggregator(id => snapshot.Principals.Ids.Contains(id),
            (p, file) => caseload.Contains((p, fileRows[file][0])), file => (fileRows[file][1], fileRows[file][2] == "true"));
        foreach (var (principal, file, day) in events)
        {
            aggregator.Add(principal, fileIndex.GetValueOrDefault(file, -1), day);
        }

        var expected = aggregator.Complete();
        fromDatabase.Days.Should().Equal(expected.Days);
        fromDatabase.Principals.Should().Equal(expected.Principals);
        fromDatabase.Units.Should().Equal(expected.Units);
        fromDatabase.Events.Should().Be(expected.Events);
        fromDatabase.EventsNamingMissingPrincipal.Should().Be(expected.EventsNamingMissingPrincipal).And.BePositive();
        fromDatabase.EventsNamingMissingFile.Should().Be(expected.EventsNamingMissingFile);
        fromDatabase.FirstDay.Should().Be(expected.FirstDay);
        fromDatabase.LastDay.Should().Be(expected.LastDay);
    }
}
