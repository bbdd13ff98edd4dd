using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Engine;

/// <summary>Principals holding each group's assignments (members, directly or through nesting), by group.</summary>
internal sealed class HolderIndex
{
    private readonly int[] _start;
    private readonly int[] _principals;
    private readonly int[] _identity; // _identity[p] == p: a one-element span for an assignment held by p itself

    private HolderIndex(int[] start, int[] principals, int[] identity)
    {
        _start = start;
        _principals = principals;
        _identity = identity;
    }

    public static HolderIndex Build(Snapshot snapshot, MembershipClosure closure)
    {
        var groups = snapshot.GroupCount;
        var mark = new int[groups];
        var buffer = new List<int>();
        var pairs = new List<(int Group, int Principal)>();
        for (var p = 0; p < snapshot.Principals.Count; p++)
        {
            buffer.Clear();
            closure.EffectiveGroupsOf(p, buffer, mark, p + 1);
            foreach (var g in buffer)
            {
                pairs.Add((g, p));
            }
        }

        var (start, principals) = CompressedRows.Group(groups, pairs);
        return new HolderIndex(start, principals, [.. Enumerable.Range(0, snapshot.Principals.Count)]);
    }

    /// <summary>Principals an assignment reaches: its holder, or every member of its holder group.</summary>
    public ReadOnlySpan<int> Of(Assignment assignment) =>
        assignment.HolderType == HolderType.Principal
            ? _identity.AsSpan(assignment.Holder, 1)
            : _principals.AsSpan(_start[assignment.Holder], _start[assignment.Holder + 1] - _start[assignment.Holder]);
}
