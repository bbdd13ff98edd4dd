using System.Collections.Immutable;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;

namespace AccessAnalyzer.Core.Engine;

/// <summary>
/// Distinct files a set of accounts can open: unions, never sums. <see cref="Phishable"/> is the reach of the set's
/// accounts without MFA, those one phished password opens.
/// </summary>
public readonly record struct DistinctFigures(long Reachable, long Excess, long SensitiveExcess, long Phishable);

/// <summary>The distinct figures of one organisation's accounts (<c>principals.organization</c>).</summary>
public sealed record OrganizationExposure(string Organization, int Principals, bool Partner, DistinctFigures Figures);

/// <summary>
/// The distinct figures of every account together and of each organisation, exact without enumerating (account, file)
/// pairs where intervals suffice.
/// <para>
/// A file no caseload or share names is in a set's union exactly when its unit's position is covered by an interval of
/// one of the set's accounts (reach, excess, sensitive excess; reach of the accounts without MFA), so those files count
/// from the union of the set's intervals and per-unit prefix sums: the base. A file that caseloads or shares name can
/// differ from the base: it is out of the excess union when every account that covers it has it in its caseload, and
/// in the reach union through a caseload-scope grant or a share even where no interval covers it. Those files are
/// visited once each, in pre-order of their unit, with the accounts that name them; how many of a set's accounts cover
/// a position is read from the set's sorted interval ends by cursors that only move forward. Time is linear in
/// intervals, linked pairs and files (plus the sort of each set's interval ends); memory is linear in the same.
/// </para>
/// </summary>
public sealed class DistinctExposure
{
    private DistinctExposure(DistinctFigures all, ImmutableArray<OrganizationExposure> organizations)
    {
        All = all;
        Organizations = organizations;
    }

    /// <summary>Every account of the snapshot, active or not.</summary>
    public DistinctFigures All { get; }

    /// <summary>One item per organisation, in ordinal order of its name.</summary>
    public ImmutableArray<OrganizationExposure> Organizations { get; }

    // The four interval kinds each set keeps apart.
    private const int Reach = 0, Excess = 1, SensitiveExcess = 2, Phishable = 3, Kinds = 4;

    internal static DistinctExposure Compute(Snapshot snapshot, ExposureCalculator calculator, IWorkScheduler scheduler)
    {
        var principals = snapshot.Principals;
        var organizations = principals.Organizations.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var organizationIndex = organizations.Select((o, i) => (o, i)).ToDictionary(x => x.o, x => x.i, StringComparer.Ordinal);

        // Set 0 is every account; set 1 + o is organisation o.
        var sets = 1 + organizations.Length;
        var setOf = new int[principals.Count];
        for (var p = 0; p < principals.Count; p++)
        {
            setOf[p] = 1 + organizationIndex[principals.Organizations[p]];
        }

        var accounts = AccountIntervals.Compute(snapshot, calculator, scheduler);
        var covers = SetCovers.Build(snapshot, accounts, setOf, sets);
        var prefix = ExposureCalculator.PrefixSums(snapshot);

        var totals = new long[sets * Kinds];
        for (var s = 0; s < sets; s++)
        {
            for (var k = 0; k < Kinds; k++)
            {
                totals[(s * Kinds) + k] = covers.UnionFiles(s, k, prefix);
            }
        }

        LinkedFileCorrections.Apply(snapshot, calculator.AsOf, accounts, covers, setOf, sets, totals, scheduler);

        DistinctFigures Figures(int s) => new(
            totals[(s * Kinds) + Reach], totals[(s * Kinds) + Excess], totals[(s * Kinds) + SensitiveExcess], totals[(s * Kinds) + Phishable]);

        var members = new int[sets];
        var partners = new int[sets];
        for (var p = 0; p < principals.Count; p++)
        {
            members[setOf[p]]++;
            partners[setOf[p]] += principals.Kinds[p] == PrincipalKind.Partner ? 1 : 0;
        }

        var items = ImmutableArray.CreateBuilder<OrganizationExposure>(organizations.Length);
        for (var o = 0; o < organizations.Length; o++)
        {
            // A partner organisation: every one of its accounts is of kind partner.
            items.Add(new OrganizationExposure(organizations[o], members[1 + o], partners[1 + o] == members[1 + o], Figures(1 + o)));
        }

        return new DistinctExposure(Figures(0), items.MoveToImmutable());
    }

