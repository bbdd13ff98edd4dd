using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;
using Markdig;
using Markdig.Syntax;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Docs;

/// <summary>
/// docs/mapping.md is run as written: its SQL blocks (tagged <c>sql sqlite</c> or <c>sql postgres</c>, in page order)
/// build the agency's tables and the views in SQLite and in PostgreSQL, then <c>check</c> must pass with the row counts
/// the page shows and <c>analyze</c> must give the figures of its table. The page and the test cannot drift apart.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class MappingGuideTests(PostgresServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aa-mapping-guide-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Guide => File.ReadAllText(Path.Combine(Repository.Root, "docs", "mapping.md"));

    private static List<FencedCodeBlock> Blocks() =>
        Markdown.Parse(Guide, new MarkdownPipelineBuilder().UsePipeTables().Build()).Descendants<FencedCodeBlock>().ToList();

    /// <summary>The page's SQL for one database, every block of it in page order.</summary>
    internal static string Sql(string dialect)
    {
        var blocks = Blocks().Where(b => b.Info == "sql").ToList();
        // No SQL on the page escapes the test: every sql block says which database runs it.
        blocks.Should().OnlyContain(b => b.Arguments == "sqlite" || b.Arguments == "postgres");
        var sql = string.Join("\n\n", blocks.Where(b => b.Arguments == dialect).Select(b => b.Lines.ToString()));
        sql.Should().NotBeEmpty();
        return sql;
    }

    /// <summary>The table under "What analyze finds": account id to (reach, caseload, excess).</summary>
    private static Dictionary<string, (int Reach, int Caseload, int Excess)> DocumentedFigures()
    {
        var section = Guide.Split("## What `analyze` finds")[1].Split("\n## ")[0];
        var figures = new Dictionary<string, (int, int, int)>(StringComparer.Ordinal);
        foreach (Match m in FigureRow().Matches(section))
        {
            figures[m.Groups[1].Value] = (Int(m.Groups[2]), Int(m.Groups[3]), Int(m.Groups[4]));
        }

        figures.Should().HaveCount(5, "the page lists every account of the example");
        return figures;
    }

    private static int Int(Group g) => int.Parse(g.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\| (\w+) \([^)]*\) \| (\d+) \| (\d+) \| (\d+) \|", RegexOptions.Multiline)]
    private static partial Regex FigureRow();

    private static void ShouldMatchTheGuide(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var actual = root.GetProperty("principals").EnumerateArray().ToDictionary(
            p => p.GetProperty("principalId").GetString()!,
            p => (p.GetProperty("reachableFiles").GetInt32(), p.GetProperty("caseloadFiles").GetInt32(), p.GetProperty("excessFiles").GetInt32()),
            StringComparer.Ordinal);
        actual.Should().BeEquivalentTo(DocumentedFigures());
        var totals = root.GetProperty("totals");
        Guide.Should().Contain($"can open {totals.GetProperty("exposure").GetInt32()} files (exposure), {totals.GetProperty("excessExposure").GetInt32()} of them beyond");
        var rules = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()!).Distinct().ToList();
        rules.Should().BeEquivalentTo(["partner-excess", "dormant-account-with-reach", "mfa-not-required", "no-mfa-with-reach"]);
    }

    [Fact]
    public void The_guide_in_sqlite_passes_check_and_gives_the_figures_it_shows()
    {
        var database = Path.Combine(_dir, "agence.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Sql("sqlite");
            command.ExecuteNonQuery();
        }

        var check = AnalyzeCliTests.Run("check", "--source", database);
        check.Exit.Should().Be(0, check.Err);
        var shown = check.Out.Trim().Replace(database, "agence.db", StringComparison.Ordinal);
        Guide.Should().Contain("\n" + shown + "\n", "the page shows check's output as it is");

        var analyze = AnalyzeCliTests.Run("analyze", "--source", database, "--as-of", "2026-11-30", "--format", "json");
        analyze.Exit.Should().Be(0, analyze.Err);
        ShouldMatchTheGuide(analyze.Out);
    }

    [PostgresFact]
    public void The_guide_in_postgres_passes_check_and_gives_the_same_figures()
    {
        // The page's schemas, agence and aa, renamed so this test has schemas of its own.
        var views = PostgresServer.NewSchema("guide");
        var agency = views + "_agence";
        var sql = Regex.Replace(Sql("postgres"), @"\bagence\.", agency + ".");
        sql = Regex.Replace(sql, @"\baa\.", views + ".")
            .Replace("CREATE SCHEMA agence;", $"CREATE SCHEMA {agency};", StringComparison.Ordinal)
            .Replace("CREATE SCHEMA IF NOT EXISTS aa;", $"CREATE SCHEMA IF NOT EXISTS {views};", StringComparison.Ordinal);
        Regex.IsMatch(sql, @"\b(agence|aa)\.").Should().BeFalse("every schema of the page is renamed");
        server.Execute(sql);

        var connection = Path.Combine(_dir, "aa.conn");
        File.WriteAllText(connection, server.ConnectionString());
        if (!OperatingSystem.IsWindows())
        {
            // Readable by its owner only, as the guide says: the tool warns about a connection file others can read.
            File.SetUnixFileMode(connection, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var check = AnalyzeCliTests.Run("check", "--source", "postgres", "--schema", views, "--connection-file", connection);
        check.Exit.Should().Be(0, check.Err);
        check.Out.Should().StartWith("OK ").And.Contain($"{views}.org_units 4, {views}.principals 5,").And.Contain("analyze can read it");

        var analyze = AnalyzeCliTests.Run("analyze", "--source", "postgres", "--schema", views, "--connection-file", connection,
            "--as-of", "2026-11-30", "--format", "json");
        analyze.Exit.Should().Be(0, analyze.Err);
        ShouldMatchTheGuide(analyze.Out);
    }
}
