using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Csv;
using AccessAnalyzer.Sources.Usage;

namespace AccessAnalyzer.Tests.Reference;

/// <summary>
/// Streams <c>access_events.csv</c> (principal_id, file_id, at, [action]) through the <see cref="AccessEventAggregator"/>.
/// Every event counts as an access, whatever its action: reading, printing and exporting all disclose the file.
/// The plain row-by-row reader, kept as the reference that <c>AccessEventReaderTests</c> holds the fast
/// <see cref="AccessEventReader"/> (what <see cref="CsvSource"/> uses) to: same aggregates, same errors.
/// </summary>
internal static class CsvAccessEvents
{
    /// <summary>Null when the optional table is absent or holds no event (an empty export says nothing about logging).</summary>
    public static UsageTables? Read(
        string directory, Func<string, int> fileIndex, Func<string, bool> principalKnown, Func<string, int, bool> inCaseload,
        Func<int, (string UnitId, bool Sensitive)> fileInfo, int chunkSize = AccessEventAggregator.DefaultChunkSize)
    {
        using var t = CsvTableCursor.Open(directory, "access_events", required: false);
        if (t is null)
        {
            return null;
        }

        int principal = t.Column("principal_id"), file = t.Column("file_id"), at = t.Column("at");
        using var aggregator = new AccessEventAggregator(principalKnown, inCaseload, fileInfo, chunkSize);
        var (first, last) = AccessEventAggregator.DayRange;
        while (t.Read())
        {
            var text = t.Get(at);
            if (!CanonicalValues.TryParseOptionalDate(text, out var day) || day is null)
            {
                throw t.Error(at, $"{t.Show(text)} is not an ISO 8601 date-time");
            }

            if (!aggregator.Add(t.Reference(principal), fileIndex(t.Reference(file)), day.Value))
            {
                throw t.Error(at, $"{t.Show(text)} is outside the supported range {first:yyyy-MM-dd} to {last:yyyy-MM-dd}");
            }
        }

        var usage = aggregator.Complete();
        return usage.Events == 0 ? null : usage;
    }
}
