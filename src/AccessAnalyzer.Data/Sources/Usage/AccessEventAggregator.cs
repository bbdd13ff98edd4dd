using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Data.Sources.Usage;

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

    private const int PrincipalBits = 21, FileBits = 29, DayBits = 14;
    private static readonly DateOnly Epoch = new(2000, 1, 1);

    private readonly Func<string, bool> _principalKnown;
    private readonly Func<string, int, bool> _inCaseload;
    private readonly Func<int, (string UnitId, bool Sensitive)> _fileInfo;
    private readonly Dictionary<string, int> _principalIndex = new(StringComparer.Ordinal);
    private readonly List<string> _principalIds = [];
    private readonly List<string> _runs = [];
    private readonly ulong[] _chunk;
    private int _count;
    private long _events, _missingPrincipal, _missingFile;

    /// <param name="principalKnown">Whether a principal id exists in principals.</param>
    /// <param name="inCaseload">Whether (principal id, file) is a caseload pair.</param>
    /// <param name="fileInfo">The unit id and sensitivity of a file.</param>
    /// <param name="chunkSize">Keys per in-memory chunk; small values force the on-disk merge (tests).</param>
    public AccessEventAggregator(
        Func<string, bool> principalKnown, Func<string, int, bool> inCaseload, Func<int, (string UnitId, bool Sensitive)> fileInfo,
        int chunkSize = DefaultChunkSize)
    {
        _principalKnown = principalKnown;
        _inCaseload = inCaseload;
        _fileInfo = fileInfo;
        _chunk = new ulong[chunkSize];
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

        if (!_principalIndex.TryGetValue(principalId, out var p))
        {
            p = _principalIds.Count;
            if (p >= 1 << PrincipalBits)
            {
                throw new InputErrorException("access_events", null, "principal_id", $"more than {1 << PrincipalBits} distinct principals in the access log");
            }

            _principalIndex.Add(principalId, p);
            _principalIds.Add(principalId);
        }

        if (file >= 1 << FileBits)
        {
            throw new InputErrorException("access_events", null, "file_id", $"more than {1 << FileBits} files: beyond what usage aggregation supports");
        }

        _chunk[_count++] = ((ulong)p << (FileBits + DayBits)) | ((ulong)file << DayBits) | (uint)dayOffset;
        if (_count == _chunk.Length)
        {
            Spill();
        }

        return true;
    }

    public UsageTables Complete()
    {
        var days = new List<PrincipalDay>();
        var principals = new List<PrincipalActivity>();
        var units = new List<UnitActivity>();
        var state = new PrincipalState();
        DateOnly? first = null, last = null;

        foreach (var key in Sorted())
        {
            var p = (int)(key >> (FileBits + DayBits));
            var file = (int)((key >> DayBits) & ((1UL << FileBits) - 1));
            var day = Epoch.AddDays((int)(key & ((1UL << DayBits) - 1)));
            if (p != state.Principal)
            {
                state.Flush(_principalIds, days, principals, units);
                state.Start(p);
            }

            first = first is { } f && f <= day ? f : day;
            last = last is { } l && l >= day ? l : day;
            state.Add(file, day, this);
        }

        state.Flush(_principalIds, days, principals, units);

        // Principals are numbered as they first appear in the log; the tables are ordered by id, like every snapshot table.
        days.Sort((a, b) => string.CompareOrdinal(a.PrincipalId, b.PrincipalId) is var c && c != 0 ? c : a.Day.CompareTo(b.Day));
        principals.Sort((a, b) => string.CompareOrdinal(a.PrincipalId, b.PrincipalId));
        units.Sort((a, b) => string.CompareOrdinal(a.PrincipalId, b.PrincipalId) is var c && c != 0 ? c : string.CompareOrdinal(a.UnitId, b.UnitId));
        return new UsageTables(days, principals, units, _events, first, last, _missingPrincipal, _missingFile);
    }

    private IEnumerable<ulong> Sorted()
    {
        Array.Sort(_chunk, 0, _count);
        if (_runs.Count == 0)
        {
            for (var i = 0; i < _count; i++)
            {
                yield return _chunk[i];
            }

            yield break;
        }

        Spill();
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
        var path = Path.Combine(Path.GetTempPath(), $"aa-usage-{Environment.ProcessId}-{Guid.NewGuid():N}.run");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
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
    }

    /// <summary>Counters of the principal being read, flushed into rows when the next principal starts.</summary>
    private sealed class PrincipalState
    {
        private readonly SortedDictionary<DateOnly, long[]> _days = [];
        private readonly Dictionary<string, (DateOnly Last, DateOnly? LastOutside)> _units = new(StringComparer.Ordinal);
        private int _file = -1;
        private DateOnly _day;
        private bool _inCaseload, _sensitive;
        private string _unit = string.Empty;
        private long _reads, _distinct, _outside, _sensitiveOutside;
        private DateOnly _first, _last;

        public int Principal { get; private set; } = -1;

        public void Start(int principal)
        {
            Principal = principal;
            _days.Clear();
            _units.Clear();
            _file = -1;
            _reads = _distinct = _outside = _sensitiveOutside = 0;
            _first = DateOnly.MaxValue;
            _last = DateOnly.MinValue;
        }

        public void Add(int file, DateOnly day, AccessEventAggregator owner)
        {
            _reads++;
            _first = day < _first ? day : _first;
            _last = day > _last ? day : _last;
            var newFile = file != _file;
            if (newFile)
            {
                _file = file;
                _inCaseload = owner._inCaseload(owner._principalIds[Principal], file);
                (_unit, _sensitive) = owner._fileInfo(file);
                _distinct++;
                _outside += _inCaseload ? 0 : 1;
                _sensitiveOutside += _sensitive && !_inCaseload ? 1 : 0;
            }

            if (!_days.TryGetValue(day, out var counters))
            {
                _days[day] = counters = new long[5]; // reads, distinct, outside, sensitive, sensitive outside
            }

            counters[0]++;
            if (newFile || day != _day)
            {
                counters[1]++;
                counters[2] += _inCaseload ? 0 : 1;
                counters[3] += _sensitive ? 1 : 0;
                counters[4] += _sensitive && !_inCaseload ? 1 : 0;
                var (lastRead, lastOutside) = _units.GetValueOrDefault(_unit, (DateOnly.MinValue, null));
                _units[_unit] = (day > lastRead ? day : lastRead,
                    _inCaseload ? lastOutside : lastOutside is { } o && o >= day ? o : day);
            }

            _day = day;
        }

        public void Flush(List<string> ids, List<PrincipalDay> days, List<PrincipalActivity> principals, List<UnitActivity> units)
        {
            if (Principal < 0)
            {
                return;
            }

            var id = ids[Principal];
            foreach (var (day, c) in _days)
            {
                days.Add(new PrincipalDay(id, day, c[0], c[1], c[2], c[3], c[4]));
            }

            principals.Add(new PrincipalActivity(id, _reads, _distinct, _outside, _sensitiveOutside, _first, _last));
            foreach (var (unit, (lastRead, lastOutside)) in _units.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                units.Add(new UnitActivity(id, unit, lastRead, lastOutside));
            }

            Principal = -1;
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
