using System.Text;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>
/// caseload.csv as a set of (principal, file) pairs. While reading: two int arrays (principal number, dense file
/// index), 8 bytes a row. Then <see cref="Group"/> sorts them by principal (a counting sort), drops repeated pairs
/// (a per-file stamp: a repeated row counts once) and counts each principal's distinct files by unit and class.
/// Rows naming a missing file are kept apart (distinct too).
/// </summary>
internal sealed class CaseloadSet
{
    private readonly Utf8Interner _principals = new(1024);
    private readonly HashSet<(int Principal, string File)> _missingFile = [];
    private readonly Lock _pairLock = new();
    private int[] _pairPrincipal;
    private int[] _pairFile;
    private int _pairCount;
    private int[] _start = [];   // principal p's distinct files are _files[_start[p] .. _start[p] + _length[p])
    private int[] _length = [];
    private int[] _files = [];
    private List<CaseloadCount> _counts = [];

    private CaseloadSet(int expectedRows)
    {
        _pairPrincipal = GC.AllocateUninitializedArray<int>(expectedRows);
        _pairFile = GC.AllocateUninitializedArray<int>(expectedRows);
    }

    /// <summary>Reads caseload.csv: the calling thread parses and interns principals, a worker looks the file ids up.</summary>
    public static CaseloadSet Read(string directory, FileIndex files, int batchRows)
    {
        using var t = CsvTableCursor.Open(directory, "caseload", required: true)!;
        return Read(t, files, CsvTableSize.EstimateRows(directory, "caseload"), batchRows);
    }

    /// <summary>The same from any cursor over the caseload table (a CSV file, or rows streamed from a database).</summary>
    public static CaseloadSet Read(ITableCursor t, FileIndex files, int expectedRows, int batchRows)
    {
        var set = new CaseloadSet(Math.Max(16, expectedRows));
        int file = t.Column("file_id"), principal = t.Column("principal_id");

        // Lookups only read the finished id table, so both threads may join (see RowBatchPipeline).
        void Join(RowBatch batch)
        {
            files.Prefetch(batch.Keys);
            var hashes = batch.Keys.Hashes;
            var found = batch.Results;
            for (var i = 0; i < batch.Count; i++)
            {
                found[i] = files.Find(batch.Keys[i], hashes[i]);
            }

            lock (set._pairLock)
            {
                var n = set._pairCount;
                if (n + batch.Count > set._pairFile.Length)
                {
                    var capacity = Math.Max(n + batch.Count, set._pairFile.Length * 2);
                    Array.Resize(ref set._pairPrincipal, capacity);
                    Array.Resize(ref set._pairFile, capacity);
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    if (found[i] < 0)
                    {
                        set._missingFile.Add((batch.Payload[i], Encoding.UTF8.GetString(batch.Keys[i])));
                        continue;
                    }

                    set._pairPrincipal[n] = batch.Payload[i];
                    set._pairFile[n] = found[i];
                    n++;
                }

                set._pairCount = n;
            }
        }

        RowBatchPipeline.Run(batchRows, Join, pipeline =>
        {
            while (t.Read())
            {
                // Caseloads usually come principal by principal: the previous row's principal is checked first.
                var principalNumber = set._principals.InternRepeated(t.Bytes(principal));

                var batch = pipeline.Current;
                batch.Payload[batch.Count] = principalNumber;
                batch.Keys.Add(t.Bytes(file));
                if (batch.IsFull)
                {
                    pipeline.Submit();
                }
            }
        }, threadSafeJoin: true);

        return set;
    }