    /// <summary>Each account's merged intervals, kept for the visit of linked files.</summary>
    private sealed class AccountIntervals
    {
        public required Interval[][] Reach { get; init; }
        public required Interval[][] Excess { get; init; }
        public required Interval[][] SensitiveExcess { get; init; }
        public required Interval[][] Justified { get; init; }
        public required bool[] CaseloadScope { get; init; }
        public required bool[] PrincipalJustified { get; init; }

        public static AccountIntervals Compute(Snapshot snapshot, ExposureCalculator calculator, IWorkScheduler scheduler)
        {
            var n = snapshot.Principals.Count;
            var result = new AccountIntervals
            {
                Reach = new Interval[n][],
                Excess = new Interval[n][],
                SensitiveExcess = new Interval[n][],
                Justified = new Interval[n][],
                CaseloadScope = new bool[n],
                PrincipalJustified = new bool[n],
            };
            scheduler.For(n, calculator.NewScratch, (p, scratch) =>
            {
                var intervals = calculator.Intervals(p, scratch, state: null);
                result.Reach[p] = intervals.Reach.ToArray();
                result.Excess[p] = intervals.Excess.ToArray();
                result.SensitiveExcess[p] = intervals.SensitiveExcess.ToArray();
                result.Justified[p] = intervals.Justified.ToArray();
                result.CaseloadScope[p] = intervals.CaseloadScope;
                result.PrincipalJustified[p] = intervals.PrincipalJustified;
            });
            return result;
        }
    }

    /// <summary>
    /// Per set and interval kind, the sorted starts and ends of its accounts' merged intervals: how many accounts of the
    /// set cover position x is (starts ≤ x) − (ends ≤ x).
    /// </summary>
    private sealed class SetCovers
    {
        private readonly int[][] _starts;
        private readonly int[][] _ends;

        private SetCovers(int[][] starts, int[][] ends)
        {
            _starts = starts;
            _ends = ends;
        }

        public static SetCovers Build(Snapshot snapshot, AccountIntervals accounts, int[] setOf, int sets)
        {
            var counts = new int[sets * Kinds];
            void Each(Action<int, int, Interval[]> visit)
            {
                for (var p = 0; p < setOf.Length; p++)
                {
                    var noMfa = !snapshot.Principals.Mfa[p];
                    foreach (var s in (ReadOnlySpan<int>)[0, setOf[p]])
                    {
                        visit(s, Reach, accounts.Reach[p]);
                        visit(s, Excess, accounts.Excess[p]);
                        visit(s, SensitiveExcess, accounts.SensitiveExcess[p]);
                        if (noMfa)
                        {
                            visit(s, Phishable, accounts.Reach[p]);
                        }
                    }
                }
            }

            Each((s, k, intervals) => counts[(s * Kinds) + k] += intervals.Length);
            var starts = new int[sets * Kinds][];
            var ends = new int[sets * Kinds][];
            for (var i = 0; i < counts.Length; i++)
            {
                starts[i] = new int[counts[i]];
                ends[i] = new int[counts[i]];
            }

            var fill = new int[sets * Kinds];
            Each((s, k, intervals) =>
            {
                var i = (s * Kinds) + k;
                foreach (var interval in intervals)
                {
                    starts[i][fill[i]] = interval.Start;
                    ends[i][fill[i]++] = interval.End;
                }
            });
            foreach (var array in starts)
            {
                Array.Sort(array);
            }

            foreach (var array in ends)
            {
                Array.Sort(array);
            }

            return new SetCovers(starts, ends);
        }

        /// <summary>Files in the union of a set's intervals of one kind (sensitive files only for sensitive excess).</summary>
        public long UnionFiles(int set, int kind, long[][] prefix)
        {
            var starts = _starts[(set * Kinds) + kind];
            var ends = _ends[(set * Kinds) + kind];
            long files = 0;
            int depth = 0, e = 0, unionStart = 0;
            foreach (var start in starts)
            {
                // Close every interval that ends at or before this start.
                while (e < ends.Length && ends[e] <= start)
                {
                    if (--depth == 0)
                    {
                        files += Files(prefix, unionStart, ends[e], kind);
                    }

                    e++;
                }

                if (depth++ == 0)
                {
                    unionStart = start;
                }
            }

            while (e < ends.Length)
            {
                if (--depth == 0)
                {
                    files += Files(prefix, unionStart, ends[e], kind);
                }

                e++;
            }

            return files;
        }

