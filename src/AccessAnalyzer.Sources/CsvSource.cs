using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sources.Csv;

namespace AccessAnalyzer.Sources;

/// <summary>
/// A directory of canonical CSV files (<c>&lt;table&gt;.csv</c>). Small tables are read whole; files and caseload
/// are streamed and aggregated on the way in (counts per unit and class; distinct caseload pairs per principal,
/// unit and class), which is what a database source gets from its GROUP BYs.
/// <para>
/// The big tables never become strings: cells are UTF-8 spans (<see cref="Utf8CsvReader"/>), file ids live once in a
/// compact byte arena with an open-addressing index (<see cref="Utf8IdTable"/>), everything else is dense int arrays.
/// One thread parses while another joins (<see cref="RowBatchPipeline"/>). At 37 million files and 30 million
/// caseload rows this reads in a few seconds in about 1.3 GiB.
/// </para>
/// </summary>
internal sealed class CsvSource(string directory) : ISource
{
    public string Name => directory;

    public SourceKind Kind => SourceKind.Csv;

    public bool CanFindFile => true;

    /// <summary>A directory of files has no report tables: <c>--store</c> needs <c>--store-to</c>.</summary>
    public StoreTarget? Store => null;

    public SourceReadResult Read(IProgress<string>? progress = null) => new(ReadTables(directory, progress), null, []);

    public CheckResult Check(IProgress<string>? progress = null) =>
        SourceChecker.Check(directory, SourceKind.Csv, new CsvTables(directory), () => Read(), progress);

    public Export.ICanonicalTableRows OpenTables() => new Export.CsvTableRows(directory);

    private static SourceTables ReadTables(string directory, IProgress<string>? progress)
    {
        var tables = new CsvTables(directory);
        return StreamedTables.Read(tables, tables, directory, t => t + ".csv",
            table => CsvFile.Presence(CsvTableCursor.Locate(directory, table)), progress);
    }

    private sealed class CsvTables(string directory) : ICanonicalTables, ITableOpener, IBigTables
    {
        public ITableCursor? OpenTable(string table, bool required) => CsvTableCursor.Open(directory, table, required);

        public ITableCursor? Open(string table, bool required) => CsvTableCursor.Open(directory, table, required);

        public int EstimateRows(string table) => CsvTableSize.EstimateRows(directory, table);

        public List<T>? ReadTable<T>(string table, Func<ITableCursor, List<T>> read, bool required)
        {
            using var cursor = CsvTableCursor.Open(directory, table, required);
            return cursor is null ? null : read(cursor);
        }
    }

    /// <summary>
    /// One beneficiary file for <c>explain --file</c>, by a scan of files, caseload and shares (the only read of
    /// per-file rows, asked for explicitly; the id is never logged).
    /// </summary>
    public FileFacts? FindFile(string fileId)
    {
        ArgumentNullException.ThrowIfNull(fileId);
        string? unitId = null;
        bool sensitive = false, closed = false;
        using (var t = CsvTableCursor.Open(directory, "files", required: true)!)
        {
            int id = t.Column("id"), unit = t.Column("unit_id"), s = t.Column("sensitive"), c = t.Column("closed");
            while (t.Read())
            {
                if (string.Equals(t.Get(id), fileId, StringComparison.Ordinal))
                {
                    unitId = t.Reference(unit);
                    sensitive = t.Boolean(s);
                    closed = t.Boolean(c);
                    break;
                }
            }
        }

        if (unitId is null)
        {
            return null;
        }

        var caseload = new List<string>();
        using (var t = CsvTableCursor.Open(directory, "caseload", required: true)!)
        {
            int file = t.Column("file_id"), principal = t.Column("principal_id");
            while (t.Read())
            {
                if (string.Equals(t.Get(file), fileId, StringComparison.Ordinal))
                {
                    caseload.Add(t.Reference(principal));
                }
            }
        }

        var shares = new List<(string, DateOnly?)>();
        using (var t = CsvTableCursor.Open(directory, "shares", required: false))
        {
            if (t is not null)
            {
                int file = t.Column("file_id"), principal = t.Column("principal_id"), until = t.Column("valid_until", required: false);
                while (t.Read())
                {
                    if (string.Equals(t.Get(file), fileId, StringComparison.Ordinal))
                    {
                        shares.Add((t.Reference(principal), t.OptionalDate(until)));
                    }
                }
            }
        }

        return new FileFacts(fileId, unitId, sensitive, closed, [.. caseload.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], shares);
    }
}
