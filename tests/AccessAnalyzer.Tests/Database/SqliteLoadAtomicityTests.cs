using System.Security.Cryptography;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Tests.Cli;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// <c>db load</c> into SQLite is all or nothing: a load that fails on its last table leaves no database file where
/// there was none, and an existing file byte for byte as it was; the same load with the data fixed then succeeds.
/// </summary>
public sealed class SqliteLoadAtomicityTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-load-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// The small demo as CSV, with 150,000 more access events: more rows than a loader that commits in batches would
    /// hold in one, so such a loader leaves rows behind.
    /// </summary>
    private string DemoCsv()
    {
        var csv = Path.Combine(_root, "csv");
        using (var writer = new CsvCanonicalWriter(csv))
        {
            DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, new DateOnly(2026, 11, 23)), [writer]);
        }

        var events = File.ReadAllLines(Path.Combine(csv, "access_events.csv")).Skip(1).ToArray();
        using var more = File.AppendText(Path.Combine(csv, "access_events.csv"));
        for (var i = 0; i < 150_000; i++)
        {
            more.Write(events[i % events.Length] + "\n");
        }

        return csv;
    }

    /// <summary>The last row of justifications.csv, the last table loaded, gets an expiry date that is no date.</summary>
    private static string BreakLastTable(string csv)
    {
        var path = Path.Combine(csv, "justifications.csv");
        var good = File.ReadAllText(path);
        var lines = good.TrimEnd('\n').Split('\n');
        lines[^1] = lines[^1][..lines[^1].LastIndexOf(',')] + ",2027-13-45";
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return good;
    }

    [Fact]
    public void A_load_that_fails_on_its_last_table_leaves_no_new_file_and_a_retry_succeeds()
    {
        var csv = DemoCsv();
        var good = BreakLastTable(csv);
        var database = Path.Combine(_root, "agency.db");

        var failed = AnalyzeCliTests.Run("db", "load", "--dialect", "sqlite", "--database", database, "--from", csv);
        failed.Exit.Should().Be(2, failed.Out);
        failed.Err.TrimEnd('\n').Split('\n').Should().ContainSingle();
        failed.Err.Should().StartWith("error: justifications.csv:").And.Contain("expires").And.Contain("2027-13-45").And.NotContain("   at ");
        File.Exists(database).Should().BeFalse("a failed load leaves no database behind");
        Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName).Should().BeEquivalentTo(["csv"], "no temporary file stays either");

        File.WriteAllText(Path.Combine(csv, "justifications.csv"), good);
        var retried = AnalyzeCliTests.Run("db", "load", "--dialect", "sqlite", "--database", database, "--from", csv);
        retried.Exit.Should().Be(0, retried.Err);
        Count(database, "justifications").Should().Be(good.TrimEnd('\n').Split('\n').Length - 1);
        Count(database, "files").Should().Be(File.ReadAllLines(Path.Combine(csv, "files.csv")).Length - 1);
    }

    [Fact]
    public void A_load_that_fails_on_its_last_table_leaves_an_initialized_file_byte_for_byte_unchanged()
    {
        var csv = DemoCsv();
        var good = BreakLastTable(csv);
        var database = Path.Combine(_root, "agency.db");
        AnalyzeCliTests.Run("db", "init", "--dialect", "sqlite", "--database", database).Exit.Should().Be(0);
        var before = SHA256.HashData(File.ReadAllBytes(database));

        var failed = AnalyzeCliTests.Run("db", "load", "--dialect", "sqlite", "--database", database, "--from", csv);
        failed.Exit.Should().Be(2);
        failed.Err.TrimEnd('\n').Split('\n').Should().ContainSingle().Which.Should().StartWith("error: justifications.csv:");
        SHA256.HashData(File.ReadAllBytes(database)).Should().Equal(before, "the load's one transaction rolled back");
        Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName).Should().BeEquivalentTo(["csv", "agency.db"]);

        File.WriteAllText(Path.Combine(csv, "justifications.csv"), good);
        var retried = AnalyzeCliTests.Run("db", "load", "--dialect", "sqlite", "--database", database, "--from", csv);
        retried.Exit.Should().Be(0, retried.Err);
        Count(database, "files").Should().Be(File.ReadAllLines(Path.Combine(csv, "files.csv")).Length - 1);
        Count(database, "report_runs").Should().Be(0, "db init's report tables are still there");
    }

    [Fact]
    public void A_row_the_database_refuses_leaves_no_new_file_and_withholds_the_value()
    {
        var csv = DemoCsv();
        var files = Path.Combine(csv, "files.csv");
        var lines = File.ReadAllLines(files);
        File.AppendAllText(files, lines[1] + "\n"); // the first file again: a duplicate primary key
        var database = Path.Combine(_root, "agency.db");

        var failed = AnalyzeCliTests.Run("db", "load", "--dialect", "sqlite", "--database", database, "--from", csv);
        failed.Exit.Should().Be(2);
        failed.Err.Should().StartWith("error: files: the database refused a row").And.NotContain(lines[1].Split(',')[0]);
        File.Exists(database).Should().BeFalse();
    }

    private static long Count(string database, string table)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
