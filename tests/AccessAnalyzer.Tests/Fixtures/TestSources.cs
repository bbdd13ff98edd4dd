using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Tests.Fixtures;

/// <summary>Sources as the CLI gets them: through the resolver, with default options (no warnings written).</summary>
internal static class TestSources
{
    public static ISource Resolve(string argument) => new SourceResolver().Resolve(argument, new SourceOptions());

    /// <summary>What a path reads as: the tables, rows transferred, and the snapshot on demand.</summary>
    public static SourceReadResult Read(string argument) => Resolve(argument).Read();

    public static Snapshot Load(string argument) => Read(argument).Snapshot();

    /// <summary>A database source read with a given <c>--transfer</c>.</summary>
    public static SourceReadResult Read(string argument, TransferMode transfer) =>
        new SourceResolver().Resolve(argument, new SourceOptions { Transfer = transfer }).Read();
}
