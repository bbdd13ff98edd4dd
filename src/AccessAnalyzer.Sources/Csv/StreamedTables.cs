using System.Runtime.ExceptionServices;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>Where the big tables come from row by row: a directory of CSV files, or a database streamed (<c>--transfer stream</c>).</summary>
internal interface IBigTables
{
    /// <summary>A cursor over a canonical table; null when an optional one is absent.</summary>
    ITableCursor? Open(string table, bool required);

    /// <summary>A cheap guess of the table's rows, to size arrays once (0 when unknown: they grow).</summary>
    int EstimateRows(string table);
}

/// <summary>
/// The in-process pipeline of the big tables, shared by the CSV source and the databases read with
/// <c>--transfer stream</c>, so that both check, join, count and report the same way: files and caseload are
/// streamed and aggregated on the way in (counts per unit and class; distinct caseload pairs per principal, unit and
/// class), which is what a database gives from its GROUP BYs under <c>--transfer pushdown</c>.
/// </summary>
internal static class StreamedTables
{
    /// <summary>Rows of a big table handed from the parsing thread to the joining one at a time.</summary>
    private const int BatchRows = 512;

    /// <param name="small">The small tables, read whole.</param>
    /// <param name="big">The big tables, row by row.</param>
    /// <param name="sourceName">Name in reports.</param>
    /// <param name="displayName">How a table is named in messages (<c>files.csv</c>, <c>aa.files</c>).</param>
    /// <param name="presence">Whether an optional table is there, for coverage.</param>
    /// <param name="progress">Phases, for the progress display.</param>
    public static SourceTables Read(
        ICanonicalTables small, IBigTables big, string sourceName, Func<string, string> displayName,
        Func<string, TablePresence?> presence, IProgress<string>? progress)
    {
        var timer = new PhaseTimer();

        // The small tables are read beside the files, which do not need them: the files' two threads leave a core
        // idle part of the time, and a database's server does the files' work while this process waits. Errors come
        // as a read in table order gives them: a small table's first.
        progress?.Report("reading org units, principals, groups, roles, assignments and files");
        var smallRead = Task.Factory.StartNew(() => SmallTables.Read(small), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        FileIndex files;
        try
        {
            using var t = big.Open("files", required: true)!;
            files = FileIndex.Read(t, big.EstimateRows("files"), BatchRows);
        }
        catch
        {
            // A small table's error first, as a read in table order meets it; else the files' own.
            if (WaitQuietly(smallRead) is { } earlier)
            {
                ExceptionDispatchInfo.Throw(earlier);
            }

            throw;
        }
        finally
        {
            timer.Mark("files");
        }

        var smallTables = smallRead.GetAwaiter().GetResult();
        timer.Mark("small tables (read beside the files)");
        progress?.Report("reading caseload");
        CaseloadSet caseload;
        using (var t = big.Open("caseload", required: true)!)
        {
            caseload = CaseloadSet.Read(t, files, big.EstimateRows("caseload"), BatchRows);
        }

        timer.Mark("caseload");
        progress?.Report("reading shares");
        var shareFiles = ReadShares(big, files);
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
        var usage = ReadAccessEvents(big, smallTables.Principals, files, caseload, Group);
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
        return smallTables.With(sourceName, displayName, fileCounts, caseload.Counts, caseload.Links(files), shares, usage, presence);
    }

    /// <summary>The task's error, once it has ended; null when it ran to completion.</summary>
    private static Exception? WaitQuietly(Task task)
    {
        try
        {
            task.Wait();
            return null;
        }
        catch (AggregateException ex)
        {
            return ex.InnerException ?? ex;
        }
    }

    /// <summary>
    /// access_events aggregated (null when absent or holding no event; see <see cref="AccessEventReader"/>). File ids
    /// resolve through the caseload's id table while the log is read; <paramref name="group"/> then runs on the other
    /// core while the events are sorted, before the aggregation asks about caseload pairs (which would call it otherwise).
    /// </summary>
    private static UsageTables? ReadAccessEvents(IBigTables big, List<PrincipalRow> principals, FileIndex files, CaseloadSet caseload, Action group)
    {
        using var t = big.Open(OptionalTables.AccessEvents, required: false);
        if (t is null)
        {
            return null;
        }

        var known = principals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        string? lastId = null;
        var lastKnown = false;
        return AccessEventReader.Read(
            t,
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
    private static List<(ShareRow Row, int File)> ReadShares(IBigTables big, FileIndex files)
    {
        using var t = big.Open("shares", required: false);
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
}
