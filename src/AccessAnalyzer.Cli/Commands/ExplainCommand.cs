using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>explain</c>: every grant path by which a principal reaches what it reaches (or one unit or file), and the
/// reverse question: who reaches a unit or a file, and through what.
/// </summary>
internal static class ExplainCommand
{
    /// <summary>Environment variable holding the key for <c>--pseudonymize</c>; without it a random key is used per run.</summary>
    public const string PseudonymKeyVariable = "AA_PSEUDONYM_KEY";

    public static Command Create(CliContext context)
    {
        var source = CommonOptions.Source();
        var principal = new Option<string?>("--principal") { Description = "The account to explain." };
        var unit = new Option<string?>("--unit") { Description = "A unit: how the principal reaches it, or (without --principal) who reaches it." };
        var file = new Option<string?>("--file") { Description = "A beneficiary file: how the principal reaches it, or (without --principal) who reaches it." };
        var asOf = CommonOptions.AsOf();
        var format = CliContext.FormatOption(Outputs.PrincipalExplanation);
        var output = CommonOptions.Output(string.Empty);
        var pseudonymize = new Option<bool>("--pseudonymize") { Description = $"Show the file id as a keyed pseudonym (key from {PseudonymKeyVariable})." };
        var quiet = CommonOptions.Quiet();
        var command = new Command("explain", "Show every grant path behind an account's reach, or who reaches a unit or a file.")
        {
            source, principal, unit, file, asOf, format, output, pseudonymize, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            CliContext.CheckDestinations((parse.GetValue(output), "--output"));
            if (parse.GetValue(pseudonymize))
            {
                CheckPseudonymKey(context.Error);
            }

            var principalId = parse.GetValue(principal);
            var unitId = parse.GetValue(unit);
            var fileId = parse.GetValue(file);
            if (unitId is not null && fileId is not null)
            {
                throw new UsageException("--unit and --file cannot be used together");
            }

            if (principalId is null && unitId is null && fileId is null)
            {
                throw new UsageException("explain needs --principal, --unit or --file");
            }

            var sourceValue = parse.GetValue(source)!;
            var options = new AnalysisOptions { AsOf = CliContext.ParseAsOf(parse.GetValue(asOf)) };
            var formatValue = parse.GetValue(format)!;
            var outputValue = parse.GetValue(output);
            var (snapshot, facts) = context.WithProgress(parse.GetValue(quiet), "Explaining", progress =>
            {
                var resolved = CliContext.ResolveSource(sourceValue, sourceArguments.Resolve(context, parse));
                // Refused before the load, which on a database can take minutes.
                if (fileId is not null && !resolved.CanFindFile)
                {
                    throw new UsageException("--file: looking up one file is supported on CSV and SQLite sources; use --unit on a database source");
                }

                var loaded = CliContext.LoadSource(resolved, progress);
                FileFacts? found = null;
                if (fileId is not null)
                {
                    progress?.Report("looking up the file");

                    // The id came from the user; it is not repeated in the message (it may identify a beneficiary).
                    found = resolved.FindFile(fileId) ?? throw new UsageException("--file: no file with this id in the source");
                    if (parse.GetValue(pseudonymize))
                    {
                        found = found with { FileId = Pseudonym(found.FileId) };
                    }
                }

                return (loaded, found);
            });

            var analysis = ToolInfo.Analyze(snapshot, options.AsOf);
            if (principalId is not null)
            {
                var explanation = AccessExplainer.ExplainPrincipal(analysis, principalId, unitId, facts);
                context.Render(Outputs.PrincipalExplanation, explanation, formatValue, outputValue);
            }
            else
            {
                var explanation = facts is not null
                    ? AccessExplainer.ExplainFile(analysis, facts)
                    : AccessExplainer.ExplainUnit(analysis, unitId!);
                context.Render(Outputs.TargetExplanation, explanation, formatValue, outputValue);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A keyed, stable pseudonym: the same id and key give the same value; without the key it cannot be reversed or recomputed.</summary>
    /// <summary>Shortest key accepted: a key anyone can guess lets them test a file id against its pseudonym.</summary>
    public const int MinimumKeyBytes = 16;

    /// <summary>Refuses a short key (exit 2); without a key, says once that pseudonyms will not match another run's.</summary>
    internal static void CheckPseudonymKey(TextWriter warnings)
    {
        var configured = Environment.GetEnvironmentVariable(PseudonymKeyVariable);
        if (string.IsNullOrEmpty(configured))
        {
            warnings.WriteLine($"warning: {PseudonymKeyVariable} is not set: a random key is used for this run, so pseudonyms change from one run to the next");
            return;
        }

        var length = Encoding.UTF8.GetByteCount(configured);
        if (length < MinimumKeyBytes)
        {
            throw new UsageException($"{PseudonymKeyVariable} is too short ({length} bytes; at least {MinimumKeyBytes} required)");
        }
    }

    internal static string Pseudonym(string fileId)
    {
        var configured = Environment.GetEnvironmentVariable(PseudonymKeyVariable);
        var key = string.IsNullOrEmpty(configured) ? RandomKey.Value : Encoding.UTF8.GetBytes(configured);
        var hash = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(fileId));
        return "pseudo-" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static readonly Lazy<byte[]> RandomKey = new(() => RandomNumberGenerator.GetBytes(32));
}
