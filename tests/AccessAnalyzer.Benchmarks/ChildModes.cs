using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Benchmarks;

/// <summary><c>generate</c>: the demo data of a scale, written straight to CSV or SQLite (a child process, so that its time and memory are its own).</summary>
internal static class Generator
{
    public static int Run(Options options)
    {
        var dir = options.Dir ?? throw new UsageException("generate needs --dir");
        var scale = options.Scale switch { "medium" => DemoScale.Medium, "france" => DemoScale.France, _ => DemoScale.Small };
        ICanonicalWriter writer = options.To switch
        {
            "csv" => new CsvCanonicalWriter(dir),
            "sqlite" => new SqliteCanonicalWriter(Path.Combine(dir, "agency.db"), expectedValues: DemoGenerator.ExpectedIds(scale)),
            _ => throw new UsageException("generate needs --to csv|sqlite"),
        };
        using (writer)
        {
            var summary = DemoGenerator.Generate(new DemoOptions(scale, options.Seed, options.AsOf), [writer]);
            Console.WriteLine(JsonSerializer.Serialize(summary.Counts.ByTable()));
        }

        return 0;
    }
}

/// <summary><c>engine</c>: loads a CSV source once, then times <see cref="Analysis.Run"/> alone (on every core, as the CLI runs it), several times.</summary>
internal static class EngineTiming
{
    public static int Run(Options options)
    {
        var source = options.Source ?? throw new UsageException("engine needs --source");
        var watch = Stopwatch.StartNew();
        var snapshot = new SourceResolver().Resolve(source, new SourceOptions()).Read().Snapshot();
        var load = watch.Elapsed.TotalMilliseconds;
        var analysis = new AnalysisOptions { AsOf = options.AsOf, Scheduler = AccessAnalyzer.Cli.ParallelScheduler.Instance };
        var runs = new List<double>();

        // The first run includes compiling the engine; it is reported apart.
        for (var i = 0; i <= Math.Max(3, options.RunCount); i++)
        {
            watch.Restart();
            var result = Analysis.Run(snapshot, analysis);
            runs.Add(watch.Elapsed.TotalMilliseconds);
            GC.KeepAlive(result);
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            loadMs = load,
            firstMs = runs[0],
            medianMs = Stats.Median(runs.Skip(1)),
            principals = snapshot.Principals.Count,
            units = snapshot.Units.Count,
            assignments = snapshot.Assignments.Length,
        }));
        return 0;
    }
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Seconds(double ms) => ms switch
    {
        < 10 => string.Create(CultureInfo.InvariantCulture, $"{ms:0.0} ms"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{ms:0} ms"),
        < 100_000 => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.00} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0} s"),
    };

    public static string Mib(long? kib) => kib is { } k ? string.Create(CultureInfo.InvariantCulture, $"{k / 1024.0:N0} MiB") : "—";
}
