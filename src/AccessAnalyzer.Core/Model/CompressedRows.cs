namespace AccessAnalyzer.Core.Model;

/// <summary>
/// Compressed sparse rows: items grouped by a dense row number, row r being <c>Items[Start[r]..Start[r + 1]]</c>. The
/// one layout of every index here (memberships, grants, holders, caseload, shares): flat arrays, no object per edge.
/// </summary>
internal static class CompressedRows
{
    /// <summary>Row starts (length <paramref name="rows"/> + 1) for items already ordered by row.</summary>
    public static int[] Starts(int rows, IEnumerable<int> rowOfEachItem)
    {
        var start = new int[rows + 1];
        foreach (var row in rowOfEachItem)
        {
            start[row + 1]++;
        }

        for (var r = 0; r < rows; r++)
        {
            start[r + 1] += start[r];
        }

        return start;
    }

    /// <summary>Items grouped by row, keeping their input order within a row (a counting sort).</summary>
    public static (int[] Start, int[] Items) Group(int rows, IEnumerable<(int Row, int Item)> pairs)
    {
        var list = pairs as IReadOnlyList<(int Row, int Item)> ?? [.. pairs];
        var start = Starts(rows, list.Select(pair => pair.Row));
        var fill = start[..rows];
        var items = new int[list.Count];
        foreach (var (row, item) in list)
        {
            items[fill[row]++] = item;
        }

        return (start, items);
    }
}
