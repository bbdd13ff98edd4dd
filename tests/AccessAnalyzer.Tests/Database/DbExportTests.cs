using AccessAnalyzer.Sources.Export;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// <c>db export</c>: any source written as the canonical CSV files, sorted by key so that the same data gives the same
/// bytes whatever holds it; the export analyzes as its source does, and a destination is written whole or not at all.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DbExportTests(PostgresServer server) : IDisposable
{
    private const string AsOf = "2026-11-23";

    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-export-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => AnalyzeCliTests.Run(args);

    /// <summary>The small demo written by the demo command, once to CSV and once to SQLite, with the same seed.</summary>
    private (string Csv, string Sqlite) Demo()
    {
        var csv = Run("demo", "--scale", "small", "--seed", "11", "--as-of", AsOf, "--to", "csv", "--dir", Path.Combine(_root, "demo-csv"), "--quiet");
        csv.Exit.Should().Be(0, csv.Err);
        var sqlite = Run("demo", "--scale", "small", "--seed", "11", "--as-of", AsOf, "--to", "sqlite", "--dir", Path.Combine(_root, "demo-db"), "--quiet");
        sqlite.Exit.Should().Be(0, sqlite.Err);
        return (Path.Combine(_root, "demo-csv", "csv"), Path.Combine(_root, "demo-db", "agency.db"));
    }

    private string Export(string from, string name, params string[] more)
    {
        var to = Path.Combine(_root, name);
        var result = Run(["db", "export", "--from", from, "--to", to, .. more]);
        result.Exit.Should().Be(0, result.Err);
        result.Err.Should().BeEmpty();
        result.Out.Should().StartWith("exported ");
        return to;
    }

    /// <summary>Each file's header, then its rows sorted: equal for two directories with the same data in any row order.</summary>
    private static Dictionary<string, string> Sorted(string directory) =>
        Directory.EnumerateFiles(directory).ToDictionary(f => Path.GetFileName(f), f =>
        {
            var lines = File.ReadAllText(f).Split('\n');
            return lines[0] + "\n" + string.Join('\n', lines.Skip(1).Where(l => l.Length > 0).Order(StringComparer.Ordinal));
        });

    private static Dictionary<string, byte[]> Bytes(string directory) =>
        Directory.EnumerateFiles(directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    private static string AnalyzeJson(string source, params string[] more)
    {
        var result = Run(["analyze", "--source", source, "--as-of", AsOf, "--format", "json", .. more]);
        result.Exit.Should().Be(0, result.Err);
        return string.Join('\n', result.Out.Split('\n').Where(l => !l.Contains("\"source\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Export_of_the_demo_database_equals_the_demo_csv_and_analyzes_the_same()
    {
        var (csv, sqlite) = Demo();
        var fromSqlite = Export(sqlite, "from-sqlite");

        Sorted(fromSqlite).Should().Equal(Sorted(csv), "the export holds the demo's rows, headers and spellings");
        Directory.EnumerateFiles(csv).Should().HaveCount(12);

        // Sorted by key: the CSV files with every row order reversed export to the same bytes, and an export to itself.
        var reversed = Directory.CreateDirectory(Path.Combine(_root, "reversed")).FullName;
        foreach (var file in Directory.EnumerateFiles(csv))
        {
            var lines = File.ReadAllLines(file);
            File.WriteAllLines(Path.Combine(reversed, Path.GetFileName(file)), [lines[0], .. lines.Skip(1).Reverse()]);
        }

        Bytes(Export(reversed, "from-csv")).Should().BeEquivalentTo(Bytes(fromSqlite));
        Bytes(Export(fromSqlite, "again")).Should().BeEquivalentTo(Bytes(fromSqlite));

        AnalyzeJson(fromSqlite).Should().Be(AnalyzeJson(sqlite));
        Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName).Should().BeEquivalentTo(
            ["demo-csv", "demo-db", "reversed", "from-sqlite", "from-csv", "again"], "no temporary directory stays");
    }

    [PostgresFact]
    public void Export_from_postgres_equals_the_demo_csv_and_analyzes_the_same()
    {
        var (csv, sqlite) = Demo();
        var database = "export_" + Guid.NewGuid().ToString("N")[..8];
        server.Execute($"CREATE DATABASE {database}");
        var connectionFile = Path.Combine(_root, "pg-connection");
        File.WriteAllText(connectionFile, server.ConnectionString(database: database));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite); // no readable-by-others warning
        }
        var load = Run("db", "load", "--dialect", "postgres", "--connection-file", connectionFile, "--from", csv);
        load.Exit.Should().Be(0, load.Err);

        var to = Path.Combine(_root, "from-postgres");
        var export = Run("db", "export", "--from", "postgres", "--connection-file", connectionFile, "--to", to);
        export.Exit.Should().Be(0, export.Err);
        export.Out.Should().Contain($"from postgres:127.0.0.1:{server.Port}/{database}").And.NotContain("Username");

        Sorted(to).Should().Equal(Sorted(csv));
        Bytes(to).Should().BeEquivalentTo(Bytes(Export(sqlite, "from-sqlite")), "the same data gives the same bytes from any source");
        AnalyzeJson(to).Should().Be(AnalyzeJson("postgres", "--connection-file", connectionFile));
    }

    [Fact]
    public void Optional_tables_the_source_lacks_get_no_file()
    {
        var (csv, _) = Demo();
        File.Delete(Path.Combine(csv, "access_events.csv"));
        File.Delete(Path.Combine(csv, "shares.csv"));

        var to = Export(csv, "partial");
        Directory.EnumerateFiles(to).Select(Path.GetFileName).Should().HaveCount(10).And.NotContain(["access_events.csv", "shares.csv"]);
        AnalyzeJson(to).Should().Be(AnalyzeJson(csv));
    }

    [Fact]
    public void Cells_a_spreadsheet_would_run_are_data_and_round_trip_exactly()
    {
        using var agency = new AgencyFixture().Unit("NAT").Files("f", "NAT", 2).Role("=HYPERLINK(\"http://x\",\"y\")")
            .Principal("+P1").Principal("-P2").Principal("@P3").Assign("X1", "=HYPERLINK(\"http://x\",\"y\")", "+P1", scopeUnit: "NAT");
        var csv = agency.WriteCsv();
        var to = Export(csv, "formulas");

        var principals = File.ReadAllText(Path.Combine(to, "principals.csv"));
        principals.Should().Contain("\n+P1,").And.Contain("\n-P2,").And.Contain("\n@P3,");
        File.ReadAllText(Path.Combine(to, "roles.csv")).Should().Contain("\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        AnalyzeJson(to).Should().Be(AnalyzeJson(csv));
    }

    [Fact]
    public void A_destination_is_written_whole_or_not_at_all()
    {
        var (csv, _) = Demo();
        var to = Export(csv, "out");
        var first = Bytes(to);

        // A non-empty directory is refused, and left as it was.
        var refused = Run("db", "export", "--from", csv, "--to", to);
        refused.Exit.Should().Be(2);
        refused.Err.TrimEnd('\n').Split('\n').Should().ContainSingle().Which.Should().Contain("--replace");
        Bytes(to).Should().BeEquivalentTo(first);

        // A bad cell in the last table: nothing is written, the earlier export stays, no temporary directory either.
        var justifications = Path.Combine(csv, "justifications.csv");
        var lines = File.ReadAllLines(justifications);
        lines[^1] = lines[^1][..lines[^1].LastIndexOf(',')] + ",someday";
        File.WriteAllLines(justifications, lines);
        var failed = Run("db", "export", "--from", csv, "--to", to, "--replace");
        failed.Exit.Should().Be(2);
        failed.Err.Should().StartWith($"error: justifications.csv:{lines.Length}: expires").And.Contain("'someday'").And.NotContain("   at ");
        Bytes(to).Should().BeEquivalentTo(first);
        var fresh = Path.Combine(_root, "fresh");
        Run("db", "export", "--from", csv, "--to", fresh).Exit.Should().Be(2);
        Directory.Exists(fresh).Should().BeFalse();
        Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName).Should().BeEquivalentTo(["demo-csv", "demo-db", "out"]);

        // --replace replaces an earlier export whole: a table the source no longer has loses its file.
        lines[^1] = lines[^1][..lines[^1].LastIndexOf(',')] + ",2030-01-01";
        File.WriteAllLines(justifications, lines);
        File.Delete(Path.Combine(csv, "shares.csv"));
        Run("db", "export", "--from", csv, "--to", to, "--replace").Exit.Should().Be(0);
        File.Exists(Path.Combine(to, "shares.csv")).Should().BeFalse();
        File.ReadAllText(Path.Combine(to, "justifications.csv")).Should().Contain(",2030-01-01\n");

        // ... but never a directory holding anything else.
        File.WriteAllText(Path.Combine(to, "notes.txt"), "mine");
        var foreign = Run("db", "export", "--from", csv, "--to", to, "--replace");
        foreign.Exit.Should().Be(2);
        foreign.Err.Should().Contain("notes.txt");
        File.ReadAllText(Path.Combine(to, "notes.txt")).Should().Be("mine");

        // An empty directory is taken as it is.
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        Run("db", "export", "--from", csv, "--to", empty).Exit.Should().Be(0);
        Directory.EnumerateFiles(empty).Should().HaveCount(11);
    }

    [Fact]
    public void Values_of_beneficiary_tables_are_withheld_in_messages()
    {
        var (csv, _) = Demo();
        var files = Path.Combine(csv, "files.csv");
        File.AppendAllText(files, "F-SECRET-42,NAT,maybe,false\n");
        var failed = Run("db", "export", "--from", csv, "--to", Path.Combine(_root, "out"));
        failed.Exit.Should().Be(2);
        failed.Err.Should().StartWith("error: files.csv:").And.Contain("sensitive").And.Contain("<value withheld>").And.NotContain("maybe").And.NotContain("F-SECRET");
    }

    [Fact]
    public void Rows_sort_by_their_cells_in_order_also_when_spilled_to_disk()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 5_000).Select(_ => new[]
        {
            random.Next(3) == 0 ? null : ((char)('A' + random.Next(4))).ToString() + random.Next(50),
            random.Next(4) == 0 ? "" : "é,\"" + random.Next(3),
            random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ToList();
        var expected = rows.Select(r => r.Select(c => c ?? "").ToArray()).ToList();
        expected.Sort((a, b) => SortedRows.Compare(a, b));

        using var spilled = new SortedRows(maxChars: 2_000);
        rows.ForEach(spilled.Add);
        spilled.Sorted().Select(r => r.Select(c => c ?? "").ToArray()).Should().Equal(expected, (a, b) => a.SequenceEqual(b));

        SortedRows.Compare(["a", "b"], ["a", "c"]).Should().BeNegative();
        SortedRows.Compare(["a"], ["a,b"]).Should().BeNegative("the first cell decides before the next is looked at");
        SortedRows.Compare(["B"], ["a"]).Should().BeNegative("ordinal: upper case first, as in byte order");
        SortedRows.Compare([null, "x"], ["", "x"]).Should().Be(0);
    }

    [Theory]
    [InlineData("2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z")]
    [InlineData("2026-03-01T10:00:00", "2026-03-01T10:00:00Z")]
    [InlineData("2026-03-01 10:00:00", "2026-03-01T10:00:00Z")]
    [InlineData("2026-03-01T10:00:00.250+00:00", "2026-03-01T10:00:00.250Z")]
    [InlineData("2026-03-01T23:30:00-05:00", "2026-03-01T23:30:00-05:00")]
    [InlineData("2026-03-01", "2026-03-01")]
    public void Date_times_keep_their_calendar_date_as_written(string stored, string exported) =>
        CanonicalText.Timestamp(stored).Should().Be(exported);
}
