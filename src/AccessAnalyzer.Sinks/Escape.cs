using System.Globalization;
using System.Text;

namespace AccessAnalyzer.Sinks;

/// <summary>
/// How a value from the input (an id, a name, an organisation, a path) is made safe for each medium it is shown in.
/// Ids come from tables a pull request or a phished account may have written: they can hold terminal control
/// sequences, right-to-left overrides that reorder what a reader sees, line separators, markdown and HTML. Every
/// medium has its own dangerous characters; every writer goes through one of these functions.
/// </summary>
public static class Escape
{
    /// <summary>
    /// The value on one line with nothing invisible in it: line breaks and tabs as <c>\n</c>, <c>\r</c>, <c>\t</c>;
    /// every other control character (C0, DEL, C1: ESC starts terminal sequences), the bidirectional controls
    /// (U+202E reverses the text after it) and the line and paragraph separators as <c>\u202e</c>. Other text,
    /// accented and non-Latin letters included, is left as it is.
    /// </summary>
    public static string Visible(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsVisible(value))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 16);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when NeedsEscape(c) || IsLoneSurrogate(value, i) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }

    private static bool IsVisible(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (NeedsEscape(value[i]) || IsLoneSurrogate(value, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Characters a reader cannot see as they are, or that change how the rest of the line is shown.</summary>
    public static bool NeedsEscape(char c) =>
        char.IsControl(c)
        || c is '\u2028' or '\u2029' // line and paragraph separators: a line break to some terminals and editors
        || c is >= '\u202A' and <= '\u202E' // embeddings and overrides
        || c is >= '\u2066' and <= '\u2069' // isolates
        || c is '\u200E' or '\u200F' or '\u061C' // directional marks
        || c is '\uFEFF'; // a byte order mark in the middle of text is invisible

    // A lone surrogate is not text: written as UTF-8 it becomes U+FFFD, and two different ids would look the same.
    private static bool IsLoneSurrogate(string value, int i) =>
        char.IsHighSurrogate(value[i]) ? i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])
        : char.IsLowSurrogate(value[i]) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));

    /// <summary>For the terminal through Spectre.Console markup: <see cref="Visible"/>, then markup's brackets escaped.</summary>
    public static string Terminal(string value) => Spectre.Console.Markup.Escape(Visible(value));

    /// <summary>
    /// Prose in markdown (GitHub flavour): <see cref="Visible"/>, every character markdown could read as syntax
    /// backslash-escaped, so a value never becomes a link, emphasis, a heading or HTML; and an HTML comment between
    /// <c>@</c> or <c>#</c> and a name, so a value never notifies a user or team (<c>@security-team</c>), links an
    /// issue (<c>#12</c>) or becomes a mail link (<c>x@evil.example</c>): GitHub links those in text, backslash or not,
    /// but not across a comment.
    /// </summary>
    public static string MarkdownText(string value)
    {
        var visible = Visible(value);
        var text = new StringBuilder(visible.Length + 8);
        for (var i = 0; i < visible.Length; i++)
        {
            var c = visible[i];
            // An underscore inside a word never starts emphasis, so account_policy stays as it reads.
            var intraword = c == '_' && i > 0 && i + 1 < visible.Length && char.IsLetterOrDigit(visible[i - 1]) && char.IsLetterOrDigit(visible[i + 1]);
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '~' or '!' or '&' && !intraword)
            {
                text.Append('\\');
            }

            text.Append(c);
            if (c is '@' or '#' && i + 1 < visible.Length && (char.IsLetterOrDigit(visible[i + 1]) || visible[i + 1] is '-' or '_'))
            {
                text.Append("<!-- -->");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// An identifier in markdown: a code span (no markup, no mention, no link inside one) whose fence is one backtick
    /// longer than the longest run inside, padded when the value touches a backtick. <see cref="Visible"/> first, and
    /// a pipe is escaped even here, as tables require (GitHub reads <c>\|</c> inside a code span as a pipe).
    /// </summary>
    public static string MarkdownCode(string value)
    {
        var body = Visible(value).Replace("|", "\\|", StringComparison.Ordinal);
        if (body.Length == 0)
        {
            return "` `";
        }

        var longest = 0;
        var run = 0;
        foreach (var c in body)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', longest + 1);
        var pad = body[0] == '`' || body[^1] == '`' || (body[0] == ' ' && body[^1] == ' ') ? " " : string.Empty;
        return fence + pad + body + pad + fence;
    }

    /// <summary>
    /// For XML 1.0 text and attributes (JUnit): characters XML cannot hold at all (most C0 controls) would make the
    /// writer fail, and the others would be invisible in a CI view; both are written as in <see cref="Visible"/>.
    /// </summary>
    public static string Xml(string value) => Visible(value);
}
