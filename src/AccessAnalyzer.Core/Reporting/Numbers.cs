using System.Globalization;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>How a count reads in a sentence, the same in every message and output: thousands separated, no culture.</summary>
public static class Numbers
{
    public static string Grouped(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
