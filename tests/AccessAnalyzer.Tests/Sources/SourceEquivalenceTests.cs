using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Fixtures;
using AccessAnalyzer.Tests.Reference;

namespace AccessAnalyzer.Tests.Sources;

/// <summary>The same data through CSV and through SQLite gives the same snapshot and the same report.</summary>
public sealed class SourceEquivalenceTests
{
    private static readonly ToolStamp Stamp = new("AccessAnalyzer", "0.0.0");

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_build_the_same_snapshot_and_report_from_csv_and_sqlite(int seed)
    {
        var dataset = RandomDataset.Create(seed);
        var directory = Path.Combine(Path.GetTempPath(), $"aa-equiv-{seed}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            dataset.WriteCsv(directory);
            var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));

            var fromCsv = TestSources.Load(directory);
            var fromSqlite = TestSources.Read(database, TransferMode.Pushdown).Snapshot();
            var streamed = TestSources.Read(database, TransferMode.Stream).Snapshot();
            SnapshotComparer.Describe(fromSqlite).Should().Be(SnapshotComparer.Describe(fromCsv), $"seed {seed}");
            SnapshotComparer.Describe(streamed).Should().Be(SnapshotComparer.Describe(fromCsv), $"seed {seed}, streamed");

            var options = new AnalysisOptions { AsOf = dataset.AsOf };
            var expected = RenderWithoutSource(fromCsv, options);
            RenderWithoutSource(fromSqlite, options).Should().Be(expected, $"seed {seed}");
            RenderWithoutSource(streamed, options).Should().Be(expected, $"seed {seed}, streamed");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Streaming_and_pushdown_give_the_same_analyze_json_on_the_small_demo_in_sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"aa-transfer-{Guid.NewGuid():N}");
        var asOf = new DateOnly(2026, 11, 23);
        try
        {
            var database = Path.Combine(directory, "agency.db");
            using (var writer = new AccessAnalyzer.Demo.SqliteCanonicalWriter(database))
            {
                AccessAnalyzer.Demo.DemoGenerator.Generate(new AccessAnalyzer.Demo.DemoOptions(AccessAnalyzer.Demo.DemoScale.Small, 42, asOf), [writer]);
            }

            var pushdown = TestSources.Read(database, TransferMode.Pushdown);
            var stream = TestSources.Read(database, TransferMode.Stream);
            var auto = TestSources.Read(database);
            (pushdown.Transfer, stream.Transfer, auto.Transfer).Should().Be((TransferMode.Pushdown, TransferMode.Stream, TransferMode.Stream));
            stream.Tables.Usage.Should().NotBeNull("the demo has an access log, which the comparison must cover");

            var options = new AnalysisOptions { AsOf = asOf };
            var expected = RenderWithoutSource(pushdown.Snapshot(), options);
            RenderWithoutSource(stream.Snapshot(), options).Should().Be(expected);
            // Every row of the big tables crossed, on top of what pushdown transfers for the small tables.
            stream.RowsRead.Should().BeGreaterThan(pushdown.RowsRead!.Value);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void The_cli_option_gives_the_same_analyze_json_streamed_and_pushed_down()
    {
        var dataset = RandomDataset.Create(5);
        var directory = Path.Combine(Path.GetTempPath(), $"aa-transfer-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            dataset.WriteCsv(directory);
            var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));
            string[] Args(string transfer) =>
                ["analyze", "--source", database, "--as-of", dataset.AsOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    "--format", "json", "--transfer", transfer];

            var pushdown = Cli.AnalyzeCliTests.Run(Args("pushdown"));
            var stream = Cli.AnalyzeCliTests.Run(Args("stream"));
            (pushdown.Exit, pushdown.Err).Should().Be((0, string.Empty));
            (stream.Exit, stream.Err).Should().Be((0, string.Empty));
            stream.Out.Should().Contain("\"principals\"").And.Be(pushdown.Out);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Should_read_canonical_names_defined_as_views_over_an_agencys_own_tables()
    {
        var dataset = RandomDataset.Create(7);
        var directory = Path.Combine(Path.GetTempPath(), $"aa-views-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            dataset.WriteCsv(directory);
            var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = """
                    ALTER TABLE files RENAME TO agency_dossiers;
                    CREATE VIEW files AS SELECT id, unit_id, sensitive, closed FROM agency_dossiers;
                    ALTER TABLE caseload RENAME TO agency_portfolio;
                    CREATE VIEW caseload AS SELECT file_id, principal_id FROM agency_portfolio;
                    """;
                command.ExecuteNonQuery();
            }

            var fromCsv = SnapshotComparer.Describe(TestSources.Load(directory));
            SnapshotComparer.Describe(TestSources.Read(database, TransferMode.Pushdown).Snapshot()).Should().Be(fromCsv);
            SnapshotComparer.Describe(TestSources.Read(database, TransferMode.Stream).Snapshot()).Should().Be(fromCsv);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Streaming hands SQLite's text bytes over as they are stored: integers and reals must read as the pushdown path
    /// reads them, and two ids that differ only in bytes that are not UTF-8 (the same string once decoded, U+FFFD) are
    /// two files, as the pushdown path's SQL sees them, not a duplicate.
    /// </summary>
    [Fact]
    public void Streaming_reads_numbers_and_broken_utf8_in_sqlite_cells_as_pushdown_does()
    {
        var dataset = RandomDataset.Create(11);
        var directory = Path.Combine(Path.GetTempPath(), $"aa-cells-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            dataset.WriteCsv(directory);
            var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "copy.db"));
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                // Flags as integers and reals (a view: the table's TEXT columns would store them as text), two file
                // ids that decode to the same string, and a caseload row pointing at one of them by its bytes.
                command.CommandText = """
                    ALTER TABLE files RENAME TO stored_files;
                    CREATE VIEW files AS SELECT id, unit_id, CASE sensitive WHEN 'true' THEN 1 ELSE 0 END AS sensitive,
                        CASE closed WHEN 'true' THEN 1.0 ELSE 0.0 END AS closed FROM stored_files;
                    UPDATE stored_files SET id = CAST(x'46ff' AS TEXT) WHERE rowid = 1;
                    UPDATE stored_files SET id = CAST(x'46fe' AS TEXT) WHERE rowid = 2;
                    INSERT INTO caseload (file_id, principal_id) SELECT CAST(x'46ff' AS TEXT), id FROM principals LIMIT 1;
                    """;
                command.ExecuteNonQuery();
                command.CommandText = "SELECT typeof(sensitive) || typeof(closed) FROM files LIMIT 1";
                command.ExecuteScalar().Should().Be("integerreal", "the test must put numbers in the flag columns");
            }

            var pushdown = SnapshotComparer.Describe(TestSources.Read(database, TransferMode.Pushdown).Snapshot());
            SnapshotComparer.Describe(TestSources.Read(database, TransferMode.Stream).Snapshot()).Should().Be(pushdown);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The JSON report, minus the one line that names the source.</summary>
    private static string RenderWithoutSource(Core.Model.Snapshot snapshot, AnalysisOptions options)
    {
        var report = ReportBuilder.Build(Analysis.Run(snapshot, options), new ReportOptions());
        using var stream = new MemoryStream();
        JsonReportWriter.Write(report, stream, Stamp);
        return string.Join('\n', System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n').Where(l => !l.Contains("\"source\"", StringComparison.Ordinal)));
    }
}
