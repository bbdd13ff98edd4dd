using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Usage;

/// <summary>
/// The columnar day rows: built by hand or from rows in any order, the same rows and the same findings; interned by
/// principal index, each principal's own days; and the median and robust scale of both the histogram and the sorting
/// paths against their definitions.
/// </summary>
public sealed class PrincipalDayTableTests
{
    private static readonly string[] Staff = ["S1", "S2", "S3", "S4", "S5", "C1", "Z"];

    /// <summary>Many days for every account (enough values for the histogram path), a few spikes, some after the as-of date.</summary>
    private static List<PrincipalDay> Rows(int seed)
    {
        var random = new Random(seed);
        var rows = new List<PrincipalDay>();
        var first = AgencyFixture.AsOf.AddDays(-900);
        foreach (var p in Staff)
        {
            foreach (var offset in Enumerable.Range(0, 920).Where(_ => random.Next(10) < 9))
            {
                long distinct = random.Next(5, 30);
                if (random.Next(200) == 0)
                {
                    distinct = random.Next(150, 3000);
                }

                rows.Add(new PrincipalDay(p, first.AddDays(offset), distinct + random.Next(3), distinct, random.Next((int)distinct + 1), random.Next(3), random.Next(2)));
            }
        }

        return rows;
    }

    private static PrincipalDayTable Table(IEnumerable<PrincipalDay> rows)
    {
        var sorted = rows.OrderBy(r => r.PrincipalId, StringComparer.Ordinal).ThenBy(r => r.Day).ToList();
        var ids = sorted.Select(r => r.PrincipalId).Distinct().ToArray();
        var start = ids.Select(id => sorted.FindIndex(r => r.PrincipalId == id)).Append(sorted.Count).ToArray();
        return new PrincipalDayTable(ids, start, [.. sorted.Select(r => r.Day)], [.. sorted.Select(r => r.Reads)],
            [.. sorted.Select(r => (int)r.DistinctFiles)], [.. sorted.Select(r => (int)r.DistinctOutsideCaseload)],
            [.. sorted.Select(r => (int)r.DistinctSensitive)], [.. sorted.Select(r => (int)r.DistinctSensitiveOutsideCaseload)]);
    }

    private static AgencyFixture Agency() => new AgencyFixture()
            .Unit("NAT").Files("f", "NAT", 5).Role("read")
            .Principal("S1").Principal("S2").Principal("S3").Principal("S4").Principal("S5")
            .Principal("C1", kind: "partner", organization: "capemploi").Principal("Z", active: false)
            .Group("ALL").Member("ALL", "S1").Member("ALL", "S2").Member("ALL", "S3").Member("ALL", "S4").Member("ALL", "S5")
            .Member("ALL", "C1").Member("ALL", "Z").Assign("X", "read", "ALL", "group", scopeUnit: "NAT");

    private static UsageTables Usage(PrincipalDayTable days)
    {
        var principals = days.GroupBy(d => d.PrincipalId).Select(g => new PrincipalActivity(
            g.Key, g.Sum(d => d.Reads), g.Sum(d => d.DistinctFiles), g.Sum(d => d.DistinctOutsideCaseload),
            g.Sum(d => d.DistinctSensitiveOutsideCaseload), g.Min(d => d.Day), g.Max(d => d.Day))).OrderBy(a => a.PrincipalId, StringComparer.Ordinal).ToList();
        return new UsageTables(days, principals, [], days.Sum(d => d.Reads), days.Min(d => d.Day), days.Max(d => d.Day), 0, 0);
    }

