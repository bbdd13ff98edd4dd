using System.Collections.Immutable;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Core.Model;

/// <summary>
/// Turns what a source read into a <see cref="Snapshot"/>: interns ids in ordinal order, rejects duplicate ids and
/// org-tree cycles (bad input), resolves references and records every dangling one, and treats link tables as sets.
/// One builder for all sources is what makes "same data, same snapshot" hold by construction.
/// </summary>
public static class SnapshotBuilder
{
    public static Snapshot Build(SourceTables tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var dangling = new List<DanglingReference>();
        string Name(string table) => tables.TableDisplayName(table);

        var unitRows = SortedUnique(tables.OrgUnits, r => r.Id, r => r.Line, Name("org_units"));
        var unitIndex = IndexOf(unitRows, r => r.Id);
        var units = BuildOrgTree(unitRows, unitIndex, dangling, Name("org_units"));

        var principalRows = SortedUnique(tables.Principals, r => r.Id, r => r.Line, Name("principals"));
        var principalIndex = IndexOf(principalRows, r => r.Id);
        var principalUnits = ResolveOptional(principalRows, r => r.UnitId, r => r.Id, unitIndex, dangling, "principals", "unit_id", "org_units");

        var principals = new PrincipalTable(
            [.. principalRows.Select(r => r.Id)], [.. principalRows.Select(r => r.Kind)],
            [.. principalRows.Select(r => r.Organization)], [.. principalUnits], [.. principalRows.Select(r => r.Name)],
            [.. principalRows.Select(r => r.Active)], [.. principalRows.Select(r => r.Mfa)],
            [.. principalRows.Select(r => r.LastLogin)]);

        var groupRows = SortedUnique(tables.Groups, r => r.Id, r => r.Line, Name("groups"));
        var groupIndex = IndexOf(groupRows, r => r.Id);

        var roleRows = SortedUnique(tables.Roles, r => r.Id, r => r.Line, Name("roles"));
        var roleIndex = IndexOf(roleRows, r => r.Id);
        var roles = new RoleTable(
            [.. roleRows.Select(r => r.Id)], [.. roleRows.Select(r => r.Name)],
            [.. roleRows.Select(r => r.FileAccess)], [.. roleRows.Select(r => r.Sensitive)]);

        var memberships = ResolveMemberships(tables.Memberships, groupIndex, principalIndex, dangling);
        var (assignments, assignmentLines) = ResolveAssignments(tables, roleIndex, principalIndex, groupIndex, unitIndex, dangling, Name("assignments"));

        var unitFileCounts = new long[units.Count * FileClasses.Count];
        var unplaced = new long[FileClasses.Count];
        var unplacedByUnitId = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var fc in tables.FileCounts)
        {
            if (unitIndex.TryGetValue(fc.UnitId, out var u))
            {
                unitFileCounts[(u * FileClasses.Count) + (int)fc.Class] += fc.Count;
            }
            else
            {
                unplaced[(int)fc.Class] += fc.Count;
                unplacedByUnitId[fc.UnitId] = unplacedByUnitId.GetValueOrDefault(fc.UnitId) + fc.Count;
            }
        }

        foreach (var (unitId, count) in unplacedByUnitId)
        {
            dangling.Add(new("files", "unit_id", unitId, "org_units", $"{count} file(s)", count));
        }

        var (caseloadStart, caseload) = ResolveCaseload(tables.CaseloadCounts, principalIndex, unitIndex, dangling);
        var (linkedFiles, fileNumber) = ResolveLinkedFiles(tables.FileLinks, tables.Shares, principalIndex, unitIndex);
        var (shareStart, shares) = ResolveShares(tables.Shares, principalIndex, unitIndex, dangling, fileNumber);
        var justifications = ResolveJustifications(tables.Justifications, roleIndex, assignments, principalIndex, dangling);

