using System.Globalization;
using AccessAnalyzer.Benchmarks;

// The benchmark harness of issue 6. One process orchestrates; every measured run is a child process, timed from its
// start to its exit (output written), its peak memory taken by /usr/bin/time.
//
//   run        (default) generate once, time our runs and the peers, check every engine agrees, write results/<scale>.md
//   generate   (internal) write the demo data of a scale to CSV or SQLite
//   engine     (internal) load a CSV snapshot once, then time the engine alone on it
//   html-load FILE   time Chromium loading an HTML report already written (the report row alone)
//   monitor    one long-running monitor over a CSV source's log, then --cycles one-minute slices appended: cycle times and memory
try
{
    var mode = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
    if (mode == "html-load" && args.Length == 2)
    {
        // The HTML report row alone, on a report already written: Chromium's load-event time.
        Console.WriteLine(HtmlLoadTiming.Measure(args[1]));
        return 0;
    }

    var options = Options.Parse(mode == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..]);
    return mode switch
    {
        "run" => Harness.Run(options),
        "generate" => Generator.Run(options),
        "engine" => EngineTiming.Run(options),
        "monitor" => MonitorTiming.Run(options),
        _ => throw new UsageException($"unknown mode '{mode}' (run, generate, engine, monitor)"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    Console.Error.WriteLine(Options.Help);
    return 2;
}
catch (BenchmarkException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

namespace AccessAnalyzer.Benchmarks
{
    /// <summary>Bad command line.</summary>
    public sealed class UsageException(string message) : Exception(message)
    {
        public UsageException() : this("bad usage") { }

        public UsageException(string message, Exception inner) : this(message + ": " + inner.Message) { }
    }

    /// <summary>A step of the benchmark could not run (a tool missing, a child process failing).</summary>
    public sealed class BenchmarkException(string message) : Exception(message)
    {
        public BenchmarkException() : this("benchmark failed") { }

        public BenchmarkException(string message, Exception inner) : this(message + ": " + inner.Message) { }
    }

    /// <summary>Command-line options (one set for every mode; each mode reads what it needs).</summary>
    public sealed class Options
    {
        public const string Help = """
            usage: AccessAnalyzer.Benchmarks [run] [--scale small|medium|france] [--seed N] [--as-of YYYY-MM-DD]
                                             [--work DIR] [--runs N] [--reuse] [--no-postgres] [--no-duckdb] [--require-peers] [--clean]
                                             [--results DIR | --no-results] [--cli PATH] [--no-build]
              --scale     demo scale to generate (default small)
              --seed      generator seed (default 42); --as-of: analysis date the data is built around (default 2026-03-31)
              --work      where the data and outputs go (default: <temp>/aa-bench/<scale>-<seed>)
              --runs      timed runs of each slow command (our SQLite and PostgreSQL sources, each peer; median reported;
                          default 3, france 1); ours from CSV, plan and the engine always run at least 3 times
              --reuse     keep data already generated in --work for the same scale, seed and date
              --no-postgres, --no-duckdb   skip a peer (and, for PostgreSQL, our postgres source)
              --require-peers   exit 2 when a peer cannot run here (CI: the peers and the equality check must not rot)
              --clean     delete the work directory at the end (data included)
              --results   directory of the markdown results (default tests/AccessAnalyzer.Benchmarks/results); --no-results: none
              --cli       the accessanalyzer executable (default: the repository's Release build, built first unless --no-build)
            Exit code: 0 when every engine gives the same per-principal figures, 1 when they differ, 2 on an error.

                   AccessAnalyzer.Benchmarks monitor [--scale small|medium|france] [--source CSVDIR] [--cycles N] [--rate N] [--work DIR]
                                             [--results DIR | --no-results] [--cli PATH] [--no-build] [--clean]
              --source    a CSV directory whose log is the history (default: the scale's demo, generated in --work); never modified
              --cycles    one-minute slices appended, a monitor cycle each (default 1000); --rate: events a slice (default 4200,
                          about 6 million reads a day); results go to results/monitor-<scale>.md
            Exit code: 0 when every cycle took at most 1 s and memory grew by at most 10 % from the first cycle to the last, else 1.
            """;

        public string Scale { get; private set; } = "small";
        public int Seed { get; private set; } = 42;
        public DateOnly AsOf { get; private set; } = new(2026, 3, 31);
        public string? Work { get; private set; }
        public int? Runs { get; private set; }
        public bool Reuse { get; private set; }
        public bool Postgres { get; private set; } = true;
        public bool DuckDb { get; private set; } = true;
        public bool RequirePeers { get; private set; }
        public bool Clean { get; private set; }
        public string? Results { get; private set; }
        public bool WriteResults { get; private set; } = true;
        public string? Cli { get; private set; }
        public bool Build { get; private set; } = true;
        public string? To { get; private set; }
        public string? Dir { get; private set; }
        public string? Source { get; private set; }
        public int? Cycles { get; private set; }
        public int? Rate { get; private set; }

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--scale":
                        o.Scale = Value();
                        if (o.Scale is not ("small" or "medium" or "france"))
                        {
                            throw new UsageException("--scale is small, medium or france");
                        }

                        break;
                    case "--seed":
                        o.Seed = int.TryParse(Value(), CultureInfo.InvariantCulture, out var seed) ? seed : throw new UsageException("--seed is a whole number");
                        break;
                    case "--as-of":
                        o.AsOf = DateOnly.TryParseExact(Value(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                            ? d : throw new UsageException("--as-of is YYYY-MM-DD");
                        break;
                    case "--work": o.Work = Path.GetFullPath(Value()); break;
                    case "--runs":
                        o.Runs = int.TryParse(Value(), CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : throw new UsageException("--runs is at least 1");
                        break;
                    case "--reuse": o.Reuse = true; break;
                    case "--no-postgres": o.Postgres = false; break;
                    case "--no-duckdb": o.DuckDb = false; break;
                    case "--require-peers": o.RequirePeers = true; break;
                    case "--clean": o.Clean = true; break;
                    case "--results": o.Results = Path.GetFullPath(Value()); break;
                    case "--no-results": o.WriteResults = false; break;
                    case "--cli": o.Cli = Path.GetFullPath(Value()); break;
                    case "--no-build": o.Build = false; break;
                    case "--to": o.To = Value(); break;
                    case "--dir": o.Dir = Path.GetFullPath(Value()); break;
                    case "--source": o.Source = Path.GetFullPath(Value()); break;
                    case "--cycles":
                        o.Cycles = int.TryParse(Value(), CultureInfo.InvariantCulture, out var cycles) && cycles > 0 ? cycles : throw new UsageException("--cycles is at least 1");
                        break;
                    case "--rate":
                        o.Rate = int.TryParse(Value(), CultureInfo.InvariantCulture, out var rate) && rate > 0 ? rate : throw new UsageException("--rate is at least 1");
                        break;
                    case "-h" or "--help": throw new UsageException("help");
                    default: throw new UsageException($"unknown option {args[i]}");
                }
            }

            return o;
        }

        public int RunCount => Runs ?? (Scale == "france" ? 1 : 3);
    }
}