        private static long Files(long[][] prefix, int from, int to, int kind)
        {
            long files = 0;
            for (var c = 0; c < FileClasses.Count; c++)
            {
                if (kind != SensitiveExcess || ((FileClass)c & FileClass.Sensitive) != 0)
                {
                    files += prefix[c][to] - prefix[c][from];
                }
            }

            return files;
        }

        /// <summary>A forward-only reader of cover counts for one worker.</summary>
        public Cursor NewCursor() => new(this);

        public sealed class Cursor(SetCovers covers)
        {
            private readonly int[] _start = new int[covers._starts.Length];
            private readonly int[] _end = new int[covers._starts.Length];
            private readonly int[] _position = Enumerable.Repeat(int.MinValue, covers._starts.Length).ToArray();

            /// <summary>Accounts of the set whose intervals of the kind cover the position; positions must not go back.</summary>
            public int At(int set, int kind, int position)
            {
                var i = (set * Kinds) + kind;
                var starts = covers._starts[i];
                var ends = covers._ends[i];
                if (_position[i] > position)
                {
                    throw new InvalidOperationException("cover positions must not go back");
                }

                if (_position[i] == int.MinValue)
                {
                    // First use by this worker: jump to the position by binary search, then walk forward.
                    _start[i] = UpperBound(starts, position);
                    _end[i] = UpperBound(ends, position);
                }

                _position[i] = position;
                while (_start[i] < starts.Length && starts[_start[i]] <= position)
                {
                    _start[i]++;
                }

                while (_end[i] < ends.Length && ends[_end[i]] <= position)
                {
                    _end[i]++;
                }

                return _start[i] - _end[i];
            }

            private static int UpperBound(int[] sorted, int value)
            {
                int lo = 0, hi = sorted.Length;
                while (lo < hi)
                {
                    var mid = (lo + hi) >>> 1;
                    if (sorted[mid] <= value)
                    {
                        lo = mid + 1;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                return lo;
            }
        }
    }

    /// <summary>
    /// The files that caseloads and shares name, compared with what the base counted for them. A file in one caseload
    /// and nowhere else (nearly every caseload file) can only differ from the base by what its one account does at its
    /// position, so such files are taken together per (account, unit, class) from the caseload aggregates; only a file
    /// that two caseloads or a share name is visited on its own. Items of both kinds are then read in pre-order of
    /// their unit with forward-only cursors.
    /// </summary>
    private static class LinkedFileCorrections
    {
        private const int InCaseload = 1, Shared = 2;

