using System.CommandLine;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>completion bash|zsh|pwsh</c>: a shell script that completes commands, options and option values by asking the
/// tool itself through System.CommandLine's <c>[suggest:POSITION] "LINE"</c> directive, so completions always match the
/// installed version.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # bash completion for accessanalyzer. Load it with: source <(accessanalyzer completion bash)
        _accessanalyzer_complete()
        {
            local IFS=$'\n'
            local candidates
            candidates=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
            COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _accessanalyzer_complete accessanalyzer

        """;

    private const string Zsh = """
        #compdef accessanalyzer
        # zsh completion for accessanalyzer. Load it with: source <(accessanalyzer completion zsh)
        _accessanalyzer() {
          local -a candidates
          candidates=("${(@f)$("${words[1]}" "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
          compadd -a candidates
        }
        if (( $+functions[compdef] )); then
          compdef _accessanalyzer accessanalyzer
        fi

        """;

    private const string Pwsh = """
        # PowerShell completion for accessanalyzer. Load it with: accessanalyzer completion pwsh | Out-String | Invoke-Expression
        Register-ArgumentCompleter -Native -CommandName accessanalyzer -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.ToString()
            $position = $cursorPosition - $commandAst.Extent.StartOffset
            & $commandAst.CommandElements[0].Value "[suggest:$position]" "$line" 2>$null | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;

    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh");
        var command = new Command("completion", "Print a shell completion script for commands, options and their values.") { shell };
        command.SetAction(parse =>
        {
            context.Out.Write(parse.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Pwsh,
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
