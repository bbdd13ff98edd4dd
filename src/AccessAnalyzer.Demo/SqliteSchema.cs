using System.Text;

namespace AccessAnalyzer.Demo;

/// <summary>The canonical input schema for SQLite (<c>sql/sqlite/schema.sql</c>, embedded in this assembly).</summary>
public static class SqliteSchema
{
    private static readonly Lazy<string> LazyScript = new(Load);

    /// <summary>The whole script, as in the repository.</summary>
    public static string Script => LazyScript.Value;

    /// <summary>The script's <c>CREATE TABLE</c> statements, in order.</summary>
    public static IReadOnlyList<string> TableStatements => Split().Where(s => !IsIndex(s)).ToArray();

    /// <summary>The script's <c>CREATE INDEX</c> statements, in order; a bulk loader runs them after inserting.</summary>
    public static IReadOnlyList<string> IndexStatements => Split().Where(IsIndex).ToArray();

    private static bool IsIndex(string statement) =>
        statement.StartsWith("CREATE INDEX", StringComparison.OrdinalIgnoreCase) ||
        statement.StartsWith("CREATE UNIQUE INDEX", StringComparison.OrdinalIgnoreCase);

    /// <summary>Statements without their comments. The script keeps semicolons out of comments, so a line-wise cut is exact.</summary>
    private static List<string> Split()
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var rawLine in Script.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var comment = line.IndexOf("--", StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            current.AppendLine(line.TrimEnd());
            if (line.TrimEnd().EndsWith(';'))
            {
                statements.Add(current.ToString().Trim());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            statements.Add(current.ToString().Trim());
        }

        return statements;
    }

    private static string Load() => Sources.Database.SqlScripts.Text("sqlite", Sources.Database.SqlScripts.Schema);
}
