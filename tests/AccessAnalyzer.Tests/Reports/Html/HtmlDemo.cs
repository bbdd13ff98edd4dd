using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sinks.Html;
using AccessAnalyzer.Sinks.Language;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Reports.Html;

/// <summary>
/// The small demo (seed 42, as of 2026-11-23) as CSV, generated once for every HTML test, its report document, and a
/// fixture agency whose account ids are markup: what the report tests render and open in a browser.
/// </summary>
public sealed class HtmlDemo : IDisposable
{
    public static readonly DateOnly AsOf = new(2026, 11, 23);

    public static readonly ToolStamp Stamp = new("AccessAnalyzer", "1.2.3");

    /// <summary>An account id that would run script if written unencoded.</summary>
    public const string HostileId = "<img src=x onerror=alert(1)>";

    public HtmlDemo()
    {
        Directory = Path.Combine(Path.GetTempPath(), "aa-html-demo-" + Guid.NewGuid().ToString("N"));
        using (var writer = new CsvCanonicalWriter(Directory))
        {
            DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, AsOf), [writer]);
        }

        var document = ReportDocument.Build(Analysis.Run(TestSources.Load(Directory), new AnalysisOptions { AsOf = AsOf }), new ReportOptions(), new PlanOptions());
        // The source is a temporary path: a fixed name keeps the golden file stable.
        Document = document with { Report = document.Report with { Header = document.Report.Header with { Source = "demo" } } };
    }

    /// <summary>The demo's canonical CSV files.</summary>
    public string Directory { get; }

    public ReportDocument Document { get; }

    public byte[] Html(Lang lang, IReadOnlyList<TrendPoint>? history = null) => Render(Document, lang, history);

    public static byte[] Render(ReportDocument document, Lang lang, IReadOnlyList<TrendPoint>? history = null)
    {
        using var stream = new MemoryStream();
        HtmlReportWriter.Write(document, stream, lang, Stamp, history);
        return stream.ToArray();
    }

    /// <summary>
    /// A small agency without access log or account policy (so "Not checked" shows) whose partner account's id, organisation
    /// and unit name are markup.
    /// </summary>
    public static ReportDocument Hostile()
    {
        using var f = new AgencyFixture()
            .Unit("NAT", kind: "national", name: "National <b>HQ</b>").Unit("R1", "NAT", "region", name: "Region \"one\" & co").Unit("A1", "R1", name: "<script>alert(2)</script>")
            .Files("f", "A1", 5).Files("g", "R1", 3)
            .Role("read", name: "Read <i>all</i>")
            .Principal(HostileId, kind: "partner", organization: "<svg onload=alert(3)>", unit: "A1", mfa: false)
            .Principal("adv-1", unit: "A1")
            .Assign("X1", "read", HostileId, scopeUnit: "NAT")
            .Assign("X2", "read", "adv-1", scopeUnit: "R1")
            .Caseload("f1", HostileId).Caseload("f2", "adv-1");
        var document = ReportDocument.Build(f.Analyze(), new ReportOptions(), new PlanOptions());
        return document with { Report = document.Report with { Header = document.Report.Header with { Source = "fixture <x>" } } };
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HtmlDemoCollection : ICollectionFixture<HtmlDemo>
{
    public const string Name = "html demo";
}
