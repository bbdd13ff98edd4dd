using AccessAnalyzer.Demo;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>
/// The executable loads ICU (SQL Server's client needs it), so the locale of the machine reaches the process: its
/// outputs must still be those of the invariant culture the test host runs in, whatever LANG and LC_ALL say.
/// </summary>
public sealed class CultureTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-culture-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("de_DE.UTF-8", "analyze", "table")]
    [InlineData("de_DE.UTF-8", "analyze", "csv")]
    [InlineData("tr_TR.UTF-8", "analyze", "json")]
    [InlineData("fr_FR.UTF-8", "plan", "table")]
    public async Task Outputs_do_not_depend_on_the_locale(string locale, string command, string format)
    {
        var csv = Path.Combine(_root, "demo");
        using (var writer = new CsvCanonicalWriter(csv))
        {
            DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 7, new DateOnly(2026, 11, 23)), [writer]);
        }

        string[] args = [command, "--source", csv, "--as-of", "2026-11-23", "--format", format];
        var invariant = AnalyzeCliTests.Run(args);
        invariant.Exit.Should().Be(0, invariant.Err);
        var localized = await CliProcess.RunAsync(args, new Dictionary<string, string> { ["LANG"] = locale, ["LC_ALL"] = locale });
        localized.Exit.Should().Be(0, localized.Err);
        localized.Out.Should().Be(invariant.Out);
    }
}
