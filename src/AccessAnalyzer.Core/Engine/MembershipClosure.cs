using System.Collections.Immutable;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Engine;

/// <summary>
/// Transitive group membership. Groups that contain each other form a strongly connected component; every member
/// of any group of a component belongs to every group of it, and each such component (or a group containing itself)
/// is reported as a cycle.
/// <para>
/// Memory is linear in groups and memberships, whatever the depth of nesting: the closure keeps only the condensation
/// (components, their groups, and the components each is directly inside), never a materialised list of every
/// enclosing group per group, which a deep chain makes quadratic. A principal's groups are found by walking the
/// condensation from its direct groups, each component once: time proportional to what is found.
/// </para>
/// </summary>
public sealed class MembershipClosure
{
    private readonly int[] _componentOf;
    private readonly (int[] Start, int[] Items) _componentGroups;  // component -> its groups, sorted
    private readonly (int[] Start, int[] Items) _componentParents; // component -> components it is directly inside
    private readonly (int[] Start, int[] Items) _directGroups;     // principal -> groups it is a direct member of
    private readonly (int[] Start, int[] Items) _parents;          // member group -> groups it is a direct member of

    private MembershipClosure(
        int[] componentOf, (int[] Start, int[] Items) componentGroups, (int[] Start, int[] Items) componentParents,
        (int[] Start, int[] Items) directGroups, (int[] Start, int[] Items) parents, ImmutableArray<ImmutableArray<int>> cycles)
    {
        _componentOf = componentOf;
        _componentGroups = componentGroups;
        _componentParents = componentParents;
        _directGroups = directGroups;
        _parents = parents;
        Cycles = cycles;
    }

    /// <summary>Each membership cycle as its sorted group indices.</summary>
    public ImmutableArray<ImmutableArray<int>> Cycles { get; }

    /// <summary>Number of strongly connected components (a group outside any cycle is one of its own).</summary>
    public int ComponentCount => _componentGroups.Start.Length - 1;

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

        var componentGroups = CompressedRows.Group(components.Count,
            components.SelectMany((members, c) => members.Order().Select(g => (c, g))));

        // The condensation: each edge between two components once (a stamp per source component), none inside one.
        var seen = new int[components.Count];
        Array.Fill(seen, -1);
        var edges = new List<(int From, int To)>();
        for (var c = 0; c < components.Count; c++)
        {
            foreach (var g in components[c])
            {
                for (var e = parentsOf.Start[g]; e < parentsOf.Start[g + 1]; e++)
                {
                    var d = componentOf[parentsOf.Items[e]];
                    if (d != c && seen[d] != c)
                    {
                        seen[d] = c;
                        edges.Add((c, d));
                    }
                }
            }
        }

        var componentParents = CompressedRows.Group(components.Count, edges);
        var direct = CompressedRows.Group(snapshot.Principals.Count, snapshot.Memberships.Where(m => m.MemberType == MemberType.Principal)
            .Select(m => (m.Member, m.Group)));
        return new MembershipClosure(componentOf, componentGroups, componentParents, direct, parentsOf, cycles.ToImmutable());
    }

    /// <summary>Groups a principal is a direct member of.</summary>
    public ReadOnlySpan<int> DirectGroupsOf(int principal) => Row(_directGroups, principal);

    /// <summary>Groups that <paramref name="group"/> is a direct member of.</summary>
    public ReadOnlySpan<int> ParentsOf(int group) => Row(_parents, group);

    /// <summary>The component of a group.</summary>
    public int ComponentOf(int group) => _componentOf[group];

    /// <summary>The groups of a component, sorted.</summary>
    public ReadOnlySpan<int> GroupsOf(int component) => Row(_componentGroups, component);

    /// <summary>The components a component is directly inside (no repeats, never itself).</summary>
    public ReadOnlySpan<int> ParentComponentsOf(int component) => Row(_componentParents, component);

    /// <summary>
    /// Every group a principal belongs to, directly or through nesting, each once, appended to <paramref name="into"/>.
    /// <paramref name="mark"/> is caller scratch of one int per group, <paramref name="stamp"/> a value unique to this call.
    /// </summary>
    public void EffectiveGroupsOf(int principal, List<int> into, int[] mark, int stamp)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(mark);

        // Breadth first over components, with the output list as the queue: a component's groups are appended when it
        // is first reached, and its parents are expanded when its first group comes up. Marks are per component.
        var from = into.Count;
        void Reach(int component)
        {
            if (mark[component] != stamp)
            {
                mark[component] = stamp;
                foreach (var g in GroupsOf(component))
                {
                    into.Add(g);
                }
            }
        }

        foreach (var g in DirectGroupsOf(principal))
        {
            Reach(_componentOf[g]);
        }

        for (var i = from; i < into.Count; i++)
        {
            var c = _componentOf[into[i]];
            if (GroupsOf(c)[0] == into[i])
            {
                foreach (var d in ParentComponentsOf(c))
                {
                    Reach(d);
                }
            }
        }
    }

    private static ReadOnlySpan<int> Row((int[] Start, int[] Items) rows, int row) =>
        rows.Items.AsSpan(rows.Start[row], rows.Start[row + 1] - rows.Start[row]);

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
