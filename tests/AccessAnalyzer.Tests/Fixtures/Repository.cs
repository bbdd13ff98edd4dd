namespace AccessAnalyzer.Tests;

/// <summary>The repository the tests were built from: its files (README, docs, the example policy) and the built CLI.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    /// <summary>A file of the repository, by its path from the root (<c>src/AccessAnalyzer.Cli/policy.example.json</c>).</summary>
    public static string File(string relative) => Path.Combine(Root, relative);

    /// <summary>The example policy the CLI ships.</summary>
    public static string ExamplePolicy => File("src/AccessAnalyzer.Cli/policy.example.json");

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "AccessAnalyzer.sln")))
        {
            directory = directory.Parent;
        }

        return directory!.FullName;
    }
}
