using System.Diagnostics;
using System.Text.RegularExpressions;
using AccessAnalyzer.Cli;
using AccessAnalyzer.Tests.Cli;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Docs;

/// <summary>
/// The README and docs/ cannot go stale: the README's JSON example is what the command prints, every command line they
/// show parses, and every link stays inside the repository and reaches a file that exists.
/// </summary>
public sealed partial class ReadmeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aa-readme-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();

    private static string ReadmeText => File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

    private static MarkdownDocument Parse(string text) => Markdown.Parse(text, Pipeline);

    private static IEnumerable<string> Documents() =>
        new[] { Path.Combine(Repository.Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md", SearchOption.AllDirectories));

    [Fact]
    public async Task The_json_example_is_what_the_command_prints()
    {
        var blocks = Parse(ReadmeText).Descendants<FencedCodeBlock>().ToList();
        var json = blocks.FindIndex(b => b.Info == "json");
        json.Should().BePositive("the README shows a JSON example after the command that prints it");
        var command = blocks[json - 1].Lines.ToString().Trim();
        command.Should().StartWith("accessanalyzer analyze --source agence.db ").And.NotContain("\n");

        // The example agency of the mapping guide, built by the guide's own SQL, in the directory the command runs in.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_dir, "agence.db")};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = MappingGuideTests.Sql("sqlite");
            create.ExecuteNonQuery();
        }

        var (exit, stdout, stderr) = await RunTool(Tokens(command).Skip(1));
        exit.Should().Be(0, stderr);
        Version(stdout.TrimEnd('\n')).Should().Be(Version(blocks[json].Lines.ToString().TrimEnd('\n')),
            "the README's JSON example is exactly what the command prints (only the tool version may differ)");
    }

    private static string Version(string json) => VersionField().Replace(json, "\"version\": \"VERSION\"", 1);

    [GeneratedRegex("\"version\": \"[^\"]*\"")]
    private static partial Regex VersionField();

    /// <summary>The installed tool's behaviour: the real executable, run in the test's directory, relative paths as shown.</summary>
    private async Task<(int Exit, string Out, string Err)> RunTool(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "accessanalyzer.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout).Replace("\r\n", "\n", StringComparison.Ordinal), await stderr);
    }

    [Fact]
    public void Every_command_line_in_the_readme_and_docs_parses()
    {
        var checkedLines = new List<string>();
        foreach (var path in Documents())
        {
            var document = Parse(File.ReadAllText(path));
            var lines = document.Descendants<FencedCodeBlock>().SelectMany(b => b.Lines.ToString().Split('\n'))
                .Concat(document.Descendants<CodeInline>().Select(c => c.Content));
            foreach (var raw in lines)
            {
                var line = raw.Trim().TrimStart('$', ' ');
                string[] args;
                if (line.StartsWith("accessanalyzer ", StringComparison.Ordinal))
                {
                    args = [.. Tokens(line).Skip(1)];
                }
                else if (line.StartsWith("dotnet run --project src/AccessAnalyzer.Cli -- ", StringComparison.Ordinal))
                {
                    args = [.. Tokens(line).SkipWhile(t => t != "--").Skip(1)];
                }
                else
                {
                    continue;
                }

                // Synopses in the reference ([--top N], a|b) describe options rather than show a command to run.
                if (args.Any(a => a.StartsWith('[') || a.Contains('|', StringComparison.Ordinal) || a is "…" or "..." || a.All(char.IsUpper)))
                {
                    continue;
                }

                CliApp.ParseErrors(args).Should().BeEmpty($"'{line}' in {Path.GetFileName(path)} is a command line the tool accepts");
                checkedLines.Add(line);
            }
        }

        checkedLines.Should().HaveCountGreaterThan(20);
        checkedLines.Should().Contain(l => l.StartsWith("accessanalyzer gate --init-policy", StringComparison.Ordinal));
    }

    /// <summary>A command line's words as a shell splits them, up to a pipe, redirection or comment.</summary>
    private static IEnumerable<string> Tokens(string line)
    {
        foreach (Match m in Word().Matches(line))
        {
            var token = m.Value;
            if (token is "|" or "||" or "&&" or ">" or ">>" or "<" or "2>&1" || token.StartsWith('#'))
            {
                yield break;
            }

            yield return token.Trim('\'', '"');
        }
    }

    [GeneratedRegex("""'[^']*'|"[^"]*"|\S+""")]
    private static partial Regex Word();

    [Fact]
    public void The_quick_start_test_command_is_the_one_ci_runs()
    {
        ReadmeText.Should().Contain("```sh\ndotnet run --project src/AccessAnalyzer.Cli -- demo\ndotnet test AccessAnalyzer.sln\n```");
        File.ReadAllText(Path.Combine(Repository.Root, ".ci", "run")).Should().Contain("\ndotnet test AccessAnalyzer.sln 2>&1 | tee");
    }

    [Fact]
    public void Every_link_stays_in_the_repository_and_reaches_a_file()
    {
        var links = 0;
        foreach (var path in Documents())
        {
            var name = Path.GetRelativePath(Repository.Root, path);
            var text = File.ReadAllText(path);
            foreach (var link in Parse(text).Descendants<LinkInline>())
            {
                var url = link.Url ?? "";
                url.Should().NotContain("://", $"{name} links only inside the repository").And.NotStartWith("/").And.NotContain("../")
                    .And.NotStartWith("mailto:").And.NotContain(":\\");
                var target = url.Split('#')[0];
                if (target.Length > 0)
                {
                    var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(target)));
                    full.Should().StartWith(Repository.Root);
                    (File.Exists(full) || Directory.Exists(full)).Should().BeTrue($"{name} links to {url}, which exists");
                }

                links++;
            }

            IssueNumber().IsMatch(text).Should().BeFalse($"{name} names no issue number");
        }

        links.Should().BeGreaterThan(10);
    }

    [GeneratedRegex(@"\b[Ii]ssues? #?\d+|(^|\s)#\d+\b")]
    private static partial Regex IssueNumber();
}
