using System.Globalization;

namespace AccessAnalyzer.Core.Input;

/// <summary>
/// Parsing of canonical cell values, shared by every source so that CSV and databases accept exactly the same
/// spellings. Each method returns false on a value that does not parse; the caller owns the location and throws.
/// </summary>
public static class CanonicalValues
{
    /// <summary>Longest id DESIGN.md allows.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Ids that name a beneficiary file never appear in messages: they are personal data.</summary>
    public const string RedactedFileId = "<file id withheld>";

    /// <summary><c>true</c>/<c>false</c> (any case), and <c>1</c>/<c>0</c> as databases store booleans.</summary>
    public static bool TryParseBoolean(string? text, out bool value)
    {
        var t = text.AsSpan().Trim();
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.SequenceEqual("1"))
        {
            value = true;
            return true;
        }

        if (t.Equals("false", StringComparison.OrdinalIgnoreCase) || t.SequenceEqual("0"))
        {
            value = false;
            return true;
        }

        value = false;
        return false;
    }

    /// <summary>
    /// An ISO 8601 date (<c>2026-03-31</c>) or date-time (<c>2026-03-31T12:00:00Z</c>); only the calendar date counts,
    /// since in-force rules compare whole days. Empty text is "no date" (parses, value null).
    /// </summary>
    public static bool TryParseOptionalDate(string? text, out DateOnly? value)
    {
        value = null;
        var t = text.AsSpan().Trim();
        if (t.IsEmpty)
        {
            return true;
        }

        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            value = date;
            return true;
        }

        // A date-time keeps the calendar date as written: an offset must not shift the day.
        if (t.Length > 10 && (t[10] == 'T' || t[10] == ' ') &&
            DateOnly.TryParseExact(t[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date) &&
            DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            value = date;
            return true;
        }

        return false;
    }

    public static bool TryParsePrincipalKind(string? text, out PrincipalKind kind) => Spellings.TryParse(text, out kind);

    public static bool TryParseMemberType(string? text, out MemberType type) => Spellings.TryParse(text, out type);

    public static bool TryParseHolderType(string? text, out HolderType type) => Spellings.TryParse(text, out type);

    public static bool TryParseScope(string? text, out AssignmentScope scope) => Spellings.TryParse(text, out scope);

    public static bool TryParseJustificationSubject(string? text, out JustificationSubject subject) => Spellings.TryParse(text, out subject);

    public static bool TryParseInt(string? text, out int value) =>
        int.TryParse(text.AsSpan().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// An id is non-empty and at most <see cref="MaxIdLength"/> characters (Unicode code points, as SQL's length() counts
    /// them, so every source agrees); it is never trimmed.
    /// </summary>
    public static bool IsValidId(string? text) =>
        !string.IsNullOrEmpty(text) &&
        (text.Length <= MaxIdLength || (text.Length <= MaxIdLength * 2 && text.EnumerateRunes().Count() <= MaxIdLength));

    /// <summary>A reference column: empty means "none" (a root unit, a principal without unit).</summary>
    public static string? OptionalReference(string? text) => string.IsNullOrEmpty(text) ? null : text;

    public static FileClass ToFileClass(bool sensitive, bool closed) =>
        (sensitive ? FileClass.Sensitive : FileClass.None) | (closed ? FileClass.Closed : FileClass.None);
}
