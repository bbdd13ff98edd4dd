using System.Text.Json;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Gate;

/// <summary>The gate's JSON files (policy, baseline): comments and trailing commas allowed, as people edit them by hand.</summary>
public static class JsonFile
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The parsed document, or one bad-input line naming the file, line and column of the first error.</summary>
    public static JsonDocument Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException ex)
        {
            throw new InputErrorException(fileName, ex.LineNumber + 1, ex.BytePositionInLine + 1 is { } c ? $"column {c}" : null,
                $"not valid JSON: {FirstSentence(ex.Message)}");
        }

        try
        {
            RejectDuplicateKeys(document.RootElement, "$", fileName);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The file's text, strictly UTF-8: a byte that is not UTF-8 is named by its line and column instead of being
    /// replaced and reported later as some other character.
    /// </summary>
    public static string ReadText(string path, string fileName)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException ex)
        {
            var at = Math.Clamp(ex.Index, 0, bytes.Length);
            var line = 1 + bytes.AsSpan(0, at).Count((byte)'\n');
            var column = at - bytes.AsSpan(0, at).LastIndexOf((byte)'\n');
            var value = at < bytes.Length ? $"0x{bytes[at]:X2}" : "end of file";
            throw new InputErrorException(fileName, line, $"column {column}", $"not valid UTF-8: byte {value}");
        }
    }

    /// <summary>
    /// A key given twice in one object: the parser would keep the last, so a second rule could quietly turn the first
    /// into a warning. Refused, naming the key.
    /// </summary>
    private static void RejectDuplicateKeys(JsonElement element, string path, string fileName)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var at = $"{path}.{property.Name}";
                    if (!seen.Add(property.Name))
                    {
                        throw new InputErrorException(fileName, null, at, $"key '{property.Name}' is given twice");
                    }

                    RejectDuplicateKeys(property.Value, at, fileName);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    RejectDuplicateKeys(item, $"{path}[{i++}]", fileName);
                }

                break;
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
