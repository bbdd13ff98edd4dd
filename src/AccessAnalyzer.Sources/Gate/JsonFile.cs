using System.Text.Json;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Gate;

/// <summary>The gate's JSON files (policy, baseline): comments and trailing commas allowed, as people edit them by hand.</summary>
internal static class JsonFile
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The parsed document, or one bad-input line naming the file, line and column of the first error.</summary>
    public static JsonDocument Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return JsonDocument.Parse(text, Options);
        }
        catch (JsonException ex)
        {
            throw new InputErrorException(fileName, ex.LineNumber + 1, ex.BytePositionInLine + 1 is { } c ? $"column {c}" : null,
                $"not valid JSON: {FirstSentence(ex.Message)}");
        }
    }

    /// <summary>
    /// Parses <paramref name="text"/> and returns what <paramref name="read"/> makes of its root element. The document is
    /// disposed when <paramref name="read"/> returns, so the result must not hold on to any element of it.
    /// </summary>
    public static T Read<T>(string text, string fileName, Func<JsonElement, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var document = Parse(text, fileName);
        return read(document.RootElement);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
