using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Usage;

/// <summary>When a principal last read a file of a unit (by index), and last read one outside its caseload there.</summary>
public readonly record struct UnitRead(int Unit, DateOnly LastRead, DateOnly? LastReadOutsideCaseload);

/// <summary>
/// The aggregated access log interned like the rest of the snapshot, what every consumer reads it through: per
/// principal index, its days (in day order, with the distinct files read each day), its activity over the period and
/// the units it read in. Rows naming a principal or unit the snapshot does not have are left out here (they are
/// counted as the log's dangling events).
/// </summary>
public sealed class UsageIndex
{
    private readonly Snapshot _snapshot;
    private readonly UsageTables _usage;
    private readonly PrincipalActivity?[] _activity;
    private readonly int[] _dayStart;
    private readonly DateOnly[] _day;
    private readonly int[] _distinct;
    private int[]? _unitStart;
    private UnitRead[]? _unitReads;

    private UsageIndex(Snapshot snapshot, UsageTables usage, PrincipalActivity?[] activity, int[] dayStart, DateOnly[] day, int[] distinct)
    {
        _snapshot = snapshot;
        _usage = usage;
        _activity = activity;
        _dayStart = dayStart;
        _day = day;
        _distinct = distinct;
    }

    /// <summary>Principals of the snapshot: the indices the members below take.</summary>
    public int PrincipalCount => _activity.Length;

    internal string PrincipalIdOf(int principal) => _snapshot.Principals.Ids[principal];

    /// <summary>Events in the log, valid or not.</summary>
    public long Events => _usage.Events;

    /// <summary>The first day of a valid event, or null when there is none.</summary>
    public DateOnly? FirstDay => _usage.FirstDay;

    /// <summary>The last day of a valid event, or null when there is none.</summary>
    public DateOnly? LastDay => _usage.LastDay;

    public long EventsNamingMissingPrincipal => _usage.EventsNamingMissingPrincipal;

    public long EventsNamingMissingFile => _usage.EventsNamingMissingFile;

    /// <summary>The principal's activity over the whole log, or null when it read nothing.</summary>
    public PrincipalActivity? ActivityOf(int principal) => _activity[principal];

    /// <summary>The days the principal read on, strictly increasing (empty when it read nothing).</summary>
    public ReadOnlySpan<DateOnly> DaysOf(int principal) => _day.AsSpan(_dayStart[principal], _dayStart[principal + 1] - _dayStart[principal]);

    /// <summary>Distinct files the principal read on each of <see cref="DaysOf"/>, item for item.</summary>
    public ReadOnlySpan<int> DistinctFilesOf(int principal) =>
        _distinct.AsSpan(_dayStart[principal], _dayStart[principal + 1] - _dayStart[principal]);

    /// <summary>The units the principal read in, by unit index (built on first use: only the plan asks).</summary>
    public ReadOnlySpan<UnitRead> UnitReadsOf(int principal)
    {
        if (_unitReads is null)
        {
            BuildUnitReads();
        }

        return _unitReads.AsSpan(_unitStart![principal], _unitStart[principal + 1] - _unitStart[principal]);
    }

    /// <summary>
    /// The index of usage tables other than the snapshot's own: the monitor's stored per-day aggregates, so that the
    /// usage rules run unchanged on what it has counted so far.
    /// </summary>
    public static UsageIndex Over(Snapshot snapshot, UsageTables usage)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(usage);
        return Build(snapshot, usage);
    }

    internal static UsageIndex Build(Snapshot snapshot, UsageTables usage)
    {
        var activity = new PrincipalActivity?[snapshot.Principals.Count];
        foreach (var a in usage.Principals)
        {
            if (snapshot.TryGetPrincipal(a.PrincipalId, out var p))
            {
                activity[p] = a;
            }
        }

        var (dayStart, day, distinct) = InternDays(snapshot, usage.Days);
        return new UsageIndex(snapshot, usage, activity, dayStart, day, distinct);
    }

    /// <summary>
    /// The day rows by principal index: one id lookup per principal, none per row. The table and the snapshot both
    /// order principals by id, so when the snapshot knows every principal of the table (what a source hands over: it
    /// drops events naming missing principals) the rows are already in place and the columns are shared, not copied.
    /// </summary>
    private static (int[] Start, DateOnly[] Day, int[] Distinct) InternDays(Snapshot snapshot, PrincipalDayTable table)
    {
        var ids = table.PrincipalIds;
        var from = table.Start;
        var principalOf = new int[ids.Length];
        var start = new int[snapshot.Principals.Count + 1];
        var inPlace = true;
        for (var t = 0; t < ids.Length; t++)
        {
            if (!snapshot.TryGetPrincipal(ids[t], out principalOf[t]))
            {
                inPlace = false;
                continue;
            }

            inPlace &= t == 0 || principalOf[t] > principalOf[t - 1];
            start[principalOf[t] + 1] = from[t + 1] - from[t];
        }

        for (var p = 0; p < snapshot.Principals.Count; p++)
        {
            start[p + 1] += start[p];
        }

        if (inPlace)
        {
            return (start, table.Days, table.DistinctFiles);
        }

        var day = new DateOnly[start[^1]];
        var distinct = new int[start[^1]];
        for (var t = 0; t < ids.Length; t++)
        {
            if (principalOf[t] >= 0)
            {
                var length = from[t + 1] - from[t];
                Array.Copy(table.Days, from[t], day, start[principalOf[t]], length);
                Array.Copy(table.DistinctFiles, from[t], distinct, start[principalOf[t]], length);
            }
        }

        return (start, day, distinct);
    }

    /// <summary>A counting sort by principal: linear in the log's (principal, unit) rows, the source's order kept within a principal.</summary>
    private void BuildUnitReads()
    {
        var principalOf = new int[_usage.Units.Count];
        var unitOf = new int[_usage.Units.Count];
        var start = new int[_snapshot.Principals.Count + 1];
        for (var i = 0; i < principalOf.Length; i++)
        {
            var u = _usage.Units[i];
            var known = _snapshot.TryGetPrincipal(u.PrincipalId, out principalOf[i]) & _snapshot.TryGetUnit(u.UnitId, out unitOf[i]);
            if (!known)
            {
                principalOf[i] = -1;
                continue;
            }

            start[principalOf[i] + 1]++;
        }

        for (var p = 0; p < _snapshot.Principals.Count; p++)
        {
            start[p + 1] += start[p];
        }

        var fill = start[..^1];
        var reads = new UnitRead[start[^1]];
        for (var i = 0; i < principalOf.Length; i++)
        {
            if (principalOf[i] >= 0)
            {
                var u = _usage.Units[i];
                reads[fill[principalOf[i]]++] = new UnitRead(unitOf[i], u.LastRead, u.LastReadOutsideCaseload);
            }
        }

        _unitStart = start;
        _unitReads = reads;
    }
}
