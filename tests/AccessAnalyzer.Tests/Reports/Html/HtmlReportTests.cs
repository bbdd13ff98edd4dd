using System.Text;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sinks.Language;

namespace AccessAnalyzer.Tests.Reports.Html;

/// <summary>The HTML report as bytes: the golden file, escaping, no beneficiary id, French, sections and their order.</summary>
[Collection(HtmlDemoCollection.Name)]
public sealed class HtmlReportTests(HtmlDemo demo)
{
    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void Should_render_the_small_demo_as_the_golden_file() => GoldenOutputTests.Verify(("report.html", demo.Html(Lang.En)));

    [Fact]
    public void Should_be_deterministic() => demo.Html(Lang.En).Should().Equal(demo.Html(Lang.En));

    [Fact]
    public void Should_never_write_a_beneficiary_file_id()
    {
        var html = Text(demo.Html(Lang.En)) + Text(demo.Html(Lang.Fr));
        var ids = File.ReadLines(Path.Combine(demo.Directory, "files.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        ids.Should().HaveCountGreaterThan(1000);
        ids.Where(id => html.Contains(id, StringComparison.Ordinal)).Should().BeEmpty("a beneficiary file id never leaves the source");
    }

    [Fact]
    public void Should_forbid_every_request_and_allow_only_its_own_script_and_style()
    {
        var html = Text(demo.Html(Lang.En));
        html.Should().Contain("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;sha256-");
        html.Should().NotContainAny("http://", "https://", "src=", "@import", "url(", "unsafe-inline");
        html.Split("<script>").Should().HaveCount(2, "one script, the one the policy's hash allows");
    }

    [Fact]
    public void Should_show_sections_in_order_with_a_chart_and_a_table_each()
    {
        var html = Text(demo.Html(Lang.En, [Point(new DateOnly(2026, 10, 1), 250_000), Point(HtmlDemo.AsOf, 207_858)]));
        var order = new[] { "id=\"headline\"", "id=\"units\"", "id=\"ratios\"", "id=\"accounts\"", "id=\"findings\"", "id=\"plan\"", "id=\"usage\"", "id=\"trend\"" }
            .Select(s => html.IndexOf(s, StringComparison.Ordinal)).ToList();
        order.Should().OnlyContain(i => i >= 0).And.BeInAscendingOrder();
        foreach (var chart in new[] { "headline-chart", "ratios-partner", "ratios-staff", "plan-curve", "usage-0", "trend-chart" })
        {
            html.Should().Contain($"id=\"{chart}\" aria-label=\"", $"chart {chart} is drawn and labelled");
        }

        html.Should().Contain("Excess exposure left").And.Contain("Justifications in force the plan does not touch");
        html.Should().Contain(UsageRules.MassRead).And.Contain(FindingRules.Catalog[0].Description);
    }

    [Fact]
    public void Should_write_french_when_asked()
    {
        var html = Text(demo.Html(Lang.Fr));
        html.Should().StartWith("<!DOCTYPE html>\n<html lang=\"fr\">");
        html.Should().Contain("Plan de remédiation").And.Contain("au 23/11/2026").And.Contain("19 619").And.Contain("Comptes les plus en excès")
            .And.Contain("Un compte d&#39;un organisme partenaire peut ouvrir des dossiers hors de son portefeuille.");
        html.Should().NotContain("Remediation plan");
    }

    [Fact]
    public void Should_encode_every_value_from_the_data_and_list_what_was_not_checked_first()
    {
        var html = Text(HtmlDemo.Render(HtmlDemo.Hostile(), Lang.En));
        html.Should().Contain("&lt;img src=x onerror=alert(1)&gt;").And.Contain("&lt;svg onload=alert(3)&gt;").And.Contain("&lt;script&gt;alert(2)&lt;/script&gt;")
            .And.Contain("National &lt;b&gt;HQ&lt;/b&gt;").And.Contain("Region &quot;one&quot; &amp; co").And.Contain("Read &lt;i&gt;all&lt;/i&gt;");
        html.Should().NotContainAny("<img", "<svg onload", "<b>", "<i>", "alert(2)</script>");
        var notChecked = html.IndexOf("id=\"not-checked\"", StringComparison.Ordinal);
        notChecked.Should().BeGreaterThan(0).And.BeLessThan(html.IndexOf("id=\"headline\"", StringComparison.Ordinal));
        html.Should().Contain("access_events is absent");
    }

    [Fact]
    public void Should_explain_every_rule_in_every_language()
    {
        foreach (var (id, _, description) in FindingRules.Catalog.Concat(UsageRules.Catalog))
        {
            Texts.Get(Lang.En, "html.rule." + id).Should().Be(description);
            Texts.Get(Lang.Fr, "html.rule." + id).Should().NotBe(description);
        }
    }

    [Fact]
    public void Should_sum_excess_over_each_subtree()
    {
        var tree = demo.Document.Units;
        tree.Rows[0].Excess.Should().Be(demo.Document.Report.Totals.ExcessExposure - tree.UnplacedExcess, "the root holds every placed account");
        for (var i = 0; i < tree.Rows.Count; i++)
        {
            var children = tree.Rows.Where(r => r.Parent == i).ToList();
            if (children.Count > 0)
            {
                children.Sum(c => c.Excess).Should().BeLessThanOrEqualTo(tree.Rows[i].Excess);
            }
        }

        demo.Document.Ratios.Series.Sum(s => s.Counts.Sum() + s.NoCaseload).Should().Be(demo.Document.Report.Totals.Principals);
    }

    [Fact]
    public void Should_write_the_report_from_the_command_line_atomically_and_refuse_what_it_cannot_do()
    {
        var target = Path.Combine(demo.Directory, "out", "report.html");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        AccessAnalyzer.Cli.CliApp.Run(["report", "--source", demo.Directory, "--as-of", "2026-11-23", "--html", target, "--lang", "fr"], stdout, stderr)
            .Should().Be(0, stderr.ToString());
        File.ReadAllText(target).Should().Contain("<html lang=\"fr\">").And.Contain("Plan de remédiation");
        Directory.GetFiles(Path.GetDirectoryName(target)!).Should().ContainSingle("the temporary file was renamed over the target");

        AccessAnalyzer.Cli.CliApp.Run(["report", "--source", demo.Directory, "--html", target, "--history", "runs.db"], stdout, stderr).Should().Be(2);
        stderr.ToString().Should().Contain("--history");
        AccessAnalyzer.Cli.CliApp.Run(["report", "--source", demo.Directory], stdout, stderr).Should().Be(2);
        stderr.ToString().Should().Contain("--html");
    }

    private static TrendPoint Point(DateOnly asOf, long excess) =>
        new(Guid.Empty, new DateTimeOffset(asOf.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), asOf, "demo", "1.2.3", 288, 19_619, 294_040, excess, 3_152, 176, 77,
            19_619, 19_619, 1_741, 19_619);
}
