using System.Text.Json;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>The demo end to end: generate, analyze, and find what was planted.</summary>
public sealed class DemoCliTests
{
    [Fact]
    public void Should_generate_the_small_demo_analyze_it_and_find_every_planted_failure()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aa-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, output, error) = AnalyzeCliTests.Run("demo", "--dir", directory, "--as-of", "2026-11-23", "--csv", "--quiet");
            exit.Should().Be(0, error);
            output.Should().Contain("Planted failures").And.NotContain("not found");
            output.Should().Contain("✓ mass-read").And.Contain("✓ read-spike (below the absolute threshold)", "both extraction patterns are planted and found");
            File.Exists(Path.Combine(directory, "agency.db")).Should().BeTrue();
            File.Exists(Path.Combine(directory, "csv", "files.csv")).Should().BeTrue();

            // The SQLite file and the CSV export of the same demo give the same figures.
            var fromDb = AnalyzeCliTests.Run("analyze", "--source", Path.Combine(directory, "agency.db"), "--as-of", "2026-11-23", "--format", "json");
            var fromCsv = AnalyzeCliTests.Run("analyze", "--source", Path.Combine(directory, "csv"), "--as-of", "2026-11-23", "--format", "json");
            fromDb.Exit.Should().Be(0, fromDb.Err);
            fromCsv.Exit.Should().Be(0, fromCsv.Err);
            using var db = JsonDocument.Parse(fromDb.Out);
            using var csv = JsonDocument.Parse(fromCsv.Out);
            db.RootElement.GetProperty("principals").GetRawText().Should().Be(csv.RootElement.GetProperty("principals").GetRawText());
            db.RootElement.GetProperty("totals").GetRawText().Should().Be(csv.RootElement.GetProperty("totals").GetRawText());
            db.RootElement.GetProperty("findings").GetRawText().Should().Be(csv.RootElement.GetProperty("findings").GetRawText());
            db.RootElement.GetProperty("totals").GetProperty("excessExposure").GetInt64().Should().BePositive();
            db.RootElement.GetProperty("totals").GetProperty("groupCycles").GetInt32().Should().Be(1);
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
