using System.Globalization;

namespace AccessAnalyzer.Sinks.Language;

/// <summary>The languages the documents for people are written in (HTML report, evidence pack, markdown).</summary>
public enum Lang
{
    En,
    Fr,
}

/// <summary>
/// Every human sentence of the documents, one table per language, looked up by key: a document never holds a literal
/// sentence of its own, so a translation is one table to fill and a missing key is a test failure, not a silent gap.
/// Numbers and dates are formatted for the language (<c>1,234</c> and <c>2026-11-23</c> in English; <c>1 234</c> and
/// <c>23/11/2026</c> in French). Each document adds its keys in a partial part of this class
/// (<see cref="Register"/> from a static table), so no part edits another's.
/// </summary>
public static partial class Texts
{
    private static readonly Dictionary<string, string> English = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, string> French = new(StringComparer.Ordinal);

    // The tool runs in invariant-globalization mode (no ICU on the machines it must run on), so French number
    // formatting is spelled out here rather than taken from a culture: space between thousands, comma for decimals.
    private static readonly NumberFormatInfo FrenchNumbers = new()
    {
        NumberGroupSeparator = " ",
        NumberDecimalSeparator = ",",
        PercentGroupSeparator = " ",
        PercentDecimalSeparator = ",",
    };

    static Texts()
    {
        foreach (var (key, en, fr) in AllTables())
        {
            Register(key, en, fr);
        }
    }

    /// <summary>Parses <c>en</c> or <c>fr</c> (the <c>--lang</c> option).</summary>
    public static bool TryParse(string? text, out Lang lang)
    {
        switch (text)
        {
            case "en":
                lang = Lang.En;
                return true;
            case "fr":
                lang = Lang.Fr;
                return true;
            default:
                lang = Lang.En;
                return false;
        }
    }

    /// <summary>The sentence for <paramref name="key"/> in <paramref name="lang"/>, with <c>{0}</c>… filled in.</summary>
    public static string Get(Lang lang, string key, params object[] args)
    {
        var table = lang == Lang.Fr ? French : English;
        if (!table.TryGetValue(key, out var text))
        {
            throw new KeyNotFoundException($"no {lang} text for '{key}'");
        }

        return args.Length == 0 ? text : string.Format(Culture(lang), text, args);
    }

    /// <summary>Every key with its text in each language, for the test that no key is missing a language.</summary>
    public static IReadOnlyList<(string Key, string En, string Fr)> All() => [.. AllTables()];

    /// <summary>A count, grouped as the language writes it.</summary>
    public static string Number(Lang lang, long value) =>
        lang == Lang.Fr
            ? value.ToString("N0", FrenchNumbers)
            : value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A change, with its sign (<c>+1,234</c>, <c>-5</c>, <c>0</c>), grouped as the language writes it.</summary>
    public static string Signed(Lang lang, long value) => value > 0 ? "+" + Number(lang, value) : Number(lang, value);

    /// <summary>A percentage with one decimal, as the language writes it.</summary>
    public static string Percent(Lang lang, double fraction) =>
        (fraction * 100).ToString("0.0", Culture(lang)) + (lang == Lang.Fr ? " %" : "%");

    /// <summary>A calendar date as the language writes it.</summary>
    public static string Date(Lang lang, DateOnly date) =>
        lang == Lang.Fr
            ? date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)
            : date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IFormatProvider Culture(Lang lang) => lang == Lang.Fr ? FrenchNumbers : CultureInfo.InvariantCulture;

    private static void Register(string key, string en, string fr)
    {
        if (!English.TryAdd(key, en) || !French.TryAdd(key, fr))
        {
            throw new InvalidOperationException($"text key '{key}' is defined twice");
        }
    }

    /// <summary>The tables of every part; each part adds its own static table to this list.</summary>
    private static IEnumerable<(string Key, string En, string Fr)> AllTables() => Common.Concat(Html).Concat(Evidence).Concat(Review);

    /// <summary>Words every document shares.</summary>
    private static readonly (string Key, string En, string Fr)[] Common =
    [
        ("common.asOf", "as of {0}", "au {0}"),
        ("common.notChecked", "Not checked", "Non vérifié"),
        ("common.source", "Source", "Source"),
        ("common.toolVersion", "Tool version", "Version de l'outil"),
    ];
}
