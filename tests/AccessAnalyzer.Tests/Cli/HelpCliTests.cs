using System.Diagnostics;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Sources.Gate;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>Help for people: examples in every command's help, the root help with no arguments, plain one-line option errors, completion scripts.</summary>
public sealed class HelpCliTests
{
    /// <summary>Every command path, found by asking the help of each group for its commands.</summary>
    private static List<string[]> Commands()
    {
        var found = new List<string[]>();
        var pending = new Queue<string[]>([[]]);
        while (pending.Count > 0)
        {
            var path = pending.Dequeue();
            found.Add(path);
            var help = AnalyzeCliTests.Run([.. path, "--help"]).Out;
            var section = help.Split("Commands:" + Environment.NewLine).ElementAtOrDefault(1);
            foreach (var line in (section ?? "").Split(Environment.NewLine).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)))
            {
                pending.Enqueue([.. path, line.Trim().Split(' ')[0]]);
            }
        }

        return found;
    }

    [Fact]
    public void Every_command_has_examples_of_itself_in_its_help()
    {
        var commands = Commands();
        commands.Select(c => string.Join(' ', c)).Should().Contain(["check", "gate", "db template", "completion"]);
        foreach (var path in commands)
        {
            var (exit, output, error) = AnalyzeCliTests.Run([.. path, "--help"]);
            exit.Should().Be(0, error);
            var examples = output.Split("Examples:" + Environment.NewLine).ElementAtOrDefault(1);
            examples.Should().NotBeNull($"'{string.Join(' ', path)} --help' has examples");
            examples!.Split(Environment.NewLine).TakeWhile(l => l.Length > 0)
                .Should().OnlyContain(l => l.StartsWith("  accessanalyzer " + string.Join(' ', path), StringComparison.Ordinal))
                .And.HaveCountGreaterThanOrEqualTo(1).And.HaveCountLessThanOrEqualTo(3);
        }
    }

    [Fact]
    public void No_arguments_prints_the_root_help_with_exit_codes_and_rules()
    {
        var (exit, output, error) = AnalyzeCliTests.Run();
        exit.Should().Be(0);
        error.Should().BeEmpty();
        output.Should().Contain("Usage:").And.Contain("  check ").And.Contain("Exit codes:" + Environment.NewLine + "  0  done")
            .And.Contain("  partner-excess (critical)").And.Contain("  mass-read (critical)");

        var group = AnalyzeCliTests.Run("db");
        group.Exit.Should().Be(0);
        group.Out.Should().Contain(" db [command] [options]").And.Contain("  template ");
    }

    [Fact]
    public void The_gate_help_names_every_rule_the_example_policy_enables()
    {
        var policy = GatePolicyParser.Parse(File.ReadAllText(Repository.ExamplePolicy), "policy.example.json");
        var ids = GateRules.All.Select(r => r.Info(policy, comparing: true)?.Id).OfType<string>().ToList();
        ids.Should().HaveCountGreaterThan(10);
        var help = AnalyzeCliTests.Run("gate", "--help").Out;
        help.Should().Contain("Exit codes:" + Environment.NewLine + "  0  done (gate: every rule holds)" + Environment.NewLine + "  1  gate failed");
        foreach (var id in ids)
        {
            help.Should().Contain(id);
        }
    }

    [Theory]
    [InlineData(new[] { "analyze", "--source", ".", "--format", "xml" }, "error: --format: 'xml' is not one of: table, json, csv (see accessanalyzer analyze --help)")]
    [InlineData(new[] { "analyze", "--source", ".", "--top", "ten" }, "error: Cannot parse argument 'ten' for option '--top' as a whole number (see accessanalyzer analyze --help)")]
    [InlineData(new[] { "analyze", "--sourc", "x" },
        "error: Unrecognized command or argument '--sourc'; Unrecognized command or argument 'x'; Option '--source' is required (see accessanalyzer analyze --help)")]
    [InlineData(new[] { "db", "template", "--dialect", "oracle" }, "error: --dialect: 'oracle' is not one of: sqlite, postgres, sqlserver (see accessanalyzer db template --help)")]
    public void An_option_error_is_one_plain_line(string[] args, string expected)
    {
        var (exit, output, error) = AnalyzeCliTests.Run(args);
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be(expected + Environment.NewLine);
    }

    [Fact]
    public void Diff_before_takes_every_source_kind()
    {
        AnalyzeCliTests.Run("diff", "--help").Out.Should().Contain("The current data. A directory of canonical CSV files, an SQLite database file, or postgres / sqlserver");
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _accessanalyzer_complete accessanalyzer")]
    [InlineData("zsh", "compdef _accessanalyzer accessanalyzer")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName accessanalyzer")]
    public void Completion_prints_a_script_for_each_shell(string shell, string registration)
    {
        var (exit, output, error) = AnalyzeCliTests.Run("completion", shell);
        exit.Should().Be(0, error);
        output.Should().Contain(registration).And.Contain("[suggest:");
    }

    [Fact]
    public void The_bash_completion_completes_commands_and_options_through_the_installed_tool()
    {
        // The apphost beside the tests is the tool a user would have on PATH.
        var bin = AppContext.BaseDirectory;
        File.Exists(Path.Combine(bin, "accessanalyzer")).Should().BeTrue();
        var script = AnalyzeCliTests.Run("completion", "bash").Out;

        string Complete(string line)
        {
            var words = line.Split(' ');
            var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            using var bash = Process.Start(start)!;
            bash.StandardInput.Write(script + $$"""
                COMP_LINE='{{line}}'; COMP_POINT={{line.Length}}; COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}}); COMP_CWORD={{words.Length - 1}}
                _accessanalyzer_complete
                printf '%s\n' "${COMPREPLY[@]}"

                """);
            bash.StandardInput.Close();
            var output = bash.StandardOutput.ReadToEnd();
            bash.WaitForExit();
            return output;
        }

        Complete("accessanalyzer che").Should().Be("check\n");
        Complete("accessanalyzer gate --po").Should().Be("--policy\n");
        Complete("accessanalyzer db template --dialect sq").Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("sqlite", "sqlserver");
    }
}
