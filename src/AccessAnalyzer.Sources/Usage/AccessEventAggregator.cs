using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Sources.Usage;

/// <summary>
/// Aggregates a stream of access events (principal, file, day) into <see cref="UsageTables"/> in bounded memory: events
/// are packed into 64-bit keys (principal, file, day), sorted in chunks, spilled to temporary files when there is more
/// than one chunk, and merged; one pass over the sorted keys yields the distinct counts per principal and day, over the
/// period, and the last read per unit. Memory is one chunk plus one principal's state, whatever the number of events.
/// </summary>
internal sealed class AccessEventAggregator : IDisposable
{
    /// <summary>Keys held in memory before a sorted run is spilled to disk (64 MiB).</summary>
    public const int DefaultChunkSize = 8 << 20;

    /// <summary>Keys the chunk starts with (512 KiB); it doubles up to <see cref="DefaultChunkSize"/> as events come.</summary>
    private const int InitialChunkSize = 64 << 10;

    private const int PrincipalBits = 21, FileBits = 29, DayBits = 14;
    private static readonly DateOnly Epoch = new(2000, 1, 1);

    private readonly Func<string, bool> _principalKnown;
    private readonly Func<string, int, bool> _inCaseload;
    private readonly Func<int, (int Unit, bool Sensitive)> _fileInfo;
    private readonly Func<int, string> _unitId;
    private readonly Dictionary<string, int> _principalIndex = new(StringComparer.Ordinal);
    private readonly List<string> _principalIds = [];
    private readonly List<string> _runs = [];
    private string? _spillDirectory;
    private ulong[] _chunk;
    private readonly int _chunkSize;
    private int _count;
    private string? _lastPrincipalId;
    private int _lastPrincipal;
    private long _events, _missingPrincipal, _missingFile;

    /// <param name="principalKnown">Whether a principal id exists in principals.</param>
    /// <param name="inCaseload">Whether (principal id, file) is a caseload pair.</param>
    /// <param name="fileInfo">The unit id and sensitivity of a file.</param>
    /// <param name="chunkSize">Keys per in-memory chunk; small values force the on-disk merge (tests).</param>
    public AccessEventAggregator(
        Func<string, bool> principalKnown, Func<string, int, bool> inCaseload, Func<int, (string UnitId, bool Sensitive)> fileInfo,
        int chunkSize = DefaultChunkSize)
        : this(principalKnown, inCaseload, UnitNumbers(fileInfo, out var unitId), unitId, chunkSize)
    {
    }

    /// <param name="principalKnown">Whether a principal id exists in principals.</param>
    /// <param name="inCaseload">Whether (principal id, file) is a caseload pair.</param>
    /// <param name="fileInfo">The unit (a dense number, distinct units distinct numbers) and sensitivity of a file.</param>
    /// <param name="unitId">The id of a unit number.</param>
    /// <param name="chunkSize">Keys per in-memory chunk; small values force the on-disk merge (tests).</param>
    public AccessEventAggregator(
        Func<string, bool> principalKnown, Func<string, int, bool> inCaseload, Func<int, (int Unit, bool Sensitive)> fileInfo,
        Func<int, string> unitId, int chunkSize = DefaultChunkSize)
    {
        _principalKnown = principalKnown;
        _inCaseload = inCaseload;
        _fileInfo = fileInfo;
        _unitId = unitId;
        // The chunk grows to its full size only when the log is that large: a small log does not cost 64 MiB.
        _chunkSize = chunkSize;
        _chunk = new ulong[Math.Min(chunkSize, InitialChunkSize)];
    }