        // Sources deliver rows in their own order; the snapshot must not depend on it.
        dangling.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Table, b.Table);
            c = c != 0 ? c : string.CompareOrdinal(a.Column, b.Column);
            c = c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
            c = c != 0 ? c : string.CompareOrdinal(a.Subject, b.Subject);
            return c != 0 ? c : a.Count.CompareTo(b.Count);
        });
        var policies = tables.AccountPolicies?
            .OrderBy(r => r.Organization, StringComparer.Ordinal).ThenBy(r => r.LockoutThreshold).ThenBy(r => r.MfaRequired)
            .ToImmutableArray();

        return new Snapshot(
            tables.SourceName, units, principals, [.. groupRows.Select(r => r.Id)], [.. groupRows.Select(r => r.Name)],
            roles, memberships, assignments, [.. unitFileCounts], [.. unplaced], caseloadStart, caseload,
            shareStart, shares, [.. dangling], policies,
            new SourceLines(tables.TableDisplayName, [.. principalRows.Select(r => r.Line)], [.. groupRows.Select(r => r.Line)],
                assignmentLines, policies ?? []), tables.Usage, Presence(tables), linkedFiles, justifications);
    }

    /// <summary>
    /// The source's word on each optional table, with the rows read; where it gave none, what was read decides (an
    /// absent and an empty table then look alike, so sources say which).
    /// </summary>
    private static InputPresence Presence(SourceTables tables)
    {
        TableStatus Status(string table, long? rows, bool read)
        {
            var told = tables.OptionalTableStatus.FirstOrDefault(s => string.Equals(s.Table, table, StringComparison.Ordinal));
            var presence = told?.Presence ?? (!read ? TablePresence.Absent : rows > 0 ? TablePresence.Rows : TablePresence.Empty);
            return new TableStatus(table, presence, presence is TablePresence.Rows or TablePresence.Empty ? rows ?? 0 : null);
        }

        var lastLoginValues = tables.Principals.Count(p => p.LastLogin is not null);
        return new InputPresence(
            Status(OptionalTables.AccessEvents, tables.Usage?.Events, tables.Usage is not null),
            Status(OptionalTables.AccountPolicy, tables.AccountPolicies?.Count, tables.AccountPolicies is not null),
            Status(OptionalTables.Shares, tables.Shares.Count, tables.Shares.Count > 0),
            Status(OptionalTables.Justifications, tables.Justifications?.Count, tables.Justifications is not null),
            tables.LastLoginColumn ?? lastLoginValues > 0,
            lastLoginValues);
    }

    /// <summary>Sorts rows by id (ordinal) and rejects a repeated id, naming the later of the two rows.</summary>
    private static T[] SortedUnique<T>(IReadOnlyList<T> rows, Func<T, string> id, Func<T, long> line, string table)
    {
        var sorted = rows.ToArray();
        Array.Sort(sorted, (a, b) =>
        {
            var c = string.CompareOrdinal(id(a), id(b));
            return c != 0 ? c : line(a).CompareTo(line(b));
        });
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(id(sorted[i]), id(sorted[i - 1]), StringComparison.Ordinal))
            {
                throw new InputErrorException(table, line(sorted[i]), "id",
                    $"duplicate id '{id(sorted[i])}' (first at line {line(sorted[i - 1])})");
            }
        }

        return sorted;
    }

    private static Dictionary<string, int> IndexOf<T>(T[] rows, Func<T, string> id)
    {
        var index = new Dictionary<string, int>(rows.Length, StringComparer.Ordinal);
        for (var i = 0; i < rows.Length; i++)
        {
            index.Add(id(rows[i]), i);
        }

        return index;
    }

    /// <summary>
    /// For each row, the index of the row its optional <paramref name="reference"/> names; -1 when it names none, or
    /// names a row that does not exist (then recorded in <paramref name="dangling"/>).
    /// </summary>
    private static int[] ResolveOptional<TRow>(
        TRow[] rows, Func<TRow, string?> reference, Func<TRow, string> id, Dictionary<string, int> index,
        List<DanglingReference> dangling, string table, string column, string target)
    {
        var resolved = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            resolved[i] = -1;
            if (reference(rows[i]) is { } value)
            {
                if (index.TryGetValue(value, out var found))
                {
                    resolved[i] = found;
                }
                else
                {
                    dangling.Add(new(table, column, value, target, id(rows[i]), 1));
                }
            }
        }

        return resolved;
    }

    private static OrgTree BuildOrgTree(OrgUnitRow[] rows, Dictionary<string, int> index, List<DanglingReference> dangling, string table)
    {
        var n = rows.Length;

        // An orphan still holds files; it becomes a root of its own so unit scopes on it still work.
        var parent = ResolveOptional(rows, r => r.ParentId, r => r.Id, index, dangling, "org_units", "parent_id", "org_units");

        RejectCycles(rows, parent, table);

        // Children in index order, so siblings are visited in ordinal id order: deterministic pre-order.
        var childCount = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            if (parent[i] >= 0)
            {
                childCount[parent[i] + 1]++;
            }
        }

        for (var i = 0; i < n; i++)
        {
            childCount[i + 1] += childCount[i];
        }

        var children = new int[n];
        var fill = childCount[..n];
        for (var i = 0; i < n; i++)
        {
            if (parent[i] >= 0)
            {
                children[fill[parent[i]]++] = i;
            }
        }

        var pre = new int[n];
        var end = new int[n];
        var unitAt = new int[n];
        var position = 0;
        var stack = new Stack<(int Unit, bool Exit)>();
        for (var root = n - 1; root >= 0; root--)
        {
            if (parent[root] < 0)
            {
                stack.Push((root, false));
            }
        }

        while (stack.Count > 0)
        {
            var (unit, exit) = stack.Pop();
            if (exit)
            {
                end[unit] = position;
                continue;
            }

            pre[unit] = position;
            unitAt[position++] = unit;
            stack.Push((unit, true));
            for (var c = childCount[unit + 1] - 1; c >= childCount[unit]; c--)
            {
                stack.Push((children[c], false));
            }
        }

        return new OrgTree([.. rows.Select(r => r.Id)], [.. parent], [.. rows.Select(r => r.Kind)],
            [.. rows.Select(r => r.Name)], [.. pre], [.. end], [.. unitAt]);
    }

    /// <summary>An org tree with a cycle has no pre-order: bad input, naming one unit of the cycle.</summary>
    private static void RejectCycles(OrgUnitRow[] rows, int[] parent, string table)
    {
        var state = new byte[rows.Length]; // 0 unvisited, 1 on current path, 2 known to reach a root
        var path = new List<int>();
        for (var start = 0; start < rows.Length; start++)
        {
            path.Clear();
            var u = start;
            while (u >= 0 && state[u] == 0)
            {
                state[u] = 1;
                path.Add(u);
                u = parent[u];
            }

            if (u >= 0 && state[u] == 1)
            {
                var cycle = path[path.IndexOf(u)..];
                var first = cycle.MinBy(i => rows[i].Line);
                var members = string.Join(" -> ", cycle.Select(i => rows[i].Id));
                throw new InputErrorException(table, rows[first].Line, "parent_id",
                    $"cycle in the org tree through '{rows[first].ParentId}' ({members})");
            }

            foreach (var v in path)
            {
                state[v] = 2;
            }
        }
    }

    private static ImmutableArray<Membership> ResolveMemberships(
        IReadOnlyList<MembershipRow> rows, Dictionary<string, int> groups, Dictionary<string, int> principals,
        List<DanglingReference> dangling)
    {
        var resolved = new HashSet<Membership>();
        var seenDangling = new HashSet<(string, string, MemberType)>();
        foreach (var row in rows)
        {
            var groupFound = groups.TryGetValue(row.GroupId, out var g);
            var members = row.MemberType == MemberType.Group ? groups : principals;
            var memberFound = members.TryGetValue(row.MemberId, out var m);
            if (groupFound && memberFound)
            {
                resolved.Add(new Membership(g, m, row.MemberType));
                continue;
            }

            if (!seenDangling.Add((row.GroupId, row.MemberId, row.MemberType)))
            {
                continue; // a repeated row counts once, dangling or not
            }

            var subject = $"{row.MemberId} in {row.GroupId}";
            if (!groupFound)
            {
                dangling.Add(new("memberships", "group_id", row.GroupId, "groups", subject, 1));
            }

            if (!memberFound)
            {
                dangling.Add(new("memberships", "member_id", row.MemberId,
                    row.MemberType == MemberType.Group ? "groups" : "principals", subject, 1));
            }
        }

        return [.. resolved.OrderBy(m => m.Group).ThenBy(m => m.MemberType).ThenBy(m => m.Member)];
    }

    private static (ImmutableArray<Assignment> Assignments, ImmutableArray<long> Lines) ResolveAssignments(
        SourceTables tables, Dictionary<string, int> roles, Dictionary<string, int> principals,
        Dictionary<string, int> groups, Dictionary<string, int> units, List<DanglingReference> dangling, string table)
    {
        var rows = SortedUnique(tables.Assignments, r => r.Id, r => r.Line, table);
        var resolved = ImmutableArray.CreateBuilder<Assignment>(rows.Length);
        var lines = ImmutableArray.CreateBuilder<long>(rows.Length);
        foreach (var row in rows)
        {
            var ok = true;
            if (!roles.TryGetValue(row.RoleId, out var role))
            {
                dangling.Add(new("assignments", "role_id", row.RoleId, "roles", row.Id, 1));
                ok = false;
            }

            var holders = row.HolderType == HolderType.Group ? groups : principals;
            if (!holders.TryGetValue(row.HolderId, out var holder))
            {
                dangling.Add(new("assignments", "holder_id", row.HolderId,
                    row.HolderType == HolderType.Group ? "groups" : "principals", row.Id, 1));
                ok = false;
            }

            var scopeUnit = -1;
            if (row.Scope == AssignmentScope.Unit && !units.TryGetValue(row.ScopeUnitId ?? string.Empty, out scopeUnit))
            {
                dangling.Add(new("assignments", "scope_unit_id", row.ScopeUnitId ?? string.Empty, "org_units", row.Id, 1));
                ok = false;
            }

            if (ok)
            {
                resolved.Add(new Assignment(row.Id, role, holder, row.HolderType, row.Scope,
                    row.Scope == AssignmentScope.Unit ? scopeUnit : -1, row.ValidUntil));
                lines.Add(row.Line);
            }
        }

        return (resolved.ToImmutable(), lines.ToImmutable());
    }

    /// <summary>
    /// Justification rows with their subject resolved, in source order (several may name one subject). An assignment
    /// subject must be an assignment that resolved: one whose own references dangle grants nothing to justify.
    /// </summary>
    private static ImmutableArray<Justification> ResolveJustifications(
        IReadOnlyList<JustificationRow>? rows, Dictionary<string, int> roles, ImmutableArray<Assignment> assignments,
        Dictionary<string, int> principals, List<DanglingReference> dangling)
    {
        if (rows is null)
        {
            return [];
        }

        var assignmentIndex = new Dictionary<string, int>(assignments.Length, StringComparer.Ordinal);
        for (var i = 0; i < assignments.Length; i++)
        {
            assignmentIndex[assignments[i].Id] = i;
        }

        var resolved = ImmutableArray.CreateBuilder<Justification>(rows.Count);
        foreach (var row in rows)
        {
            var (index, target) = row.SubjectType switch
            {
                JustificationSubject.Role => (roles, "roles"),
                JustificationSubject.Assignment => (assignmentIndex, "assignments"),
                _ => (principals, "principals"),
            };
            if (index.TryGetValue(row.SubjectId, out var found))
            {
                resolved.Add(new Justification(row.SubjectType, found, row.SubjectId, row.Reason, row.Owner, row.Expires, row.Line));
            }
            else
            {
                dangling.Add(new("justifications", "subject_id", row.SubjectId, target, $"{Spellings.Of(row.SubjectType)} justification", 1));
            }
        }

        return resolved.ToImmutable();
    }

    private static (ImmutableArray<int> Start, ImmutableArray<CaseloadEntry> Entries) ResolveCaseload(
        IReadOnlyList<CaseloadCount> counts, Dictionary<string, int> principals, Dictionary<string, int> units,
        List<DanglingReference> dangling)
    {
        var perPrincipal = new Dictionary<(int Principal, int Unit, FileClass Class), long>();
        var missingPrincipal = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var missingFile = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in counts)
        {
            if (!principals.TryGetValue(c.PrincipalId, out var p))
            {
                missingPrincipal[c.PrincipalId] = missingPrincipal.GetValueOrDefault(c.PrincipalId) + c.Count;
                continue;
            }

            if (!c.FileFound)
            {
                missingFile[c.PrincipalId] = missingFile.GetValueOrDefault(c.PrincipalId) + c.Count;
                continue;
            }

            var unit = units.TryGetValue(c.UnitId, out var u) ? u : -1;
            var key = (p, unit, c.Class);
            perPrincipal[key] = perPrincipal.GetValueOrDefault(key) + c.Count;
        }

        foreach (var (principalId, count) in missingPrincipal)
        {
            dangling.Add(new("caseload", "principal_id", principalId, "principals", $"{count} row(s)", count));
        }

        foreach (var (principalId, count) in missingFile)
        {
            dangling.Add(new("caseload", "file_id", CanonicalValues.RedactedFileId, "files", principalId, count));
        }

        var ordered = perPrincipal.OrderBy(kv => kv.Key.Principal).ThenBy(kv => kv.Key.Unit).ThenBy(kv => kv.Key.Class).ToArray();
        var start = CompressedRows.Starts(principals.Count, ordered.Select(kv => kv.Key.Principal));

        return ([.. start], [.. ordered.Select(kv => new CaseloadEntry(kv.Key.Unit, kv.Key.Class, kv.Value))]);
    }

    private static (ImmutableArray<int> Start, ImmutableArray<ShareEntry> Entries) ResolveShares(
        IReadOnlyList<ShareRow> rows, Dictionary<string, int> principals, Dictionary<string, int> units,
        List<DanglingReference> dangling, Dictionary<int, int> fileNumber)
    {
        // Shares are a set of (file, principal): repeated rows merge, and the latest valid_until wins
        // (no date means open-ended), because the pair is in force as long as any of its rows is.
        var merged = new Dictionary<(string File, string Principal), ShareRow>();
        foreach (var row in rows)
        {
            var key = (row.FileKey, row.PrincipalId);
            if (!merged.TryGetValue(key, out var existing) || Later(row.ValidUntil, existing.ValidUntil))
            {
                merged[key] = row;
            }
        }

        var missingPrincipal = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var missingFile = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var resolved = new List<(int Principal, ShareEntry Entry)>();
        foreach (var row in merged.Values)
        {
            if (!principals.TryGetValue(row.PrincipalId, out var p))
            {
                missingPrincipal[row.PrincipalId] = missingPrincipal.GetValueOrDefault(row.PrincipalId) + 1;
            }
            else if (!row.FileFound)
            {
                missingFile[row.PrincipalId] = missingFile.GetValueOrDefault(row.PrincipalId) + 1;
            }
            else
            {
                var unit = units.TryGetValue(row.UnitId, out var u) ? u : -1;
                resolved.Add((p, new ShareEntry(unit, row.Class, row.ValidUntil, row.InCaseload, fileNumber.GetValueOrDefault(row.File, -1))));
            }
        }

        foreach (var (principalId, count) in missingPrincipal)
        {
            dangling.Add(new("shares", "principal_id", principalId, "principals", $"{count} row(s)", count));
        }

        foreach (var (principalId, count) in missingFile)
        {
            dangling.Add(new("shares", "file_id", CanonicalValues.RedactedFileId, "files", principalId, count));
        }

        var ordered = resolved
            .OrderBy(s => s.Principal).ThenBy(s => s.Entry.Unit).ThenBy(s => s.Entry.Class)
            .ThenBy(s => s.Entry.ValidUntil ?? DateOnly.MaxValue).ThenBy(s => s.Entry.InCaseload).ToArray();
        var start = CompressedRows.Starts(principals.Count, ordered.Select(s => s.Principal));

        return ([.. start], [.. ordered.Select(s => s.Entry)]);
    }

    /// <summary>
    /// The files whose identity the distinct figures need: those two caseloads name, or a share names. A file in one
    /// caseload and nowhere else needs none (the per-unit caseload counts say all there is about it), and nearly every
    /// caseload file is one, so only the others are kept, renumbered densely with their unit resolved; the source's
    /// numbering of every file is dropped here. Returns the source's number → kept number, for the shares.
    /// </summary>
    private static (LinkedFiles Files, Dictionary<int, int> Number) ResolveLinkedFiles(
        FileLinks links, IReadOnlyList<ShareRow> shares, Dictionary<string, int> principals, Dictionary<string, int> units)
    {
        // Which files are named once, and which more than once (a share counts as twice: its file is always kept), as
        // two bitmaps: tens of millions of caseload rows test them in random order, and at a bit a file they stay in
        // the processor's cache where a byte a file would not.
        var words = (links.FileCount + 63) >> 6;
        var once = new ulong[words];
        var twice = new ulong[words];
        var caseloadOf = new ArraySegment<int>[principals.Count];
        foreach (var item in links.Caseload)
        {
            if (principals.TryGetValue(item.PrincipalId, out var p))
            {
                caseloadOf[p] = item.Files;
                foreach (var f in item.Files)
                {
                    var bit = 1UL << f;
                    ref var seen = ref once[f >> 6];
                    if ((seen & bit) != 0)
                    {
                        twice[f >> 6] |= bit;
                    }
                    else
                    {
                        seen |= bit;
                    }
                }
            }
        }

        foreach (var share in shares)
        {
            if (share.File >= 0 && principals.ContainsKey(share.PrincipalId))
            {
                twice[share.File >> 6] |= 1UL << share.File;
            }
        }

        var number = new Dictionary<int, int>();
        var unitOf = links.UnitIds.Select(id => units.TryGetValue(id, out var u) ? u : -1).ToArray();
        var unitClass = new List<int>();
        for (var w = 0; w < words; w++)
        {
            for (var bits = twice[w]; bits != 0; bits &= bits - 1)
            {
                var f = (w << 6) | System.Numerics.BitOperations.TrailingZeroCount(bits);
                number.Add(f, unitClass.Count);
                unitClass.Add((unitOf[links.UnitClass[f] >> 2] << 2) | (links.UnitClass[f] & 3));
            }
        }

        var caseload = new int[principals.Count][];
        for (var p = 0; p < caseload.Length; p++)
        {
            var kept = new List<int>();
            foreach (var f in caseloadOf[p].AsSpan())
            {
                if ((twice[f >> 6] & (1UL << f)) != 0)
                {
                    kept.Add(number[f]);
                }
            }

            caseload[p] = [.. kept];
        }

        return (new LinkedFiles([.. unitClass], caseload), number);
    }

    private static bool Later(DateOnly? candidate, DateOnly? current) =>
        current is { } c && (candidate is not { } d || d > c);
}
