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
    /// The three files, all or none: each is rendered in memory first (a failure writes nothing). A new pack is written
    /// into a staging directory beside the target and renamed into place in one step, so no reader ever sees part of
    /// a pack; over an existing directory the three files are staged and renamed together (see
    /// <see cref="CliContext.WriteOutputs"/>).
    /// </summary>
    public static void Write(string directory, EvidencePack pack, Lang lang)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new UsageException($"--evidence: '{directory}' is a file, not a directory");
        }

        var files = new (string Name, Action<Stream> Write)[]
        {
            (EvidenceWriters.MarkdownFile, s => EvidenceWriters.WriteMarkdown(pack, lang, s)),
            (EvidenceWriters.HtmlFile, s => EvidenceWriters.WriteHtml(pack, lang, s)),
            (EvidenceWriters.JsonFile, s => EvidenceWriters.WriteJson(pack, s, ToolInfo.Stamp)),
        };
        if (Directory.Exists(full))
        {
            CliContext.WriteOutputs([.. files.Select(f => (Path.Combine(full, f.Name), "--evidence", f.Write))]);
            return;
        }

        var rendered = files.Select(f =>
        {
            using var buffer = new MemoryStream();
            f.Write(buffer);
            return (f.Name, Bytes: buffer.ToArray());
        }).ToArray();
        var parent = Path.GetDirectoryName(full) ?? throw new UsageException($"--evidence: '{directory}' has no parent directory");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        TemporaryFiles.Add(staging);
        try
        {
            Directory.CreateDirectory(staging);
            foreach (var (name, bytes) in rendered)
            {
                using var stream = new FileStream(Path.Combine(staging, name), FileMode.CreateNew, FileAccess.Write);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            Directory.Move(staging, full);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            TemporaryFiles.Forget(staging);
        }
    }
}
