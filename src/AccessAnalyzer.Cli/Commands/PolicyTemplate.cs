namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// The example policy and its schema, embedded in the tool so an installed copy can start a policy without the
/// source tree. The schema is written beside the policy under the name its <c>$schema</c> reference uses.
/// </summary>
internal static class PolicyTemplate
{
    public const string SchemaFileName = "policy.schema.json";

    public static string Example => Read("policy.example.json");

    public static string Schema => Read(SchemaFileName);

    /// <summary>Writes the example to <paramref name="path"/> and the schema beside it; refuses when either exists.</summary>
    public static void Write(string path, TextWriter stdout)
    {
        var full = Path.GetFullPath(path);
        var schemaPath = Path.Combine(Path.GetDirectoryName(full)!, SchemaFileName);
        if (string.Equals(full, schemaPath, StringComparison.Ordinal))
        {
            throw new UsageException($"--init-policy: '{path}' is the schema's own name; choose another name for the policy");
        }

        // Never overwrites: a policy is edited by hand, and losing those edits to a second --init-policy is not
        // undoable. A schema already there with the same text is kept, so a second policy can start in the same folder.
        var shownSchema = Path.Combine(Path.GetDirectoryName(path) ?? "", SchemaFileName);
        if (Exists(full))
        {
            throw new UsageException($"--init-policy: '{path}' already exists; not overwritten");
        }

        var writeSchema = true;
        if (Exists(schemaPath))
        {
            if (!File.Exists(schemaPath) || !string.Equals(File.ReadAllText(schemaPath), Schema, StringComparison.Ordinal))
            {
                throw new UsageException($"--init-policy: '{shownSchema}' already exists and differs from this version's schema; not overwritten");
            }

            writeSchema = false;
        }

        CliContext.CheckDestinations((path, "--init-policy"));
        var files = new List<(string, string, Action<Stream>)> { (path, "--init-policy", stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(Example))) };
        if (writeSchema)
        {
            files.Add((schemaPath, "--init-policy", stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(Schema))));
        }

        CliContext.WriteOutputs(files);
        stdout.WriteLine($"wrote {path} (the example policy){(writeSchema ? $" and {shownSchema}" : "")}; edit the policy, then: accessanalyzer gate --source SOURCE --policy {path}");
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static string Read(string name)
    {
        using var stream = typeof(PolicyTemplate).Assembly.GetManifestResourceStream("AccessAnalyzer.Cli." + name)
            ?? throw new InvalidOperationException($"resource {name} missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
