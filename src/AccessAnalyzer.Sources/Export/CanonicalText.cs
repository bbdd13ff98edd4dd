using System.Globalization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sources.Export;

/// <summary>
/// How <c>db export</c> spells each cell, so that every source gives the same files for the same data: text as the
/// source holds it (ids, names, closed sets), booleans <c>true</c>/<c>false</c>, dates <c>yyyy-MM-dd</c>, whole numbers
/// in digits, and date-times as written, with <c>Z</c> added to one without an offset (a database's UTC timestamp
/// reads that way; the loader takes such a value as UTC too) or put for <c>+00:00</c>. Nothing changes a calendar date:
/// the tool counts days as the date is written. Cells are checked with the rules and messages of the CSV source.
/// </summary>
public static class CanonicalText
{
    internal static IEnumerable<string?[]> Rows(ITableCursor cursor, CanonicalTableDefinition table)
    {
        using (cursor)
        {
            var columns = table.Columns.Select(c => cursor.Column(c.Name, c.Required)).ToArray();
            while (cursor.Read())
            {
                var row = new string?[columns.Length];
                for (var i = 0; i < columns.Length; i++)
                {
                    row[i] = columns[i] < 0 ? null : Cell(cursor, columns[i], table.Columns[i]);
                }

                yield return row;
            }
        }
    }

    private static string? Cell(ITableCursor cursor, int column, CanonicalColumn definition)
    {
        switch (definition.Kind)
        {
            case ColumnKind.Boolean:
                return cursor.Boolean(column) ? "true" : "false";
            case ColumnKind.Date:
                var date = definition.Nullable ? cursor.OptionalDate(column) : cursor.RequiredDate(column);
                return date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case ColumnKind.Integer:
                var number = cursor.Get(column);
                return CanonicalValues.TryParseInt(number, out var value)
                    ? value.ToString(CultureInfo.InvariantCulture)
                    : throw cursor.Error(column, $"{cursor.Show(number)} is not a whole number");
            case ColumnKind.Timestamp:
                var text = cursor.Get(column)?.Trim();
                if (string.IsNullOrEmpty(text) && definition.Nullable)
                {
                    return null;
                }

                return CanonicalValues.TryParseOptionalDate(text, out var day) && day is not null
                    ? Timestamp(text!)
                    : throw cursor.Error(column, $"{cursor.Show(text)} is not an ISO 8601 date-time");
            default:
                return NullIfEmpty(cursor.Get(column));
        }
    }

    /// <summary>A date-time as written, with <c>T</c> between date and time, and <c>Z</c> for no offset or <c>+00:00</c>.</summary>
    public static string Timestamp(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hasTime = text.Length >= 19 && text[10] is 'T' or ' ';
        if (!hasTime)
        {
            return text;
        }

        var zone = text.AsSpan(19);
        if (zone.StartsWith(".") || zone.StartsWith(","))
        {
            var digits = 1;
            while (digits < zone.Length && char.IsAsciiDigit(zone[digits]))
            {
                digits++;
            }

            zone = zone[digits..];
        }

        var local = text[10] == ' ' ? string.Concat(text.AsSpan(0, 10), "T", text.AsSpan(11, text.Length - 11 - zone.Length)) : text[..^zone.Length];
        return zone.Length == 0 ? local + "Z"
            : zone is "+00:00" or "+0000" or "+00" ? local + "Z"
            : string.Concat(local, zone);
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
