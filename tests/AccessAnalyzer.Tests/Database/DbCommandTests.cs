using System.CommandLine;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Cli.Commands;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;
using AccessAnalyzer.Tests.Reference;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// <c>db init</c> and <c>db load</c> from the command line, into SQLite (always) and PostgreSQL (when installed);
/// then <c>analyze --source postgres</c> gives the same JSON as the SQLite run.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DbCommandTests(PostgresServer server) : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-db-cli-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Runs <c>db ...</c> the way CliApp runs every command (until CliApp registers DbCommand itself).</summary>
    internal static (int Exit, string Out, string Err) Db(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { DbCommand.Create(new CliContext(stdout, stderr)) };
        int exit;
        try
        {
            var parse = root.Parse(args);
            exit = parse.Errors.Count > 0
                ? ExitCodes.BadInput
                : parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr });
            if (parse.Errors.Count > 0)
            {
                stderr.WriteLine("error: " + string.Join("; ", parse.Errors.Select(e => e.Message)));
            }
        }
        catch (Exception ex) when (ex is InputErrorException or UsageException)
        {
            stderr.WriteLine("error: " + ex.Message);
            exit = ExitCodes.BadInput;
        }

        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Db_init_and_load_into_sqlite_give_the_same_snapshot_as_the_csv()
    {
        var dataset = RandomDataset.Create(17);
        var csv = Directory.CreateDirectory(Path.Combine(_root, "csv")).FullName;
        dataset.WriteCsv(csv);
        var database = Path.Combine(_root, "loaded.db");

        var init = Db("db", "init", "--dialect", "sqlite", "--database", database);
        init.Exit.Should().Be(0, init.Err);
        var load = Db("db", "load", "--dialect", "sqlite", "--database", database, "--from", csv);
        load.Exit.Should().Be(0, load.Err);
        load.Out.Should().StartWith("loaded ");
        load.Out.Should().Contain($"files {dataset.Files.Count}");

        SnapshotComparer.Describe(TestSources.Load(database), emptyTablesAsAbsent: true).Should().Be(SnapshotComparer.Describe(TestSources.Load(csv), emptyTablesAsAbsent: true));
    }

    [Fact]
    public void Db_usage_errors_exit_2_with_one_line()
    {
        var noFile = Db("db", "load", "--dialect", "sqlite", "--from", _root);
        noFile.Exit.Should().Be(2);
        noFile.Err.Should().Contain("--database FILE");

        var schemaOnSqlite = Db("db", "init", "--dialect", "sqlite", "--database", Path.Combine(_root, "x.db"), "--schema", "s");
        schemaOnSqlite.Exit.Should().Be(2);

        var missingCsv = Db("db", "load", "--dialect", "sqlite", "--database", Path.Combine(_root, "y.db"), "--from", Path.Combine(_root, "nope"));
        missingCsv.Exit.Should().Be(2);
        missingCsv.Err.Should().Contain("CSV directory not found");
    }

    [Fact]
    public void Connection_string_is_never_printed_even_when_the_connection_fails()
    {
        var file = Path.Combine(_root, "connection");
        File.WriteAllText(file, "Host=127.0.0.1;Port=1;Username=someone;Password=hunter2;Database=agency;Timeout=2\n");
        var result = Db("db", "init", "--dialect", "postgres", "--connection-file", file);
        result.Exit.Should().Be(2);
        result.Err.Should().StartWith("error: postgres:127.0.0.1:1/agency: cannot connect").And.NotContain("hunter2");
        result.Err.TrimEnd().Split('\n').Should().HaveCount(1);
    }

    [PostgresFact]
    public void Demo_loaded_with_db_load_and_analyzed_with_source_postgres_gives_the_json_of_the_sqlite_run()
    {
        var asOf = new DateOnly(2026, 11, 23);
        var csv = Path.Combine(_root, "demo-csv");
        var sqlite = Path.Combine(_root, "demo.db");
        using (var csvWriter = new CsvCanonicalWriter(csv))
        using (var sqliteWriter = new SqliteCanonicalWriter(sqlite))
        {
            DemoGenerator.Generate(new DemoOptions(DemoScale.Small, 42, asOf), [csvWriter, sqliteWriter]);
        }

        var database = "cli_" + Guid.NewGuid().ToString("N")[..8];
        server.Execute($"CREATE DATABASE {database}");
        var connectionFile = Path.Combine(_root, "pg-connection");
        File.WriteAllText(connectionFile, server.ConnectionString(database: database));

        var init = Db("db", "init", "--dialect", "postgres", "--connection-file", connectionFile);
        init.Exit.Should().Be(0, init.Err);
        init.Out.Should().Contain("(schema aa)").And.NotContain("Host=");
        var load = Db("db", "load", "--dialect", "postgres", "--connection-file", connectionFile, "--from", csv);
        load.Exit.Should().Be(0, load.Err);

        // The connection file, not AA_CONNECTION: the environment is shared by every test class running in parallel.
        var fromPostgres = AnalyzeCliTests.Run("analyze", "--source", "postgres", "--connection-file", connectionFile, "--as-of", "2026-11-23", "--format", "json");
        var fromSqlite = AnalyzeCliTests.Run("analyze", "--source", sqlite, "--as-of", "2026-11-23", "--format", "json");
        fromPostgres.Exit.Should().Be(0, fromPostgres.Err);
        fromSqlite.Exit.Should().Be(0, fromSqlite.Err);
        WithoutSource(fromPostgres.Out).Should().Be(WithoutSource(fromSqlite.Out));
        fromPostgres.Out.Should().Contain($"\"source\": \"postgres:127.0.0.1:{server.Port}/{database}\"");
    }

    private static string WithoutSource(string json) =>
        string.Join('\n', json.Split('\n').Where(l => !l.Contains("\"source\"", StringComparison.Ordinal)));
}
