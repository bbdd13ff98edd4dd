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
        var timer = new PhaseTimer();
        progress?.Report("reading org units, principals, groups, roles, assignments");
        var small = SmallTables.Read(new CsvTables(directory));
        timer.Mark("small tables");

        progress?.Report("reading files");
        var files = FileIndex.Read(directory, BatchRows);
        timer.Mark("files");
        progress?.Report("reading caseload");
        var caseload = CaseloadSet.Read(directory, files, BatchRows);
        timer.Mark("caseload");
        progress?.Report("reading shares");
        var shareFiles = ReadShares(directory, files);
        timer.Mark("shares");

        // The caseload is grouped once no file id is looked up any more, so that the id table (the largest
        // structure) is gone first: at the first caseload probe of the access-event aggregation, or else now.
        var grouped = false;
        void Group()
        {
            if (!grouped)
            {
                timer.Mark("access events parsed");
                files.ReleaseIds();
                caseload.Group(files);
                grouped = true;
                timer.Mark("caseload grouped and counted");
            }
        }

        progress?.Report("reading access events");
        var usage = ReadAccessEvents(directory, small.Principals, files, caseload, Group);
        Group();
        timer.Mark("access events");

        // Principal by principal, as CaseloadSet.Contains prefers.
        var shares = new ShareRow[shareFiles.Count];
        foreach (var i in Enumerable.Range(0, shareFiles.Count).OrderBy(i => shareFiles[i].Row.PrincipalId, StringComparer.Ordinal))
        {
            var (row, f) = shareFiles[i];
            shares[i] = f < 0 ? row : row with { InCaseload = caseload.Contains(row.PrincipalId, f), File = f };
        }

        var fileCounts = files.Counts();
        return small.With(directory, t => t + ".csv", fileCounts, caseload.Counts, caseload.Links(files), shares, usage,
            table => CsvFile.Presence(CsvTableCursor.Locate(directory, table)));
    }

    /// <summary>Rows of a big table handed from the parsing thread to the joining one at a time.</summary>
    private const int BatchRows = 512;

    private sealed class CsvTables(string directory) : ICanonicalTables, ITableOpener
    {
        public ITableCursor? OpenTable(string table, bool required) => CsvTableCursor.Open(directory, table, required);

        public List<T>? ReadTable<T>(string table, Func<ITableCursor, List<T>> read, bool required)
        {
            using var cursor = CsvTableCursor.Open(directory, table, required);
            return cursor is null ? null : read(cursor);
        }
    }

    /// <summary>
    /// access_events.csv aggregated (null when absent, empty or not a regular file; see <see cref="AccessEventReader"/>). File ids resolve
    /// through the caseload's id table while the log is read; <paramref name="group"/> then runs on the other core
    /// while the events are sorted, before the aggregation asks about caseload pairs (which would call it otherwise).
    /// </summary>
    private static UsageTables? ReadAccessEvents(string directory, List<PrincipalRow> principals, FileIndex files, CaseloadSet caseload, Action group)
    {
        if (CsvTableCursor.Locate(directory, OptionalTables.AccessEvents) != CsvFileKind.File)
        {
            return null;
        }

        var known = principals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        string? lastId = null;
        var lastKnown = false;
        return AccessEventReader.Read(
            directory,
            files,
            principalId =>
            {
                // Events come principal by principal, each id as one interned string.
                if (!ReferenceEquals(principalId, lastId))
                {
                    lastId = principalId;
                    lastKnown = known.Contains(principalId);
                }

                return lastKnown;
            },
            (principalId, f) =>
            {
                group();
                return caseload.Contains(principalId, f);
            },
            f => (files.UnitClasses[f] >> 2, (files.ClassOf(f) & FileClass.Sensitive) != 0),
            files.UnitIdAt,
            group);
    }

    /// <summary>Shares rows with their file resolved (dense index, -1 if missing); whether it is in the principal's caseload comes after grouping.</summary>
    private static List<(ShareRow Row, int File)> ReadShares(string directory, FileIndex files)
    {
        using var t = CsvTableCursor.Open(directory, "shares", required: false);
        var rows = new List<(ShareRow, int)>();
        if (t is null)
        {
            return rows;
        }

        int file = t.Column("file_id"), principal = t.Column("principal_id"), validUntil = t.Column("valid_until", required: false);
        while (t.Read())
        {
            var fileId = t.Reference(file);
            var principalId = t.Reference(principal);
            var until = t.OptionalDate(validUntil);
            var f = files.Find(t.Bytes(file));
            rows.Add(f >= 0
                ? (new ShareRow(fileId, principalId, until, FileFound: true, files.UnitIdOf(f), files.ClassOf(f), InCaseload: false, t.Line), f)
                : (new ShareRow(fileId, principalId, until, FileFound: false, string.Empty, FileClass.None, InCaseload: false, t.Line), -1));
        }

        return rows;
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
