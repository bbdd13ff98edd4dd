using System.Globalization;
using AccessAnalyzer.Sinks.Language;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AccessAnalyzer.Tests.Reports.Html;

/// <summary>
/// The HTML report opened for real: Debian's Chromium driven by Playwright (its bundled driver, no browser download),
/// from a file:// URL as a user opens it from a USB stick. Chromium missing is a failure, not a skip: CI installs it.
/// The screenshots land in the test output directory (html-report/).
/// </summary>
[Collection(HtmlDemoCollection.Name)]
public sealed class HtmlBrowserTests(HtmlDemo demo) : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string OutputDirectory = Path.Combine(AppContext.BaseDirectory, "html-report");

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath),
            $"Chromium is not installed at {ChromiumPath}: the HTML report's browser test needs it (apt-get install chromium; .ci/run installs it).");
        Directory.CreateDirectory(OutputDirectory);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Tests run as root in CI, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A page with the report open, and what it did while loading and afterwards.</summary>
    private sealed record Opened(IPage Page, string Url, List<string> Errors, List<string> Requests, List<string> Dialogs);

    private async Task<Opened> Open(byte[] html, string name)
    {
        var path = Path.Combine(OutputDirectory, name);
        await File.WriteAllBytesAsync(path, html);
        var url = new Uri(path).AbsoluteUri;
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var opened = new Opened(page, url, [], [], []);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                opened.Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => opened.Errors.Add(error);
        page.Request += (_, request) =>
        {
            if (request.Url != url)
            {
                opened.Requests.Add(request.Url);
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            opened.Dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return opened;
    }

    [Fact]
    public async Task Should_load_without_error_or_request_draw_every_chart_and_drill_down_sort_and_filter()
    {
        var opened = await Open(demo.Html(Lang.En), "demo-report.html");
        var page = opened.Page;

        // Every chart is an SVG with marks drawn in it.
        var marks = await page.EvaluateAsync<int[]>("() => Array.from(document.querySelectorAll('svg[role=img]')).map(s => s.querySelectorAll('rect,polyline,line').length)");
        marks.Should().HaveCountGreaterThanOrEqualTo(6).And.OnlyContain(n => n > 0);

        // Drill-down: a region's departments are hidden until its button is clicked, then shown; clicked again, hidden.
        var region = page.Locator("#unit-tree tr[data-parent='u0']").First;
        var regionId = await region.GetAttributeAsync("id");
        var departments = page.Locator($"#unit-tree tr[data-parent='{regionId}']");
        (await departments.CountAsync()).Should().BeGreaterThan(0);
        (await departments.First.IsVisibleAsync()).Should().BeFalse();
        var toggle = region.Locator("button");
        await toggle.ClickAsync();
        (await toggle.GetAttributeAsync("aria-expanded")).Should().Be("true");
        (await departments.First.IsVisibleAsync()).Should().BeTrue();
        (await departments.Last.IsVisibleAsync()).Should().BeTrue();
        await toggle.ClickAsync();
        (await departments.First.IsVisibleAsync()).Should().BeFalse();

        // Sorting: the table opens by excess, worst first; the account header sorts by id; excess again, ascending then descending.
        var excess = await Column(page, 8);
        excess.Should().BeInDescendingOrder();
        await page.Locator("#account-table thead button[data-col='0']").ClickAsync();
        var ids = await page.Locator("#account-table tbody th").AllTextContentsAsync();
        ids.Should().BeInAscendingOrder(StringComparer.Ordinal.WithLowerCase());
        (await page.Locator("#account-table thead th").Nth(0).GetAttributeAsync("aria-sort")).Should().Be("ascending");
        await page.Locator("#account-table thead button[data-col='8']").ClickAsync();
        (await Column(page, 8)).Should().BeInDescendingOrder();
        await page.Locator("#account-table thead button[data-col='8']").ClickAsync();
        (await Column(page, 8)).Should().BeInAscendingOrder();

        // Filtering: only rows holding the text stay visible, and the count says how many.
        await page.Locator("#account-filter").FillAsync("capemploi");
        var visible = await page.Locator("#account-table tbody tr:visible").AllTextContentsAsync();
        visible.Should().NotBeEmpty().And.OnlyContain(row => row.Contains("capemploi", StringComparison.Ordinal));
        (await page.Locator("#account-count").TextContentAsync()).Should().StartWith(visible.Count.ToString(CultureInfo.InvariantCulture) + " of ");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory, "demo-report.png"), FullPage = true });
        opened.Errors.Should().BeEmpty("the report logs no console error");
        opened.Requests.Should().BeEmpty("the report makes no network request of any kind");
        opened.Dialogs.Should().BeEmpty();
    }

    [Fact]
    public async Task Should_have_no_serious_or_critical_accessibility_violation()
    {
        var opened = await Open(demo.Html(Lang.En), "demo-report-axe.html");
        // Opened sections too: the scan must see the tables behind <details> and the drill-down rows.
        await opened.Page.EvaluateAsync("() => { document.querySelectorAll('details').forEach(d => d.open = true); document.querySelectorAll('tr[hidden]').forEach(r => r.hidden = false); }");
        var result = await opened.Page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        serious.Should().BeEmpty("axe-core finds no serious or critical violation");
        opened.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Should_show_a_hostile_account_id_as_text_and_run_nothing()
    {
        var opened = await Open(HtmlDemo.Render(HtmlDemo.Hostile(), Lang.En), "hostile-report.html");
        var page = opened.Page;
        (await page.Locator("#account-table tbody th").AllTextContentsAsync()).Should().Contain(HtmlDemo.HostileId);
        (await page.EvaluateAsync<int>("() => document.querySelectorAll('img, script:not(:last-of-type), b, i').length")).Should().Be(0);
        (await page.Locator("#not-checked").IsVisibleAsync()).Should().BeTrue();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory, "hostile-report.png"), FullPage = true });
        opened.Dialogs.Should().BeEmpty("no markup from the data runs");
        opened.Errors.Should().BeEmpty();
        opened.Requests.Should().BeEmpty();
    }

    private static async Task<List<long>> Column(IPage page, int column) =>
        [.. (await page.Locator($"#account-table tbody tr td:nth-child({column + 1})").EvaluateAllAsync<string[]>("cells => cells.map(c => c.getAttribute('data-v'))"))
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture))];
}

/// <summary>The order the report's script sorts text in: lower-cased, then by UTF-16 code unit.</summary>
internal static class ComparerExtensions
{
    public static IComparer<string> WithLowerCase(this StringComparer ordinal) =>
        Comparer<string>.Create((a, b) => ordinal.Compare(a.ToLowerInvariant(), b.ToLowerInvariant()));
}