    /// <summary>Units numbered as they are first met, for callers that know a file's unit by id only.</summary>
    private static Func<int, (int Unit, bool Sensitive)> UnitNumbers(Func<int, (string UnitId, bool Sensitive)> fileInfo, out Func<int, string> unitId)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        unitId = u => ids[u];
        return f =>
        {
            var (id, sensitive) = fileInfo(f);
            if (!numbers.TryGetValue(id, out var u))
            {
                numbers.Add(id, u = ids.Count);
                ids.Add(id);
            }

            return (u, sensitive);
        };
    }

    /// <summary>First and last day an event may fall on (the key holds 14 bits of days from 2000-01-01).</summary>
    public static (DateOnly First, DateOnly Last) DayRange => (Epoch, Epoch.AddDays((1 << DayBits) - 1));

    /// <summary>Adds one event. <paramref name="file"/> is the dense file index, or -1 when the file is missing.</summary>
    /// <returns>False when the day is outside <see cref="DayRange"/> (the caller reports it as bad input).</returns>
    public bool Add(string principalId, int file, DateOnly day)
    {
        _events++;
        if (!_principalKnown(principalId))
        {
            _missingPrincipal++;
            return true;
        }

        if (file < 0)
        {
            _missingFile++;
            return true;
        }

        var dayOffset = day.DayNumber - Epoch.DayNumber;
        if (dayOffset < 0 || dayOffset >= 1 << DayBits)
        {
            return false;
        }

        // Events come principal by principal, each id as one interned string: the last one is checked first.
        int p;
        if (ReferenceEquals(principalId, _lastPrincipalId))
        {
            p = _lastPrincipal;
        }
        else if (!_principalIndex.TryGetValue(principalId, out p))
        {
            p = _principalIds.Count;
            if (p >= 1 << PrincipalBits)
            {
                throw new InputErrorException("access_events", null, "principal_id", $"more than {1 << PrincipalBits} distinct principals in the access log");
            }

            _principalIndex.Add(principalId, p);
            _principalIds.Add(principalId);
        }

        _lastPrincipalId = principalId;
        _lastPrincipal = p;

        if (file >= 1 << FileBits)
        {
            throw new InputErrorException("access_events", null, "file_id", $"more than {1 << FileBits} files: beyond what usage aggregation supports");
        }

        _chunk[_count++] = ((ulong)p << (FileBits + DayBits)) | ((ulong)file << DayBits) | (uint)dayOffset;
        if (_count == _chunk.Length)
        {
            if (_chunk.Length < _chunkSize)
            {
                Array.Resize(ref _chunk, (int)Math.Min(_chunkSize, 2L * _chunk.Length));
            }
            else
            {
                Spill();
            }
        }

        return true;
    }

    /// <summary>Sorts and scans the events into the tables.</summary>
    /// <param name="alongside">Work to run on another core while the last chunk is sorted (the CSV source groups its
    /// caseload then, which the scan needs first).</param>
    public UsageTables Complete(Action? alongside = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ids = _principalIds;
        var inMemory = _runs.Count == 0;
        if (inMemory && _count > 0)
        {
            // One chunk: principals are renumbered in id order before sorting, so that the rows come out in the
            // tables' order, straight into their final columns (spilled runs are merged in first-appearance order
            // and reordered at the end instead).
            var byId = Enumerable.Range(0, ids.Count).ToArray();
            Array.Sort(byId, (a, b) => string.CompareOrdinal(ids[a], ids[b]));
            var rank = new ulong[ids.Count];
            for (var k = 0; k < byId.Length; k++)
            {
                rank[byId[k]] = (ulong)k << (FileBits + DayBits);
            }

            const ulong rest = (1UL << (FileBits + DayBits)) - 1;
            var keys = _chunk.AsSpan(0, _count);
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = rank[keys[i] >> (FileBits + DayBits)] | (keys[i] & rest);
            }

            ids = [.. byId.Select(i => ids[i])];
        }

        try
        {
            Parallel.Invoke(inMemory ? () => Array.Sort(_chunk, 0, _count) : Spill, alongside ?? (() => { }));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // The error either side raised, as it would have been raised without the other side (input errors keep
            // their exit code and message).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }

        var sorted = watch.Elapsed;

        // Rows never outnumber events: with one chunk, the columns are sized once (pages are touched only as rows are
        // written); merged runs grow them.
        var scan = new Scan(this, ids, inMemory ? _count : 1 << 16);
        if (inMemory)
        {
            foreach (var key in _chunk.AsSpan(0, _count))
            {
                scan.Add(key);
            }
        }
        else
        {
            foreach (var key in Merged())
            {
                scan.Add(key);
            }
        }

        var scanned = watch.Elapsed;
        _chunk = []; // the keys are consumed: free them before the tables are built
        var tables = scan.Finish();
        Csv.PhaseTimer.Note(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"usage aggregation: {_events} events, sort {sorted.TotalMilliseconds:F0} ms (work alongside included), scan {(scanned - sorted).TotalMilliseconds:F0} ms, tables {(watch.Elapsed - scanned).TotalMilliseconds:F0} ms, {_runs.Count} runs spilled"));
        return tables;
    }

    /// <summary>The spilled runs, merged.</summary>
    private IEnumerable<ulong> Merged()
    {
        var readers = _runs.Select(path => new RunReader(path)).ToList();
        try
        {
            var queue = new PriorityQueue<int, ulong>();
            for (var r = 0; r < readers.Count; r++)
            {
                if (readers[r].TryRead(out var key))
                {
                    queue.Enqueue(r, key);
                }
            }

            while (queue.TryDequeue(out var r, out var key))
            {
                yield return key;
                if (readers[r].TryRead(out var next))
                {
                    queue.Enqueue(r, next);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    private void Spill()
    {
        if (_count == 0)
        {
            return;
        }

        Array.Sort(_chunk, 0, _count);
        _spillDirectory ??= SpillDirectory.Create();
        var path = Path.Combine(_spillDirectory, $"{_runs.Count}.run");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 20 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_chunk.AsSpan(0, _count)));
        }

        _runs.Add(path);
        _count = 0;
    }

    public void Dispose()
    {
        foreach (var path in _runs)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // A leftover temporary run is harmless; the OS cleans the temp directory.
            }
        }

        _runs.Clear();
        if (_spillDirectory is not null)
        {
            SpillDirectory.Remove(_spillDirectory);
            _spillDirectory = null;
        }
    }

    /// <summary>
    /// One pass over the sorted keys. Keys come principal by principal, and within a principal file by file, so a
    /// principal's counters are flat arrays indexed by day offset and by unit number (touched entries listed, so that
    /// resetting costs what was used): no per-event dictionary, string or allocation. Rows are appended to columns in
    /// the order principals are numbered: id order for one chunk, first appearance for merged runs (whose blocks of
    /// rows are put in id order at the end).
    /// </summary>
    private sealed class Scan(AccessEventAggregator owner, IReadOnlyList<string> ids, int capacity)
    {
        private const int NoDay = -1;
        private readonly long[] _dayReads = new long[1 << DayBits];
        private readonly int[] _dayDistinct = new int[1 << DayBits], _dayOutside = new int[1 << DayBits];
        private readonly int[] _daySensitive = new int[1 << DayBits], _daySensitiveOutside = new int[1 << DayBits];
        private readonly List<int> _touchedDays = [];
        private int[] _unitLast = [], _unitLastOutside = [];
        private readonly List<int> _touchedUnits = [];

        // The principal being read.
        private int _principal = -1;
        private int _file = -1, _day, _unit;
        private bool _inCaseload, _sensitive;
        private long _reads, _distinct, _outside, _sensitiveOutside;
        private int _first, _last;

        // Output, in scan order: day rows (columns) with each principal's block, principals, unit rows.
        private readonly Columns _rows = new(capacity);
        private readonly List<(int Principal, int Start, int End)> _blocks = [];
        private readonly List<PrincipalActivity> _principals = [];
        private readonly List<(int Principal, int Unit, int Last, int LastOutside)> _units = [];
        private int _firstDay = int.MaxValue, _lastDay = int.MinValue;

        public void Add(ulong key)
        {
            var p = (int)(key >> (FileBits + DayBits));
            var file = (int)((key >> DayBits) & ((1UL << FileBits) - 1));
            var day = (int)(key & ((1UL << DayBits) - 1));
            if (p != _principal)
            {
                Flush();
                _principal = p;
                _file = -1;
                _reads = _distinct = _outside = _sensitiveOutside = 0;
                _first = int.MaxValue;
                _last = int.MinValue;
            }

            _reads++;
            _first = Math.Min(_first, day);
            _last = Math.Max(_last, day);
            var newFile = file != _file;
            if (newFile)
            {
                _file = file;
                _inCaseload = owner._inCaseload(ids[p], file);
                (_unit, _sensitive) = owner._fileInfo(file);
                _distinct++;
                _outside += _inCaseload ? 0 : 1;
                _sensitiveOutside += _sensitive && !_inCaseload ? 1 : 0;
            }

            if (_dayReads[day]++ == 0)
            {
                _touchedDays.Add(day);
            }

            if (newFile || day != _day)
            {
                // A new (file, day) pair: keys are sorted, so a pair's events are adjacent.
                _dayDistinct[day]++;
                _dayOutside[day] += _inCaseload ? 0 : 1;
                _daySensitive[day] += _sensitive ? 1 : 0;
                _daySensitiveOutside[day] += _sensitive && !_inCaseload ? 1 : 0;
                TouchUnit(_unit);
                _unitLast[_unit] = Math.Max(_unitLast[_unit], day);
                if (!_inCaseload)
                {
                    _unitLastOutside[_unit] = Math.Max(_unitLastOutside[_unit], day);
                }
            }

            _day = day;
        }

        private void TouchUnit(int unit)
        {
            if (unit >= _unitLast.Length)
            {
                var length = Math.Max(unit + 1, _unitLast.Length * 2);
                var last = new int[length];
                var lastOutside = new int[length];
                Array.Fill(last, NoDay);
                Array.Fill(lastOutside, NoDay);
                _unitLast.CopyTo(last, 0);
                _unitLastOutside.CopyTo(lastOutside, 0);
                (_unitLast, _unitLastOutside) = (last, lastOutside);
            }

            if (_unitLast[unit] == NoDay)
            {
                _touchedUnits.Add(unit);
            }
        }

        private void Flush()
        {
            if (_principal < 0)
            {
                return;
            }

            var start = _rows.Count;
            _touchedDays.Sort();
            foreach (var d in _touchedDays)
            {
                _rows.Add(d, _dayReads[d], _dayDistinct[d], _dayOutside[d], _daySensitive[d], _daySensitiveOutside[d]);
                _dayReads[d] = 0;
                _dayDistinct[d] = _dayOutside[d] = _daySensitive[d] = _daySensitiveOutside[d] = 0;
            }

            _touchedDays.Clear();
            _blocks.Add((_principal, start, _rows.Count));
            _principals.Add(new PrincipalActivity(ids[_principal], _reads, _distinct, _outside, _sensitiveOutside,
                Epoch.AddDays(_first), Epoch.AddDays(_last)));
            _firstDay = Math.Min(_firstDay, _first);
            _lastDay = Math.Max(_lastDay, _last);
            foreach (var u in _touchedUnits)
            {
                _units.Add((_principal, u, _unitLast[u], _unitLastOutside[u]));
                _unitLast[u] = _unitLastOutside[u] = NoDay;
            }

            _touchedUnits.Clear();
            _principal = -1;
        }

        public UsageTables Finish()
        {
            Flush();

            // The tables are ordered by principal id, like every snapshot table. Principals numbered in id order
            // (one chunk) already are; otherwise (numbered as they first appeared) their blocks of rows are moved.
            var order = Enumerable.Range(0, _blocks.Count).ToArray();
            Array.Sort(order, (a, b) => string.CompareOrdinal(ids[_blocks[a].Principal], ids[_blocks[b].Principal]));
            var inOrder = true;
            for (var r = 0; r < order.Length && inOrder; r++)
            {
                inOrder = order[r] == r && _blocks[r].Start == (r == 0 ? 0 : _blocks[r - 1].End);
            }

            var rank = new int[ids.Count];
            var principalIds = new string[_blocks.Count];
            var start = new int[_blocks.Count + 1];
            var principals = new List<PrincipalActivity>(_blocks.Count);
            var columns = inOrder ? _rows : new Columns(_rows.Count);
            for (var r = 0; r < order.Length; r++)
            {
                var (p, from, to) = _blocks[order[r]];
                rank[p] = r;
                principalIds[r] = ids[p];
                principals.Add(_principals[order[r]]);
                start[r] = inOrder ? from : columns.Count;
                if (!inOrder)
                {
                    columns.CopyFrom(_rows, from, to);
                }
            }

            start[order.Length] = columns.Count;
            var days = new PrincipalDayTable(principalIds, start, columns.Day, columns.Reads, columns.Distinct, columns.Outside,
                columns.Sensitive, columns.SensitiveOutside);

            var unitIds = new Dictionary<int, string>();
            foreach (var u in _units)
            {
                if (!unitIds.ContainsKey(u.Unit))
                {
                    unitIds.Add(u.Unit, owner._unitId(u.Unit));
                }
            }

            var unitRank = unitIds.Keys.Order().ToArray();
            Array.Sort(unitRank, (a, b) => string.CompareOrdinal(unitIds[a], unitIds[b]));
            var unitOrder = new Dictionary<int, int>();
            for (var i = 0; i < unitRank.Length; i++)
            {
                unitOrder[unitRank[i]] = i;
            }

            _units.Sort((a, b) => rank[a.Principal] != rank[b.Principal]
                ? rank[a.Principal].CompareTo(rank[b.Principal])
                : unitOrder[a.Unit].CompareTo(unitOrder[b.Unit]));
            var units = new List<UnitActivity>(_units.Count);
            foreach (var (p, u, last, lastOutside) in _units)
            {
                units.Add(new UnitActivity(ids[p], unitIds[u], Epoch.AddDays(last), lastOutside == NoDay ? null : Epoch.AddDays(lastOutside)));
            }

            DateOnly? first = _blocks.Count == 0 ? null : Epoch.AddDays(_firstDay);
            DateOnly? lastDay = _blocks.Count == 0 ? null : Epoch.AddDays(_lastDay);
            return new UsageTables(days, principals, units, owner._events, first, lastDay, owner._missingPrincipal, owner._missingFile);
        }
    }

    /// <summary>
    /// Day rows as the final columns. Sized once when the number of events bounds the rows (one chunk: pages are only
    /// touched as rows are written), grown by doubling otherwise; the table takes the arrays as they are.
    /// </summary>
    private sealed class Columns(int capacity)
    {
        public DateOnly[] Day = GC.AllocateUninitializedArray<DateOnly>(Math.Max(capacity, 1));
        public long[] Reads = GC.AllocateUninitializedArray<long>(Math.Max(capacity, 1));
        public int[] Distinct = GC.AllocateUninitializedArray<int>(Math.Max(capacity, 1));
        public int[] Outside = GC.AllocateUninitializedArray<int>(Math.Max(capacity, 1));
        public int[] Sensitive = GC.AllocateUninitializedArray<int>(Math.Max(capacity, 1));
        public int[] SensitiveOutside = GC.AllocateUninitializedArray<int>(Math.Max(capacity, 1));

        public int Count { get; private set; }

        public void Add(int day, long reads, int distinct, int outside, int sensitive, int sensitiveOutside)
        {
            if (Count == Day.Length)
            {
                var length = Count * 2;
                Array.Resize(ref Day, length);
                Array.Resize(ref Reads, length);
                Array.Resize(ref Distinct, length);
                Array.Resize(ref Outside, length);
                Array.Resize(ref Sensitive, length);
                Array.Resize(ref SensitiveOutside, length);
            }

            Day[Count] = Epoch.AddDays(day);
            Reads[Count] = reads;
            Distinct[Count] = distinct;
            Outside[Count] = outside;
            Sensitive[Count] = sensitive;
            SensitiveOutside[Count] = sensitiveOutside;
            Count++;
        }

        public void CopyFrom(Columns other, int from, int to)
        {
            var n = to - from;
            other.Day.AsSpan(from, n).CopyTo(Day.AsSpan(Count));
            other.Reads.AsSpan(from, n).CopyTo(Reads.AsSpan(Count));
            other.Distinct.AsSpan(from, n).CopyTo(Distinct.AsSpan(Count));
            other.Outside.AsSpan(from, n).CopyTo(Outside.AsSpan(Count));
            other.Sensitive.AsSpan(from, n).CopyTo(Sensitive.AsSpan(Count));
            other.SensitiveOutside.AsSpan(from, n).CopyTo(SensitiveOutside.AsSpan(Count));
            Count += n;
        }
    }

    private sealed class RunReader : IDisposable
    {
        private readonly FileStream _stream;
        private readonly ulong[] _buffer = new ulong[1 << 16];
        private int _position, _length;

        public RunReader(string path) =>
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

        public bool TryRead(out ulong key)
        {
            if (_position == _length)
            {
                var span = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_buffer.AsSpan());
                var bytes = _stream.ReadAtLeast(span, span.Length, throwOnEndOfStream: false); // runs hold whole keys: fill or reach the end
                _length = bytes / sizeof(ulong);
                _position = 0;
                if (_length == 0)
                {
                    key = 0;
                    return false;
                }
            }

            key = _buffer[_position++];
            return true;
        }

        public void Dispose() => _stream.Dispose();
    }
}
