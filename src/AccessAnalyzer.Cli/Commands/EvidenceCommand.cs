using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sinks.Evidence;
using AccessAnalyzer.Sinks.Language;
using AccessAnalyzer.Sinks.Store;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// The evidence pack from the command line: read the source once, analyze, plan, read the stored runs, fingerprint the
/// input, and write the three files: what <c>report --evidence DIR</c> runs.
/// </summary>
internal static class EvidenceCommand
{
    /// <summary>Builds the evidence pack and writes it into <paramref name="directory"/> (<c>report --evidence DIR</c>).</summary>
    public static void Run(CliContext context, string directory, Lang lang, StoreTarget? historyTarget, string sourceArgument, DateOnly asOf,
        SourceOptions sourceOptions, bool quiet)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(directory);
        var pack = context.WithProgress(quiet, "Building the evidence pack", progress =>
        {
            var resolved = CliContext.ResolveSource(sourceArgument, sourceOptions);
            var read = resolved.Read(progress);
            var snapshot = read.Snapshot();
            progress?.Report("computing reach");
            var analysis = ToolInfo.Analyze(snapshot, asOf);
            var report = ReportBuilder.Build(analysis, new ReportOptions());
            progress?.Report("planning");
            var plan = RemediationPlanner.Plan(analysis, new PlanOptions());
            progress?.Report("fingerprinting the input");
            var inputs = InputFingerprinter.Of(resolved, read.Tables);
            return EvidenceBuilder.Build(new EvidenceInput
            {
                Report = report,
                Plan = plan,
                Snapshot = snapshot,
                History = historyTarget is null ? null : ReportHistory.Read(historyTarget),
                Inputs = inputs,
                ToolVersion = ToolInfo.Version,
                CommandLine = CommandLineText.Redact("accessanalyzer", context.Arguments),
            });
        });

        Write(directory, pack, lang);
        context.Error.WriteLine($"evidence pack written to {directory}: {EvidenceWriters.MarkdownFile}, {EvidenceWriters.HtmlFile}, {EvidenceWriters.JsonFile}");
    }

    /// <summary>
    /// The three files, all or none: each is rendered in memory first (a failure writes nothing), then written to a
    /// temporary file beside its target, and only when all three are complete are they renamed over the targets.
    /// </summary>
    public static void Write(string directory, EvidencePack pack, Lang lang)
    {
        var files = new (string Name, Action<Stream> Write)[]
        {
            (EvidenceWriters.MarkdownFile, s => EvidenceWriters.WriteMarkdown(pack, lang, s)),
            (EvidenceWriters.HtmlFile, s => EvidenceWriters.WriteHtml(pack, lang, s)),
            (EvidenceWriters.JsonFile, s => EvidenceWriters.WriteJson(pack, s, ToolInfo.Stamp)),
        };
        var rendered = files.Select(f =>
        {
            using var buffer = new MemoryStream();
            f.Write(buffer);
            return (f.Name, Bytes: buffer.ToArray());
        }).ToArray();

        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new UsageException($"--evidence: '{directory}' is a file, not a directory");
        }

        Directory.CreateDirectory(full);
        var temporaries = new List<(string Temporary, string Target)>();
        try
        {
            foreach (var (name, bytes) in rendered)
            {
                var temporary = Path.Combine(full, $".{name}.{Environment.ProcessId}.tmp");
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                {
                    temporaries.Add((temporary, Path.Combine(full, name)));
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }
            }

            foreach (var (temporary, target) in temporaries)
            {
                File.Move(temporary, target, overwrite: true);
            }
        }
        finally
        {
            foreach (var (temporary, _) in temporaries)
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }
    }
}