    /// <summary>
    /// Groups the pairs by principal, keeps each (principal, file) pair once and counts every principal's distinct
    /// files by unit and class. Needs only the files' units and classes (the id table may be gone).
    /// </summary>
    public void Group(FileIndex files)
    {
        var principals = _principals.Count;
        var n = _pairCount;
        var start = new int[principals + 1];
        var pairPrincipal = _pairPrincipal;
        var pairFile = _pairFile;
        for (var i = 0; i < n; i++)
        {
            start[pairPrincipal[i] + 1]++;
        }

        for (var p = 0; p < principals; p++)
        {
            start[p + 1] += start[p];
        }

        var grouped = GC.AllocateUninitializedArray<int>(n);
        var fill = start.AsSpan(0, principals).ToArray();
        for (var i = 0; i < n; i++)
        {
            grouped[fill[pairPrincipal[i]]++] = pairFile[i];
        }

        _pairPrincipal = [];
        _pairFile = [];

        // One pass: a file whose bit is set was already counted for the current principal; its bits are cleared after.
        var seen = new ulong[(files.Count + 63) >> 6];
        var unitClass = files.UnitClasses;
        var length = new int[principals];
        var counts = new long[files.UnitCount * FileClasses.Count];
        var touched = new List<int>();
        var result = new List<CaseloadCount>();
        for (var p = 0; p < principals; p++)
        {
            var from = start[p];
            var to = start[p + 1];
            var kept = from;
            for (var i = from; i < to; i++)
            {
                var f = grouped[i];
                ref var word = ref seen[f >> 6];
                var bit = 1UL << f;
                if ((word & bit) != 0)
                {
                    continue;
                }

                word |= bit;
                grouped[kept++] = f;
                var key = unitClass[f];
                if (counts[key]++ == 0)
                {
                    touched.Add(key);
                }
            }

            for (var i = from; i < kept; i++)
            {
                seen[grouped[i] >> 6] = 0;
            }

            length[p] = kept - from;
            foreach (var key in touched)
            {
                result.Add(new CaseloadCount(_principals[p], true, files.UnitIdAt(key >> 2), (FileClass)(key & 3), counts[key]));
                counts[key] = 0;
            }

            touched.Clear();
        }

        foreach (var group in _missingFile.GroupBy(m => m.Principal))
        {
            result.Add(new CaseloadCount(_principals[group.Key], false, string.Empty, FileClass.None, group.Count()));
        }

        _start = start;
        _length = length;
        _files = grouped;
        _counts = result;
        _seen = seen;
    }

    /// <summary>Each principal's distinct caseload files by dense file index, with the files' units and classes (after <see cref="Group"/>).</summary>
    public FileLinks Links(FileIndex files)
    {
        var caseload = new PrincipalFiles[_principals.Count];
        for (var p = 0; p < caseload.Length; p++)
        {
            caseload[p] = new PrincipalFiles(_principals[p], new ArraySegment<int>(_files, _start[p], _length[p]));
        }

        return new FileLinks { FileCount = files.Count, UnitClass = files.UnitClasses, UnitIds = files.UnitIds(), Caseload = caseload };
    }

    /// <summary>Distinct caseload counts per principal, unit and class (after <see cref="Group"/>).</summary>
    public List<CaseloadCount> Counts => _counts;

    /// <summary>
    /// Whether the principal has the file in its caseload (after <see cref="Group"/>), for shares and access events.
    /// The files of the principal last asked about are marked in a bitmap (one bit a file), so asking principal by
    /// principal, as the access-event aggregation does, costs one pass over each caseload.
    /// </summary>
    public bool Contains(string principalId, int file)
    {
        lock (_containsLock)
        {
            if (!ReferenceEquals(principalId, _markedId) && !string.Equals(principalId, _markedId, StringComparison.Ordinal))
            {
                Mark(_marked, set: false);
                _marked = _principals.Find(principalId);
                _markedId = principalId;
                Mark(_marked, set: true);
            }

            return _marked >= 0 && (_seen[file >> 6] & (1UL << file)) != 0;
        }
    }

    private void Mark(int p, bool set)
    {
        if (p < 0)
        {
            return;
        }

        foreach (var f in _files.AsSpan(_start[p], _length[p]))
        {
            if (set)
            {
                _seen[f >> 6] |= 1UL << f;
            }
            else
            {
                _seen[f >> 6] = 0;
            }
        }
    }

    private readonly Lock _containsLock = new();
    private ulong[] _seen = [];
    private string? _markedId;
    private int _marked = -1;
}