    private static List<Finding> Findings(PrincipalDayTable days)
    {
        using var f = Agency();
        var snapshot = f.Load();
        var result = Analysis.Run(snapshot, new AnalysisOptions { AsOf = AgencyFixture.AsOf });
        return [.. UsageRules.Evaluate(result.AsOf, ReportBuilder.AllFigures(result), UsageIndex.Build(snapshot, Usage(days)), new UsageOptions())];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_give_the_same_findings_from_rows_in_any_order_as_from_columns_built_by_hand(int seed)
    {
        var rows = Rows(seed);
        var shuffled = rows.ToArray();
        new Random(1000 + seed).Shuffle(shuffled);

        var fromTable = Findings(Table(rows));
        var fromShuffled = Findings(PrincipalDayTable.FromRows(shuffled));

        fromTable.Should().Contain(f => f.RuleId == UsageRules.ReadSpike, "the fixture plants spikes");
        fromTable.Should().Contain(f => f.RuleId == UsageRules.MassRead, "the fixture plants mass reads");
        fromShuffled.Select(f => (f.RuleId, f.Message)).Should().Equal(fromTable.Select(f => (f.RuleId, f.Message)));
    }

    [Fact]
    public void Should_give_each_principal_index_its_own_days_and_leave_out_principals_the_snapshot_lacks()
    {
        // GHOST sorts between C1 and S1: its rows sit inside the columns, so the index copies the others around them.
        var rows = Rows(5);
        var ghost = rows.Where(r => r.PrincipalId == "S1").Select(r => r with { PrincipalId = "GHOST" }).ToList();
        using var f = Agency();
        var snapshot = f.Load();
        foreach (var table in new[] { Table(rows), Table(rows.Concat(ghost)) })
        {
            var index = UsageIndex.Build(snapshot, Usage(table));
            index.PrincipalCount.Should().Be(snapshot.Principals.Count);
            for (var p = 0; p < snapshot.Principals.Count; p++)
            {
                var own = rows.Where(r => r.PrincipalId == snapshot.Principals.Ids[p]).OrderBy(r => r.Day).ToList();
                index.DaysOf(p).ToArray().Should().Equal(own.Select(r => r.Day));
                index.DistinctFilesOf(p).ToArray().Should().Equal(own.Select(r => (int)r.DistinctFiles));
                index.ActivityOf(p)!.Reads.Should().Be(own.Sum(r => r.Reads));
            }
        }
    }

    [Fact]
    public void Should_sort_rows_given_in_any_order_and_refuse_two_rows_of_one_principal_and_day()
    {
        var rows = Rows(6);
        var shuffled = rows.ToArray();
        new Random(6).Shuffle(shuffled);
        PrincipalDayTable.FromRows(shuffled).Should().Equal(rows.OrderBy(r => r.PrincipalId, StringComparer.Ordinal).ThenBy(r => r.Day));

        var twice = () => PrincipalDayTable.FromRows(rows.Append(rows[0]));
        twice.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Should_read_back_the_rows_in_principal_then_day_order()
    {
        var rows = Rows(4);
        var table = Table(rows);
        var expected = rows.OrderBy(r => r.PrincipalId, StringComparer.Ordinal).ThenBy(r => r.Day).ToList();
        table.Should().Equal(expected);
        table.Count.Should().Be(expected.Count);
        foreach (var i in new[] { 0, 1, expected.Count / 2, expected.Count - 1 })
        {
            table[i].Should().Be(expected[i]);
        }
    }

    [Fact]
    public void Should_refuse_rows_out_of_order()
    {
        var day = new DateOnly(2026, 1, 1);
        var act = () => new PrincipalDayTable(["B", "A"], [0, 1, 2], [day, day], [1, 1], [1, 1], [0, 0], [0, 0], [0, 0]);
        act.Should().Throw<ArgumentException>();
        var sameDay = () => new PrincipalDayTable(["A"], [0, 2], [day, day], [1, 1], [1, 1], [0, 0], [0, 0], [0, 0]);
        sameDay.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(4096, 40, true)]
    [InlineData(4097, 40, true)]
    [InlineData(5000, 3, true)]
    [InlineData(6001, 30000, true)] // beyond what the histogram holds for this many values: the sorting path
    [InlineData(4095, 40, true)]    // too few values for the histogram: the sorting path
    [InlineData(1001, 1000, false)] // fractions (no ties): the sorting path, odd and even counts
    [InlineData(1000, 1000, false)]
    [InlineData(5001, 100, false)]
    public void Should_compute_the_median_and_scale_of_the_definition_on_the_histogram_and_the_sorting_paths(int count, int max, bool whole)
    {
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(_ => whole ? random.Next(max + 1) : random.NextDouble() * max).ToArray();

        UsageRules.Robust(values).Should().Be(ReferenceRobust(values));
    }

    [Fact]
    public void Should_compute_hand_worked_medians_and_scales_on_the_histogram_path()
    {
        // 2,048 zeros and 2,048 tens: median 5, every deviation 5, so MAD 5 and scale 1.4826 × 5.
        double[] halves = [.. Enumerable.Repeat(0.0, 2048), .. Enumerable.Repeat(10.0, 2048)];
        UsageRules.Robust(halves).Should().Be((5, 1.4826 * 5));

        // 1,365 ones, 1,366 twos, 1,366 tens (4,097 values): the middle one (index 2,048) is a 2; deviations 1,365 × 1,
        // 1,366 × 0 and 1,366 × 8, whose middle one is a 1: scale max(1.4826, 0.2, 1).
        double[] three = [.. Enumerable.Repeat(10.0, 1366), .. Enumerable.Repeat(1.0, 1365), .. Enumerable.Repeat(2.0, 1366)];
        UsageRules.Robust(three).Should().Be((2, 1.4826));

        // All equal: MAD 0, scale at its floor 0.1 × median.
        UsageRules.Robust([.. Enumerable.Repeat(40.0, 5000)]).Should().Be((40, 4));
    }

    /// <summary>
    /// Median and scale straight from their definitions (scale = max(1.4826 × MAD, 0.1 × median, 1)), with the
    /// order statistics found by counting over the raw values: no sort and no histogram, so neither path is reused.
    /// </summary>
    private static (double Median, double Scale) ReferenceRobust(double[] values)
    {
        var median = MedianByCounting(values);
        var mad = MedianByCounting([.. values.Select(v => Math.Abs(v - median))]);
        return (median, new[] { 1.4826 * mad, 0.1 * median, 1.0 }.Max());
    }

    private static double MedianByCounting(double[] values)
    {
        var n = values.Length;
        return n % 2 == 1 ? KthByCounting(values, n / 2) : (KthByCounting(values, (n / 2) - 1) + KthByCounting(values, n / 2)) / 2;
    }

    /// <summary>The k-th smallest value (from 0): the value v with fewer than k + 1 values below it and more than k at or below it.</summary>
    private static double KthByCounting(double[] values, int k)
    {
        foreach (var v in values.Distinct())
        {
            int below = 0, atOrBelow = 0;
            foreach (var x in values)
            {
                below += x < v ? 1 : 0;
                atOrBelow += x <= v ? 1 : 0;
            }

            if (below <= k && k < atOrBelow)
            {
                return v;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(k));
    }
}
