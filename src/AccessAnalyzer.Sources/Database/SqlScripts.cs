using System.Text;
using System.Text.RegularExpressions;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// The scripts of <c>sql/&lt;dialect&gt;/</c>, embedded in this assembly: read as in the repository, with the schema
/// <c>aa</c> replaced by the configured one, and cut into statements the way the scripts are written (a semicolon
/// at the end of a line, or a <c>GO</c> line for SQL Server; comments hold no semicolon).
/// </summary>
public static partial class SqlScripts
{
    /// <summary>Canonical input tables and the indexes the pushed-down aggregations use.</summary>
    public const string Schema = "schema";

    /// <summary>Tables the report store writes runs into.</summary>
    public const string ReportTables = "report-tables";

    /// <summary>Dashboard views over the report tables.</summary>
    public const string Views = "views";

    /// <summary>Reader and writer roles.</summary>
    public const string Grants = "grants";

    /// <summary>Canonical names as views over an agency's own tables (a template: not run by the tool).</summary>
    public const string MappingTemplate = "mapping-template";

    /// <summary>The script as written in the repository, with schema <c>aa</c> replaced by <paramref name="schema"/>.</summary>
    public static string Text(string dialect, string script, string? schema = null)
    {
        var name = $"AccessAnalyzer.Sources.sql.{dialect}/{script}.sql";
        using var stream = typeof(SqlScripts).Assembly.GetManifestResourceStream(name)
            ?? typeof(SqlScripts).Assembly.GetManifestResourceStream($"AccessAnalyzer.Sources.sql.{dialect}\\{script}.sql")
            ?? throw new ArgumentException($"no script sql/{dialect}/{script}.sql is embedded", nameof(script));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        return schema is null || schema == SqlDialect.DefaultSchema ? text : WithSchema(text, schema);
    }

    /// <summary>The statements of a script, comments and <c>GO</c> lines removed, in order.</summary>
    public static IReadOnlyList<string> Statements(string dialect, string script, string? schema = null) =>
        Split(Text(dialect, script, schema));

    /// <summary>True for a statement that creates an index (a bulk load runs these after inserting the rows).</summary>
    public static bool IsIndex(string statement) =>
        statement.Contains("CREATE INDEX", StringComparison.OrdinalIgnoreCase) ||
        statement.Contains("CREATE UNIQUE INDEX", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Replaces the schema name <c>aa</c> where the scripts use it: before a dot (<c>aa.files</c>, also inside
    /// <c>N'aa.files'</c>), after <c>SCHEMA</c>, and as the literal <c>'aa'</c>. Role names (aa_reader) are left alone.
    /// </summary>
    public static string WithSchema(string script, string schema)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (!SqlDialect.IsValidSchemaName(schema))
        {
            throw new ArgumentException($"schema '{schema}' is not a plain lower-case identifier", nameof(schema));
        }

        return SchemaToken().Replace(script, schema);
    }

    public static IReadOnlyList<string> Split(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var statements = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            var statement = current.ToString().Trim();
            if (statement.Length > 0)
            {
                statements.Add(statement);
            }

            current.Clear();
        }

        foreach (var rawLine in script.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var comment = line.IndexOf("--", StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            line = line.TrimEnd();
            if (line.Trim().Equals("GO", StringComparison.OrdinalIgnoreCase))
            {
                Flush();
                continue;
            }

            if (line.Trim().Length == 0)
            {
                continue;
            }

            current.AppendLine(line);
            if (line.EndsWith(';') && !InDollarQuote(current))
            {
                Flush();
            }
        }

        Flush();
        return statements;
    }

    /// <summary>A PostgreSQL <c>DO $$ ... $$</c> body holds semicolons: the statement ends only after its closing <c>$$</c>.</summary>
    private static bool InDollarQuote(StringBuilder statement)
    {
        var text = statement.ToString();
        var count = 0;
        for (var i = text.IndexOf("$$", StringComparison.Ordinal); i >= 0; i = text.IndexOf("$$", i + 2, StringComparison.Ordinal))
        {
            count++;
        }

        return count % 2 == 1;
    }

    [GeneratedRegex(@"(?<![\w$])aa(?=\.)|(?<=\bSCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?)aa\b|(?<=')aa(?=')", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaToken();
}
