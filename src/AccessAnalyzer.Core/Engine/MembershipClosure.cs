using System.Collections.Immutable;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Engine;

/// <summary>
/// Transitive group membership. Groups that contain each other form a strongly connected component; every member
/// of any group of a component belongs to every group of it, and each such component (or a group containing itself)
/// is reported as a cycle. Closure is computed once per component on the condensation, so it always terminates.
/// </summary>
public sealed class MembershipClosure
{
    private readonly int[] _ancestorStart;   // per component: its enclosing groups, itself included
    private readonly int[] _ancestors;
    private readonly int[] _componentOf;
    private readonly int[] _directGroupStart; // per principal: groups it is a direct member of
    private readonly int[] _directGroups;
    private readonly (int[] Start, int[] Items) _parents; // member group -> groups it is a direct member of

    private MembershipClosure(int[] componentOf, int[] ancestorStart, int[] ancestors, int[] directGroupStart,
        int[] directGroups, (int[] Start, int[] Items) parents, ImmutableArray<ImmutableArray<int>> cycles)
    {
        _parents = parents;
        _componentOf = componentOf;
        _ancestorStart = ancestorStart;
        _ancestors = ancestors;
        _directGroupStart = directGroupStart;
        _directGroups = directGroups;
        Cycles = cycles;
    }

    /// <summary>Each membership cycle as its sorted group indices.</summary>
    public ImmutableArray<ImmutableArray<int>> Cycles { get; }

    public static MembershipClosure Build(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var groupCount = snapshot.GroupCount;

        // Edges member group -> enclosing group, in CSR form.
        var parentsOf = CompressedRows.Group(groupCount, snapshot.Memberships.Where(m => m.MemberType == MemberType.Group)
            .Select(m => (m.Member, m.Group)));
        var (componentOf, components) = StronglyConnectedComponents(groupCount, parentsOf.Start, parentsOf.Items);

        var cycles = ImmutableArray.CreateBuilder<ImmutableArray<int>>();
        foreach (var component in components)
        {
            var selfLoop = component.Length == 1 && HasEdge(parentsOf, component[0], component[0]);
            if (component.Length > 1 || selfLoop)
            {
                cycles.Add([.. component.Order()]);
            }
        }

        // Tarjan emits a component only after every component it reaches, so the enclosing groups of a component
        // are complete by the time it is processed: one pass over the condensation in emission order.
        var ancestorStart = new int[components.Count + 1];
        var ancestors = new List<int>();
        var mark = new int[groupCount];
        Array.Fill(mark, -1);
        var ancestorLists = new int[components.Count][];
        for (var c = 0; c < components.Count; c++)
        {
            var list = new List<int>();
            foreach (var g in components[c])
            {
                Add(g);
            }

            foreach (var g in components[c])
            {
                for (var e = parentsOf.Start[g]; e < parentsOf.Start[g + 1]; e++)
                {
                    var parentComponent = componentOf[parentsOf.Items[e]];
                    if (parentComponent != c)
                    {
                        foreach (var a in ancestorLists[parentComponent])
                        {
                            Add(a);
                        }
                    }
                }
            }

            list.Sort();
            ancestorLists[c] = [.. list];

            void Add(int group)
            {
                if (mark[group] != c)
                {
                    mark[group] = c;
                    list.Add(group);
                }
            }
        }

        for (var c = 0; c < components.Count; c++)
        {
            ancestorStart[c] = ancestors.Count;
            ancestors.AddRange(ancestorLists[c]);
        }

        ancestorStart[components.Count] = ancestors.Count;

        var direct = CompressedRows.Group(snapshot.Principals.Count, snapshot.Memberships.Where(m => m.MemberType == MemberType.Principal)
            .Select(m => (m.Member, m.Group)));
        return new MembershipClosure(componentOf, ancestorStart, [.. ancestors], direct.Start, direct.Items, parentsOf, cycles.ToImmutable());
    }

    /// <summary>Groups a principal is a direct member of.</summary>
    public ReadOnlySpan<int> DirectGroupsOf(int principal) =>
        _directGroups.AsSpan(_directGroupStart[principal], _directGroupStart[principal + 1] - _directGroupStart[principal]);

    /// <summary>Groups that <paramref name="group"/> is a direct member of.</summary>
    public ReadOnlySpan<int> ParentsOf(int group) =>
        _parents.Items.AsSpan(_parents.Start[group], _parents.Start[group + 1] - _parents.Start[group]);

    /// <summary>True when <paramref name="group"/> belongs to <paramref name="enclosing"/>, directly or through nesting (or is it).</summary>
    public bool IsWithin(int group, int enclosing) => EnclosingGroupsOf(group).BinarySearch(enclosing) >= 0;

    /// <summary>Every group that encloses <paramref name="group"/> (itself included), transitively.</summary>
    public ReadOnlySpan<int> EnclosingGroupsOf(int group)
    {
        var c = _componentOf[group];
        return _ancestors.AsSpan(_ancestorStart[c], _ancestorStart[c + 1] - _ancestorStart[c]);
    }

    /// <summary>
    /// Every group a principal belongs to, directly or through nesting, each once, appended to <paramref name="into"/>.
    /// <paramref name="mark"/> is caller scratch of one int per group, <paramref name="stamp"/> a value unique to this call.
    /// </summary>
    public void EffectiveGroupsOf(int principal, List<int> into, int[] mark, int stamp)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(mark);
        foreach (var g in DirectGroupsOf(principal))
        {
            foreach (var a in EnclosingGroupsOf(g))
            {
                if (mark[a] != stamp)
                {
                    mark[a] = stamp;
                    into.Add(a);
                }
            }
        }
    }

    private static bool HasEdge((int[] Start, int[] Items) csr, int from, int to)
    {
        for (var e = csr.Start[from]; e < csr.Start[from + 1]; e++)
        {
            if (csr.Items[e] == to)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Iterative Tarjan (deep nesting must not overflow the stack). Components come out in reverse topological order.</summary>
    private static (int[] ComponentOf, List<int[]> Components) StronglyConnectedComponents(int n, int[] start, int[] items)
    {
        var index = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        var componentOf = new int[n];
        Array.Fill(index, -1);
        var components = new List<int[]>();
        var stack = new Stack<int>();
        var call = new Stack<(int Node, int Edge)>();
        var counter = 0;

        for (var root = 0; root < n; root++)
        {
            if (index[root] >= 0)
            {
                continue;
            }

            call.Push((root, start[root]));
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;

            while (call.Count > 0)
            {
                var (v, e) = call.Pop();
                if (e < start[v + 1])
                {
                    call.Push((v, e + 1));
                    var w = items[e];
                    if (index[w] < 0)
                    {
                        index[w] = low[w] = counter++;
                        stack.Push(w);
                        onStack[w] = true;
                        call.Push((w, start[w]));
                    }
                    else if (onStack[w])
                    {
                        low[v] = Math.Min(low[v], index[w]);
                    }

                    continue;
                }

                if (low[v] == index[v])
                {
                    var members = new List<int>();
                    int w;
                    do
                    {
                        w = stack.Pop();
                        onStack[w] = false;
                        componentOf[w] = components.Count;
                        members.Add(w);
                    }
                    while (w != v);
                    components.Add([.. members]);
                }

                if (call.Count > 0)
                {
                    var parent = call.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[v]);
                }
            }
        }

        return (componentOf, components);
    }
}
