using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>What stands where a table's CSV file belongs.</summary>
internal enum CsvFileKind
{
    /// <summary>Nothing of that name.</summary>
    Absent,

    /// <summary>A directory or a special file (FIFO, device, socket): nothing a table can be read from, and a FIFO would block the read.</summary>
    NotARegularFile,

    /// <summary>A regular file, or a link to one.</summary>
    File,
}

/// <summary>What stands where a table's file belongs (see <see cref="FileTypes"/>).</summary>
internal static class CsvFile
{
    public static CsvFileKind Kind(string path) => Kind(FileTypes.Of(path));

    public static CsvFileKind Kind(PathType type) => type switch
    {
        PathType.Absent => CsvFileKind.Absent,
        _ when FileTypes.IsReadableAsFile(type) => CsvFileKind.File,
        _ => CsvFileKind.NotARegularFile,
    };

    /// <summary>How an optional table's file stands, before its rows are read: a regular file is reported by the reader.</summary>
    public static TablePresence? Presence(CsvFileKind kind) => kind switch
    {
        CsvFileKind.Absent => TablePresence.Absent,
        CsvFileKind.NotARegularFile => TablePresence.NotARegularFile,
        _ => null,
    };
}