        public static void Apply(
            Snapshot snapshot, DateOnly asOf, AccountIntervals accounts, SetCovers covers, int[] setOf, int sets, long[] totals,
            IWorkScheduler scheduler)
        {
            var linked = snapshot.LinkedFiles;
            var units = snapshot.Units;
            var principals = snapshot.Principals.Count;

            var items = new Items();

            // Files in one caseload only: per caseload entry, its count minus its files another caseload or a share also
            // names (linked.CaseloadOf: those are visited alone below).
            var named = new Dictionary<(int Unit, FileClass Class), int>();
            for (var p = 0; p < principals; p++)
            {
                named.Clear();
                foreach (var f in linked.CaseloadOf(p))
                {
                    var key = (linked.UnitOf(f), linked.ClassOf(f));
                    named[key] = named.GetValueOrDefault(key) + 1;
                }

                foreach (var entry in snapshot.CaseloadOf(p))
                {
                    var alone = entry.Count - named.GetValueOrDefault((entry.Unit, entry.Class));
                    if (alone > 0)
                    {
                        items.Add(Position(units, entry.Unit), entry.Class, alone, [(p << 2) | InCaseload]);
                    }
                }
            }

            // Files named more than once: each with every account that names it, numbered in order of first mention
            // and grouped by a counting sort that keeps each file's accounts in the order they were met.
            var itemOf = new int[linked.Count];
            Array.Fill(itemOf, -1);
            var itemFiles = new List<int>();
            var pairItems = new List<int>();
            var pairEntries = new List<int>();
            void Pair(int f, int entry)
            {
                if (itemOf[f] < 0)
                {
                    itemOf[f] = itemFiles.Count;
                    itemFiles.Add(f);
                }

                pairItems.Add(itemOf[f]);
                pairEntries.Add(entry);
            }

            for (var p = 0; p < principals; p++)
            {
                foreach (var f in linked.CaseloadOf(p))
                {
                    Pair(f, (p << 2) | InCaseload);
                }

                foreach (var share in snapshot.SharesOf(p))
                {
                    if (share.File >= 0 && share.IsInForce(asOf))
                    {
                        Pair(share.File, (p << 2) | Shared);
                    }
                }
            }

            var groupStart = new int[itemFiles.Count + 1];
            foreach (var i in pairItems)
            {
                groupStart[i + 1]++;
            }

            for (var i = 1; i < groupStart.Length; i++)
            {
                groupStart[i] += groupStart[i - 1];
            }

            var next = groupStart[..^1];
            var grouped = new int[pairEntries.Count];
            for (var k = 0; k < pairItems.Count; k++)
            {
                grouped[next[pairItems[k]]++] = pairEntries[k];
            }

            for (var i = 0; i < itemFiles.Count; i++)
            {
                var f = itemFiles[i];
                items.Add(Position(units, linked.UnitOf(f)), linked.ClassOf(f), 1, grouped.AsSpan(groupStart[i], groupStart[i + 1] - groupStart[i]));
            }

            // In pre-order of position (unplaced first): a counting sort.
            var order = items.OrderByPosition(units.Count);
            var chunkCount = Math.Max(1, Math.Min(64, order.Length / 4096));
            var chunks = new long[chunkCount][];
            var context = new Context(accounts, covers, setOf, sets, snapshot.Principals.Mfa.AsSpan().ToArray(), items, order);
            scheduler.For(chunkCount, () => new Worker(context), (chunk, worker) =>
            {
                int from = (int)((long)order.Length * chunk / chunkCount), to = (int)((long)order.Length * (chunk + 1) / chunkCount);
                chunks[chunk] = worker.Run(from, to);
            });

            foreach (var chunk in chunks)
            {
                foreach (var (i, delta) in Sparse(chunk))
                {
                    totals[i] += delta;
                }
            }
        }

        private static int Position(OrgTree units, int unit) => unit >= 0 ? units.Pre[unit] : -1;

        /// <summary>
        /// What is visited: a position, a file class, how many files share this description, and the accounts naming
        /// them, each as <c>principal &lt;&lt; 2 | InCaseload | Shared</c>.
        /// </summary>
        private sealed class Items
        {
            public List<int> Position { get; } = [];
            public List<FileClass> Class { get; } = [];
            public List<long> Count { get; } = [];
            public List<int> EntryStart { get; } = [0];
            public List<int> Entries { get; } = [];

            public void Add(int position, FileClass fileClass, long count, ReadOnlySpan<int> entries)
            {
                Position.Add(position);
                Class.Add(fileClass);
                Count.Add(count);
                Entries.AddRange(entries);
                EntryStart.Add(Entries.Count);
            }

            public int[] OrderByPosition(int positions)
            {
                var start = new int[positions + 2];
                foreach (var position in Position)
                {
                    start[position + 2]++;
                }

                for (var k = 1; k < start.Length; k++)
                {
                    start[k] += start[k - 1];
                }

                var order = new int[Position.Count];
                for (var i = 0; i < Position.Count; i++)
                {
                    order[start[Position[i] + 1]++] = i;
                }

                return order;
            }
        }

        private static IEnumerable<(int Index, long Delta)> Sparse(long[] deltas)
        {
            for (var i = 0; i < deltas.Length; i++)
            {
                if (deltas[i] != 0)
                {
                    yield return (i, deltas[i]);
                }
            }
        }

        private sealed record Context(
            AccountIntervals Accounts, SetCovers Covers, int[] SetOf, int Sets, bool[] Mfa, Items Items, int[] Order);

        /// <summary>One worker's state: cover cursors, per-account flags of the current file, per-set counters.</summary>
        private sealed class Worker(Context context)
        {
            private readonly int[] _bits = new int[context.SetOf.Length];
            private readonly int[] _bitsStamp = new int[context.SetOf.Length];
            private readonly int[] _setStamp = new int[context.Sets];
            private readonly int[] _coveredByCaseloadExcess = new int[context.Sets];
            private readonly int[] _coveredByCaseloadSensitiveExcess = new int[context.Sets];
            private readonly byte[] _flags = new byte[context.Sets];
            private readonly List<int> _touched = [];
            private int _stamp;

