using System.Globalization;
using System.Text;

namespace AccessAnalyzer.Sinks.Html;

/// <summary>
/// Writes HTML where every piece of text from the data goes through one encoder. Ids, names, organisations and messages
/// come from the agency's tables, so any of them may hold markup (<c>&lt;img src=x onerror=…&gt;</c>): <see cref="Text"/>
/// and <see cref="Attr"/> encode, and only <see cref="Raw"/>, used for the writer's own markup, does not.
/// </summary>
internal sealed class HtmlBuilder
{
    private readonly StringBuilder _html = new(1 << 16);

    public HtmlBuilder Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Text content, encoded.</summary>
    public HtmlBuilder Text(string? text)
    {
        Encode(_html, text);
        return this;
    }

    /// <summary>An attribute <c> name="value"</c> with the value encoded (quotes included).</summary>
    public HtmlBuilder Attr(string name, string? value)
    {
        _html.Append(' ').Append(name).Append("=\"");
        Encode(_html, value);
        _html.Append('"');
        return this;
    }

    /// <summary><c>&lt;tag attrs&gt;text&lt;/tag&gt;</c> with the text encoded.</summary>
    public HtmlBuilder Element(string tag, string? text, string? cssClass = null)
    {
        _html.Append('<').Append(tag);
        if (cssClass is not null)
        {
            Attr("class", cssClass);
        }

        _html.Append('>');
        Encode(_html, text);
        _html.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>A number written for SVG coordinates: invariant, at most two decimals.</summary>
    public static string Coordinate(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public override string ToString() => _html.ToString();

    /// <summary>
    /// The five characters that can end text or an attribute value become entities; control characters (which HTML
    /// forbids and which could hide text) and the direction overrides and separators that would reorder or break what
    /// a reader sees are shown as their code, as in <see cref="Escape.Visible"/>. Everything else is written as is, in UTF-8.
    /// </summary>
    public static void Encode(StringBuilder target, string? text)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (text is null)
        {
            return;
        }

        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => target.Append("&amp;"),
                '<' => target.Append("&lt;"),
                '>' => target.Append("&gt;"),
                '"' => target.Append("&quot;"),
                '\'' => target.Append("&#39;"),
                '\n' or '\t' => target.Append(' '),
                _ when Escape.NeedsEscape(c) => target.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => target.Append(c),
            };
        }
    }

    /// <summary>The encoded form of <paramref name="text"/>.</summary>
    public static string Encode(string? text)
    {
        var builder = new StringBuilder(text?.Length ?? 0);
        Encode(builder, text);
        return builder.ToString();
    }
}
