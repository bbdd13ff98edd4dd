using System.Globalization;
using Microsoft.Playwright;

namespace AccessAnalyzer.Benchmarks;

/// <summary>How long Chromium takes to load the HTML report from a file: the median of three fresh pages.</summary>
internal static class HtmlLoadTiming
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>The load-event time as text ("1.23 s (median of 3)"), or why it was not measured.</summary>
    public static string Measure(string path)
    {
        if (!File.Exists(Chromium))
        {
            return $"not measured ({Chromium} is not installed)";
        }

        Console.Error.WriteLine("[bench] HTML report load time in Chromium");
        var times = Task.Run(() => MeasureAsync(path)).GetAwaiter().GetResult();
        var median = Stats.Median(times);
        return string.Create(CultureInfo.InvariantCulture, $"{Stats.Seconds(median)} (median of {times.Count}; {Stats.Seconds(times.Min())} to {Stats.Seconds(times.Max())})");
    }

    private static async Task<List<double>> MeasureAsync(string path)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        var url = new Uri(Path.GetFullPath(path)).AbsoluteUri;
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
            times.Add(await page.EvaluateAsync<double>("() => performance.getEntriesByType('navigation')[0].loadEventEnd"));
            await page.CloseAsync();
        }

        return times;
    }
}
