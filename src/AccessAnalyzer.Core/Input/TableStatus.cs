namespace AccessAnalyzer.Core.Input;

/// <summary>What a source found where an optional table belongs. A check that needs the table runs only on <see cref="Rows"/>.</summary>
public enum TablePresence
{
    /// <summary>No table, view or file of that name.</summary>
    Absent,

    /// <summary>Something named like the table that is no table: a directory or a special file (FIFO, device) among CSV files.</summary>
    NotARegularFile,

    /// <summary>The table exists with its columns (a CSV header) but holds no row.</summary>
    Empty,

    /// <summary>The table exists and holds rows.</summary>
    Rows,

    /// <summary>The table exists, but no part of the analysis reads it yet.</summary>
    NotRead,
}

/// <summary>
/// How one optional table stood in the source, by its canonical name (<c>access_events</c>). <paramref name="Rows"/> is
/// how many rows were read (events for access_events), filled in by the snapshot builder; null when not read.
/// </summary>
public sealed record TableStatus(string Table, TablePresence Presence, long? Rows = null);

/// <summary>The canonical tables a source may lack: without them some checks cannot run, and the outputs say so.</summary>
public static class OptionalTables
{
    public const string AccessEvents = "access_events";
    public const string AccountPolicy = "account_policy";
    public const string Shares = "shares";

    /// <summary>Recorded grounds for reach beyond the caseload.</summary>
    public const string Justifications = "justifications";

    public static IReadOnlyList<string> All { get; } = [AccessEvents, AccountPolicy, Shares, Justifications];
}
