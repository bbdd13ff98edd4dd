using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Usage;

/// <summary>When a principal last read a file of a unit (by index), and last read one outside its caseload there.</summary>
public readonly record struct UnitRead(int Unit, DateOnly LastRead, DateOnly? LastReadOutsideCaseload);

/// <summary>
/// The aggregated access log interned like the rest of the snapshot: per principal index, its activity over the period
/// and the units it read in. Rows naming a principal or unit the snapshot does not have are left out here (they are
/// counted as the log's dangling events).
/// </summary>
public sealed class UsageIndex
{
    private readonly Snapshot _snapshot;
    private readonly UsageTables _usage;
    private readonly PrincipalActivity?[] _activity;
    private int[]? _unitStart;
    private UnitRead[]? _unitReads;

    private UsageIndex(Snapshot snapshot, UsageTables usage, PrincipalActivity?[] activity)
    {
        _snapshot = snapshot;
        _usage = usage;
        _activity = activity;
    }

    /// <summary>The principal's activity over the whole log, or null when it read nothing.</summary>
    public PrincipalActivity? ActivityOf(int principal) => _activity[principal];

    /// <summary>The units the principal read in, by unit index (built on first use: only the plan asks).</summary>
    public ReadOnlySpan<UnitRead> UnitReadsOf(int principal)
    {
        if (_unitReads is null)
        {
            BuildUnitReads();
        }

        return _unitReads.AsSpan(_unitStart![principal], _unitStart[principal + 1] - _unitStart[principal]);
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

        return new UsageIndex(snapshot, usage, activity);
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
