using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Usage;

/// <summary>The demo's planted extraction patterns are found, by the right rule, with the right account and dates.</summary>
public sealed class DemoUsageTests
{
    [Fact]
    public void Should_flag_the_one_day_mass_read_and_the_slow_leak_and_nobody_else_for_extraction()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aa-demo-usage-" + Guid.NewGuid().ToString("N"));
        try
        {
            var asOf = new DateOnly(2026, 11, 23);
            DemoSummary summary;
            using (var writer = new CsvCanonicalWriter(directory))
            {
                summary = DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, asOf), [writer]);
            }

            var report = ReportBuilder.Build(Analysis.Run(TestSources.Load(directory), new AnalysisOptions { AsOf = asOf }), new ReportOptions());
            var mass = report.Findings.Where(f => f.RuleId == UsageRules.MassRead).ToList();
            var spikes = report.Findings.Where(f => f.RuleId == UsageRules.ReadSpike).ToList();

            mass.Should().ContainSingle().Which.SubjectIds.Should().Equal(summary.BulkReaderId);
            mass[0].Message.Should().Contain($"on {summary.BulkReadDay:yyyy-MM-dd}");

            var leak = spikes.Should().ContainSingle(f => f.SubjectIds[0] == summary.LeakerId).Subject;
            leak.Message.Should().Contain($"on {summary.LeakDays.Count} day(s) from {summary.LeakDays[0]:yyyy-MM-dd} to {summary.LeakDays[^1]:yyyy-MM-dd}");
            mass.Should().NotContain(f => f.SubjectIds[0] == summary.LeakerId, "the slow leak stays below the absolute threshold");

            mass.Concat(spikes).SelectMany(f => f.SubjectIds).Distinct().Should().BeEquivalentTo([summary.BulkReaderId, summary.LeakerId],
                "no other account reads like an extraction");
            report.Findings.Where(f => f.RuleId == UsageRules.ActivityFromDormantAccount).Select(f => f.SubjectIds[0]).Should().Equal(summary.DormantReaderId);
            report.Findings.Should().NotContain(f => f.RuleId == UsageRules.LogRetentionTooShort, "the demo log covers 200 days");
            report.Principals.Single(p => p.PrincipalId == summary.BulkReaderId).ExercisedExcessFiles.Should().BeGreaterThan(1000);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