            private const byte AnyReach = 1, AnyPhishable = 2, AnyShareExcess = 4;

            public long[] Run(int from, int to)
            {
                var (accounts, covers, setOf, _, mfa, items, order) = context;
                var cursor = covers.NewCursor();
                var entries = items.Entries;
                var deltas = new long[context.Sets * Kinds];
                for (var i = from; i < to; i++)
                {
                    var item = order[i];
                    var position = items.Position[item];
                    var sensitive = (items.Class[item] & FileClass.Sensitive) != 0;
                    var multiplicity = items.Count[item];
                    int first = items.EntryStart[item], last = items.EntryStart[item + 1];
                    var stamp = ++_stamp;

                    // An account may name the file twice (caseload and share): its flags are gathered first.
                    for (var e = first; e < last; e++)
                    {
                        var p = entries[e] >> 2;
                        if (_bitsStamp[p] != stamp)
                        {
                            _bitsStamp[p] = stamp;
                            _bits[p] = 0;
                        }

                        _bits[p] |= entries[e] & 3;
                    }

                    _touched.Clear();
                    for (var e = first; e < last; e++)
                    {
                        var p = entries[e] >> 2;
                        if (_bitsStamp[p] != stamp)
                        {
                            continue; // already visited for this file
                        }

                        _bitsStamp[p] = stamp - 1;
                        var bits = _bits[p];
                        var inCaseload = (bits & InCaseload) != 0;
                        var shared = (bits & Shared) != 0;
                        var placed = position >= 0;
                        var excessCovered = inCaseload && placed && Interval.Contains(accounts.Excess[p], position);
                        var sensitiveCovered = inCaseload && sensitive && placed && Interval.Contains(accounts.SensitiveExcess[p], position);
                        var reachedOutright = (inCaseload && accounts.CaseloadScope[p]) || shared;
                        var shareExcess = shared && !inCaseload && !accounts.PrincipalJustified[p]
                            && !(placed && Interval.Contains(accounts.Justified[p], position));
                        foreach (var s in (ReadOnlySpan<int>)[0, setOf[p]])
                        {
                            if (_setStamp[s] != stamp)
                            {
                                _setStamp[s] = stamp;
                                _coveredByCaseloadExcess[s] = 0;
                                _coveredByCaseloadSensitiveExcess[s] = 0;
                                _flags[s] = 0;
                                _touched.Add(s);
                            }

                            _coveredByCaseloadExcess[s] += excessCovered ? 1 : 0;
                            _coveredByCaseloadSensitiveExcess[s] += sensitiveCovered ? 1 : 0;
                            _flags[s] |= (byte)((reachedOutright ? AnyReach : 0)
                                | (reachedOutright && !mfa[p] ? AnyPhishable : 0)
                                | (shareExcess ? AnyShareExcess : 0));
                        }
                    }

                    foreach (var s in _touched)
                    {
                        int reach = 0, excess = 0, sensitiveExcess = 0, phishable = 0;
                        if (position >= 0)
                        {
                            reach = cursor.At(s, Reach, position);
                            excess = cursor.At(s, Excess, position);
                            sensitiveExcess = sensitive ? cursor.At(s, SensitiveExcess, position) : 0;
                            phishable = cursor.At(s, Phishable, position);
                        }

                        var flags = _flags[s];
                        var d = s * Kinds;
                        deltas[d + Reach] += multiplicity * Difference(reach > 0, reach > 0 || (flags & AnyReach) != 0);
                        deltas[d + Phishable] += multiplicity * Difference(phishable > 0, phishable > 0 || (flags & AnyPhishable) != 0);
                        deltas[d + Excess] += multiplicity * Difference(excess > 0, excess - _coveredByCaseloadExcess[s] > 0 || (flags & AnyShareExcess) != 0);
                        deltas[d + SensitiveExcess] += multiplicity * Difference(sensitiveExcess > 0, sensitiveExcess - _coveredByCaseloadSensitiveExcess[s] > 0);
                    }
                }

                return deltas;
            }

            private static int Difference(bool counted, bool actual) => (actual ? 1 : 0) - (counted ? 1 : 0);
        }
    }
}
