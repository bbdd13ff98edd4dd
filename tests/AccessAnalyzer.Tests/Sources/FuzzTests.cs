using System.Text;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources.Gate;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Sources;

/// <summary>
/// Fixed-seed fuzzing of everything a user or a pull request hands the tool as a file: each canonical CSV table and
/// the gate's policy and baseline. Every case must end as the CLI would end it with exit 0 (it loads) or as one
/// bad-input line (<see cref="InputErrorException"/>, which the CLI prints as exit 2); any other exception would be an
/// "internal error", and a case that runs past its timeout or allocates without bound is a hang or a memory bomb.
/// The seeds are fixed, so a failure names a case that reproduces; 20,000 cases in all.
/// </summary>
/// <remarks>The allocation bound counts the whole process, so these tests run alone, after the parallel ones.</remarks>
[Collection(FuzzCollection.Name)]
public sealed class FuzzTests : IDisposable
{
    private const int CsvCases = 8_000;
    private const int JsonCases = 6_000;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);
    private const long MaxBytesPerCase = 512L << 20;

    // Thousands of small writes: in memory where the machine has a tmpfs, on disk otherwise.
    private readonly string _dir = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "aa-fuzz-" + Guid.NewGuid().ToString("N"));

    public FuzzTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A small agency with every table, optional ones included, so each has valid rows to mutate.</summary>
    private static AgencyFixture Agency() => new AgencyFixture()
        .Unit("N", kind: "national", name: "Nation").Unit("R", parent: "N", kind: "region", name: "Région 1").Unit("A", parent: "R", name: "Agence \"A\"")
        .Principal("P1", unit: "A", lastLogin: "2026-06-01").Principal("P2", kind: "partner", unit: "A", organization: "cap, emploi", mfa: false)
        .Group("G").Member("G", "P1").Member("G", "G2", "group").Group("G2").Member("G2", "P2")
        .Role("read", name: "Lecture").Role("sens", sensitive: true)
        .Files("f", "A", 6).Files("s", "R", 3, sensitive: true).File("c1", "A", closed: true)
        .Caseload("f1", "P1").Caseload("f2", "P2").Share("f3", "P2", validUntil: "2026-12-31")
        .Assign("A1", "read", "G", holderType: "group", scopeUnit: "R").Assign("A2", "sens", "P2", scopeUnit: "A", validUntil: "2027-01-01")
        .Policy("agency", lockoutThreshold: 5, mfaRequired: true)
        .Justify("assignment", "A1", "2026-12-31")
        .Event("P1", "f1", "2026-06-01T08:00:00Z").Event("P2", "s1", "2026-06-02T09:30:00Z");

    [Fact]
    public void Csv_tables_with_random_bytes_quoting_and_line_ends_load_or_fail_in_one_line()
    {
        using var agency = Agency();
        var source = Path.Combine(_dir, "source");
        Directory.CreateDirectory(source);
        foreach (var file in Directory.GetFiles(agency.WriteCsv()))
        {
            File.Copy(file, Path.Combine(source, Path.GetFileName(file)));
        }

        var tables = Directory.GetFiles(source, "*.csv").Order(StringComparer.Ordinal).ToArray();
        tables.Length.Should().BeGreaterThanOrEqualTo(12, "every canonical table is fuzzed, the optional ones too");
        var originals = tables.ToDictionary(t => t, File.ReadAllBytes);
        var random = new Random(20261130);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < CsvCases; i++)
        {
            var table = tables[i % tables.Length];
            var bytes = Mutate(originals[table], random);
            File.WriteAllBytes(table, bytes);
            var outcome = RunCase($"case {i} ({Path.GetFileName(table)}, {bytes.Length} bytes)", () =>
            {
                var snapshot = TestSources.Load(source);
                var analysis = Analysis.Run(snapshot, new AnalysisOptions { AsOf = AgencyFixture.AsOf });
                ReportBuilder.Build(analysis, new ReportOptions()).Principals.Should().NotBeNull();
            });
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            File.WriteAllBytes(table, originals[table]);
        }

        // Both outcomes must occur, or the mutations are too mild (all load) or too wild (none reach the rows).
        outcomes.GetValueOrDefault("loaded").Should().BeGreaterThan(CsvCases / 20);
        outcomes.GetValueOrDefault("bad input").Should().BeGreaterThan(CsvCases / 5);
    }

    [Fact]
    public void Policies_with_random_edits_parse_or_fail_in_one_line() =>
        FuzzJson(File.ReadAllText(Repository.ExamplePolicy), 7, text => GatePolicyParser.Parse(text, "policy.json"));

    [Fact]
    public void Baselines_with_random_edits_parse_or_fail_in_one_line() =>
        FuzzJson("""
            { "version": 1, "entries": [
              { "id": "ab12", "ruleId": "max-excess-per-principal", "subject": "P1", "value": 12, "reason": "known", "expires": "2026-12-31" },
              { "id": "cd34", "ruleId": "forbidden-scope-level", "subject": "A1", "value": 3, "expires": "2027-01-31" }
            ] }
            """, 11, text => BaselineFile.Parse(text, "baseline.json"));

    private void FuzzJson(string valid, int seed, Action<string> parse)
    {
        // The valid document must parse, or every case would be "bad input" and prove nothing.
        parse(valid);
        var path = Path.Combine(_dir, "fuzz.json");
        var bytes = Encoding.UTF8.GetBytes(valid);
        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < JsonCases; i++)
        {
            var mutated = random.Next(10) == 0 ? JsonValues(random) : Mutate(bytes, random);
            File.WriteAllBytes(path, mutated);
            var outcome = RunCase($"case {i} ({mutated.Length} bytes)", () => parse(JsonFile.ReadText(path, "fuzz.json")));
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        outcomes.GetValueOrDefault("loaded").Should().BeGreaterThan(JsonCases / 50);
        outcomes.GetValueOrDefault("bad input").Should().BeGreaterThan(JsonCases / 5);
    }

    /// <summary>Runs one case under a timeout and an allocation bound; "loaded" or "bad input", else the test fails.</summary>
    private static string RunCase(string name, Action action)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        string? outcome = null;
        Exception? unexpected = null;

        // A thread of its own, not the pool: the test runner keeps the pool busy, and a case waiting in its queue
        // would be timed for nothing.
        var thread = new Thread(() =>
        {
            try
            {
                action();
                outcome = "loaded";
            }
            catch (InputErrorException ex) when (!string.IsNullOrWhiteSpace(ex.Message))
            {
                outcome = "bad input";
            }
#pragma warning disable CA1031 // Any other exception is the finding this test exists to report, with its case.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                unexpected = ex;
            }
        })
        { IsBackground = true };
        thread.Start();
        if (!thread.Join(CaseTimeout))
        {
            Assert.Fail($"{name} did not end within {CaseTimeout.TotalSeconds} s");
        }

        if (unexpected is not null)
        {
            Assert.Fail($"{name} ended in an internal error: {unexpected}");
        }

        var bytes = GC.GetTotalAllocatedBytes() - allocated;
        if (bytes > MaxBytesPerCase)
        {
            Assert.Fail($"{name} allocated {bytes:N0} bytes, more than the bound of {MaxBytesPerCase:N0}");
        }

        return outcome!;
    }

    /// <summary>
    /// One to four edits of a valid file: random bytes inserted or overwritten (invalid UTF-8 and NUL included),
    /// quotes and separators where they do not belong, line ends changed to CR, CRLF or none, a line duplicated or
    /// cut, the file truncated, a field made huge, or a BOM or UTF-16 prefix added.
    /// </summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = 1 + random.Next(4);
        for (var e = 0; e < edits; e++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(11))
            {
                case 0:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)"\"\",;'\\"[random.Next(6)]);
                    break;
                case 3:
                    ReplaceLineEnds(bytes, random.Next(3) switch { 0 => "\r", 1 => "\r\n", _ => string.Empty });
                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string((char)('a' + random.Next(26)), random.Next(1, 70_000))));
                    break;
                case 6:
                    bytes.InsertRange(0, random.Next(2) == 0 ? [0xEF, 0xBB, 0xBF] : [0xFF, 0xFE]);
                    break;
                case 7 when bytes.Count > 0:
                    var line = bytes.Skip(at).TakeWhile(b => b != (byte)'\n').Append((byte)'\n').ToArray();
                    bytes.InsertRange(at, line);
                    break;
                case 8:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick(random, "\n", "\r", "\"\n\"", ",,,,", "-1", "9999999999999999999999", "2026-02-30", "\u202E", "\u001b[2J", "=cmd|' /C calc'!A0", "true", "", "\0", "NaN", "1e308", "{", "}", "[", "]", "null", ":", "\"k\":")));
                    break;
                case 9 when bytes.Count > 1:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                    break;
            }
        }

        return [.. bytes];
    }

    private static void ReplaceLineEnds(List<byte> bytes, string lineEnd)
    {
        var text = bytes.ToArray();
        bytes.Clear();
        foreach (var b in text)
        {
            if (b == (byte)'\n')
            {
                bytes.AddRange(Encoding.ASCII.GetBytes(lineEnd));
            }
            else if (b != (byte)'\r')
            {
                bytes.Add(b);
            }
        }
    }

    /// <summary>A whole JSON value of a random shape: the parsers must refuse the wrong types and ranges by name.</summary>
    private static byte[] JsonValues(Random random)
    {
        var value = Pick(random, "1", "-1", "\"x\"", "null", "true", "[]", "{}", "[1]", "9223372036854775808", "1.5", "-0", "{\"entries\":[1]}",
            "{\"version\":\"1\"}", "{\"maxExcessPerPrincipal\":{\"threshold\":-5}}", "{\"levels\":[\"a\",\"a\"]}", "{\"forbiddenScopes\":[{}]}",
            "{\"entries\":[{\"id\":\"x\",\"value\":\"1\"}]}", "{\"noDormantAccountWithReach\":{\"dormantDays\":1e9}}");
        return Encoding.UTF8.GetBytes(value);
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz cases, alone so that their allocation is theirs";
}
