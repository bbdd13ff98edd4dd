using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AccessAnalyzer.Benchmarks;

/// <summary>The per-principal figures every engine must agree on.</summary>
internal readonly record struct PrincipalFigures(long Reachable, long CaseloadFiles, long CaseloadInReach, long Excess, long SensitiveExcess)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"reachable {Reachable}, caseload {CaseloadFiles}, caseload in reach {CaseloadInReach}, excess {Excess}, sensitive excess {SensitiveExcess}");
}

/// <summary>Reads figures from our JSON report or a peer's CSV result, and compares two sets.</summary>
internal static class Figures
{
    public static Dictionary<string, PrincipalFigures> FromReport(string jsonPath)
    {
        using var stream = File.OpenRead(jsonPath);
        using var document = JsonDocument.Parse(stream);
        var result = new Dictionary<string, PrincipalFigures>(StringComparer.Ordinal);
        foreach (var p in document.RootElement.GetProperty("principals").EnumerateArray())
        {
            result[p.GetProperty("principalId").GetString()!] = new PrincipalFigures(
                p.GetProperty("reachableFiles").GetInt64(), p.GetProperty("caseloadFiles").GetInt64(),
                p.GetProperty("caseloadInReach").GetInt64(), p.GetProperty("excessFiles").GetInt64(),
                p.GetProperty("sensitiveExcessFiles").GetInt64());
        }

        return result;
    }

    /// <summary>principal_id, reachable, caseload_files, caseload_in_reach, excess, sensitive_excess (header row first).</summary>
    public static Dictionary<string, PrincipalFigures> FromPeerCsv(string csvPath)
    {
        var rows = ParseCsv(File.ReadAllText(csvPath, Encoding.UTF8));
        var header = rows[0];
        int Column(string name) => Array.FindIndex(header, h => h.Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) is var i && i >= 0
            ? i : throw new BenchmarkException($"{csvPath}: no column {name}");
        int id = Column("principal_id"), reach = Column("reachable"), caseload = Column("caseload_files"),
            inReach = Column("caseload_in_reach"), excess = Column("excess"), sensitive = Column("sensitive_excess");
        var result = new Dictionary<string, PrincipalFigures>(StringComparer.Ordinal);
        foreach (var row in rows.Skip(1))
        {
            long L(int c) => long.Parse(row[c], NumberStyles.Integer, CultureInfo.InvariantCulture);
            result[row[id]] = new PrincipalFigures(L(reach), L(caseload), L(inReach), L(excess), L(sensitive));
        }

        return result;
    }

    /// <summary>Differences of <paramref name="other"/> from <paramref name="reference"/>: count and the first few, described.</summary>
    public static (int Count, List<string> Examples) Compare(
        IReadOnlyDictionary<string, PrincipalFigures> reference, IReadOnlyDictionary<string, PrincipalFigures> other)
    {
        var examples = new List<string>();
        var count = 0;
        foreach (var (id, expected) in reference.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!other.TryGetValue(id, out var actual))
            {
                count++;
                Note($"'{id}' missing");
            }
            else if (actual != expected)
            {
                count++;
                Note($"'{id}': {actual} instead of {expected}");
            }
        }

        foreach (var id in other.Keys.Where(k => !reference.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            count++;
            Note($"'{id}' is not a principal of the reference");
        }

        return (count, examples);

        void Note(string text)
        {
            if (examples.Count < 5)
            {
                examples.Add(text);
            }
        }
    }

    /// <summary>RFC 4180: quoted fields with doubled quotes, line breaks inside quotes.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i < text.Length && text[i] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    rows.Add([.. fields]);
                    fields.Clear();
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add([.. fields]);
        }

        return rows;
    }
}
