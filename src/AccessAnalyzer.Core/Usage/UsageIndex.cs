using System.Collections.Immutable;
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
    private readonly PrincipalActivity?[] _activity;
    private readonly int[] _unitStart;
    private readonly UnitRead[] _unitReads;

    private UsageIndex(PrincipalActivity?[] activity, int[] unitStart, UnitRead[] unitReads)
    {
        _activity = activity;
        _unitStart = unitStart;
        _unitReads = unitReads;
    }

    /// <summary>The principal's activity over the whole log, or null when it read nothing.</summary>
    public PrincipalActivity? ActivityOf(int principal) => _activity[principal];

    /// <summary>The units the principal read in, by unit index.</summary>
    public ReadOnlySpan<UnitRead> UnitReadsOf(int principal) =>
        _unitReads.AsSpan(_unitStart[principal], _unitStart[principal + 1] - _unitStart[principal]);

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

        var reads = new List<(int Principal, UnitRead Read)>();
        foreach (var u in usage.Units)
        {
            if (snapshot.TryGetPrincipal(u.PrincipalId, out var p) && snapshot.TryGetUnit(u.UnitId, out var unit))
            {
                reads.Add((p, new UnitRead(unit, u.LastRead, u.LastReadOutsideCaseload)));
            }
        }

        var ordered = reads.OrderBy(r => r.Principal).ToArray(); // stable: the source's order within a principal
        var start = CompressedRows.Starts(snapshot.Principals.Count, ordered.Select(r => r.Principal));
        return new UsageIndex(activity, start, [.. ordered.Select(r => r.Read)]);
    }
}
