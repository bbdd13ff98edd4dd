using System.Buffers.Binary;
using System.Numerics;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>
/// A set of ids kept as UTF-8 bytes, each numbered densely (0, 1, 2 …) in the order it was added: the join key of the
/// big CSV tables. At 37 million file ids a <c>Dictionary&lt;string, int&gt;</c> needs several gigabytes (a string
/// object per id, an entry per id); here an id costs its bytes in a chunked arena plus about 6 bytes of
/// open-addressing slot (an int per slot, load factor at most 0.7).
/// <para>
/// While every id has the same length (the usual case: <c>F00000001</c>, UUIDs, fixed-width numbers) the arena is
/// a plain array of fixed-width records and an id's place is computed from its number; the first id of another length
/// switches to a table of locations. Equality is byte equality, which for valid UTF-8 is ordinal string equality.
/// </para>
/// </summary>
internal sealed class Utf8IdTable
{
    private const int ChunkBytes = 1 << 26;      // 64 MiB: the most an arena wastes at its end
    private const double MaxLoad = 0.7;

    // Per process, so that crafted ids cannot pile up in one probe run; results never depend on it.
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    private byte[][] _chunks = new byte[4][];
    private int _chunkCount;
    private int _lastUsed;               // bytes used in the last chunk
    private int _width = -1;             // fixed width: length of every id so far (>= 1); -1 before the first id or once lengths differ
    private int _shift;                  // fixed width: ids per chunk = 1 << _shift
    private int _chunkMask;
    private long[]? _locations;          // variable width: chunk << 32 | offset of a 4-byte length followed by the bytes
    private uint[] _slots;               // 0: empty; otherwise fingerprint (high bits) | id number + 1 (low bits)
    private int _mask;                   // capacity - 1: also the mask of the number bits
    private int _numberBits;             // log2(capacity)
    private int _fingerprintShift;       // hash >> shift gives the fingerprint, placed above the number bits

    public Utf8IdTable(int expectedCount)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, (long)(Math.Max(expectedCount, 8) / MaxLoad) + 1));
        _slots = new uint[capacity];
        SetCapacity(capacity);
    }

    /// <summary>
    /// An id number is below the capacity (the load stays under 1), so it fits in log2(capacity) bits; the bits
    /// above it carry a fingerprint of the hash, so that a probe reads the arena only when the fingerprints agree.
    /// </summary>
    private void SetCapacity(int capacity)
    {
        _mask = capacity - 1;
        _numberBits = BitOperations.Log2((uint)capacity);
        _fingerprintShift = 32 + _numberBits;
    }

    private uint Fingerprint(ulong hash) => (uint)(hash >> _fingerprintShift) << _numberBits;

    private uint SlotFor(ulong hash, int number) => Fingerprint(hash) | (uint)(number + 1);

    private bool SameFingerprint(uint slot, ulong hash) => ((slot ^ Fingerprint(hash)) & ~(uint)_mask) == 0;

    /// <summary>Reads one byte of an id's arena record (its first byte, or its length prefix), to bring it into cache.</summary>
    private byte Touch(int number)
    {
        if (FixedWidth)
        {
            return _chunks[number >> _shift][(number & _chunkMask) * _width];
        }

        var location = _locations![number];
        return _chunks[(int)(location >> 32)][(int)(location & 0xFFFFFFFF)];
    }

    /// <summary>Ids added so far; they are numbered 0 to Count - 1.</summary>
    public int Count { get; private set; }

    private bool FixedWidth => _width > 0;

    /// <summary>Hash of an id's bytes (64-bit, seeded per process).</summary>
    public static ulong Hash(ReadOnlySpan<byte> key)
    {
        var h = Seed ^ ((ulong)key.Length * 0x9E3779B97F4A7C15UL);
        var i = 0;
        while (key.Length - i > 8)
        {
            h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(key[i..]));
            i += 8;
        }

        ulong tail;
        var rest = key.Length - i;
        if (key.Length >= 8)
        {
            tail = BinaryPrimitives.ReadUInt64LittleEndian(key[^8..]); // overlaps bytes already mixed in: still a function of the key
        }
        else if (rest >= 4)
        {
            tail = BinaryPrimitives.ReadUInt32LittleEndian(key[i..]) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(key[^4..]) << 32);
        }
        else
        {
            tail = 0;
            for (var k = i; k < key.Length; k++)
            {
                tail = (tail << 8) | key[k];
            }
        }

        h = Mix(h ^ tail);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return h;
    }

    private static ulong Mix(ulong x)
    {
        x *= 0xBF58476D1CE4E5B9UL;
        x = BitOperations.RotateLeft(x, 31);
        return x * 0x94D049BB133111EBUL;
    }

    /// <summary>
    /// Touches, for each key of a batch (hashed when added to it), its first probe slot and the arena bytes of the id found there,
    /// in tight loops of independent loads: the processor overlaps the cache misses (a random probe into hundreds of
    /// megabytes costs a DRAM access, and a TLB miss), which one-key-at-a-time probing interleaved with parsing cannot.
    /// The later <see cref="Add(ReadOnlySpan{byte}, ulong, out bool)"/> or <see cref="Find(ReadOnlySpan{byte}, ulong)"/>
    /// calls then mostly hit the cache.
    /// </summary>
    public void Prefetch(KeyBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var slots = _slots;
        var mask = _mask;
        var hashes = batch.Hashes;
        var n = batch.Count;

        uint sink = 0;
        for (var i = 0; i < n; i++)
        {
            sink += slots[(int)hashes[i] & mask];
        }

        // Then, the slots now being in cache, the arena bytes of the first id whose fingerprint agrees.
        for (var i = 0; i < n; i++)
        {
            var hash = hashes[i];
            var j = (int)hash & mask;
            uint s;
            while ((s = slots[j]) != 0)
            {
                if (SameFingerprint(s, hash))
                {
                    sink += Touch((int)(s & (uint)mask) - 1);
                    break;
                }

                j = (j + 1) & mask;
            }
        }

        _sink += sink;
    }

    private uint _sink; // keeps the touching loads alive

    /// <summary>The number of an id, or -1 when it is not in the set.</summary>
    public int Find(ReadOnlySpan<byte> key) => Find(key, Hash(key));

    public int Find(ReadOnlySpan<byte> key, ulong hash)
    {
        var slots = _slots;
        var mask = _mask;
        var i = (int)hash & mask;
        var fixedWidth = FixedWidth;
        if (fixedWidth && key.Length != _width)
        {
            return -1; // every id has another length
        }

        while (true)
        {
            var s = slots[i];
            if (s == 0)
            {
                return -1;
            }

            if (SameFingerprint(s, hash))
            {
                var number = (int)(s & (uint)mask) - 1;
                if ((fixedWidth ? FixedAt(number) : VariableAt(number)).SequenceEqual(key))
                {
                    return number;
                }
            }

            i = (i + 1) & mask;
        }
    }

    /// <summary>Adds an id; returns its number, and whether it was new (false: the number of the id already there).</summary>
    public int Add(ReadOnlySpan<byte> key, out bool added) => Add(key, Hash(key), out added);

    public int Add(ReadOnlySpan<byte> key, ulong hash, out bool added)
    {
        if (Count + 1 > (long)(_slots.Length * MaxLoad))
        {
            Grow();
        }

        var slots = _slots;
        var mask = _mask;
        var i = (int)hash & mask;
        var fixedWidth = FixedWidth;
        var sameWidth = key.Length == _width;
        while (true)
        {
            var s = slots[i];
            if (s == 0)
            {
                break;
            }

            // With fixed-width ids, an id of another length cannot be equal: no need to read the arena.
            if (SameFingerprint(s, hash))
            {
                var existing = (int)(s & (uint)mask) - 1;
                if (fixedWidth ? sameWidth && FixedAt(existing).SequenceEqual(key) : VariableAt(existing).SequenceEqual(key))
                {
                    added = false;
                    return existing;
                }
            }

            i = (i + 1) & mask;
        }

        var number = Count;
        Store(key);
        slots[i] = SlotFor(hash, number);
        Count = number + 1;
        added = true;
        return number;
    }

    /// <summary>The bytes of id number <paramref name="number"/>.</summary>
    public ReadOnlySpan<byte> IdAt(int number) => FixedWidth ? FixedAt(number) : VariableAt(number);

    private ReadOnlySpan<byte> FixedAt(int number) =>
        _chunks[number >> _shift].AsSpan((number & _chunkMask) * _width, _width);

    private ReadOnlySpan<byte> VariableAt(int number)
    {
        var location = _locations![number];
        var chunk = _chunks[(int)(location >> 32)];
        var offset = (int)(location & 0xFFFFFFFF);
        return chunk.AsSpan(offset + 4, BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(offset)));
    }

    private void Store(ReadOnlySpan<byte> key)
    {
        if (Count == 0 && key.Length > 0 && _locations is null)
        {
            // The first id fixes the width; a chunk holds a power of two of them.
            _width = key.Length;
            _shift = Math.Max(0, BitOperations.Log2((uint)Math.Max(1, ChunkBytes / key.Length)));
            _chunkMask = (1 << _shift) - 1;
        }
        else if (FixedWidth ? key.Length != _width : _locations is null)
        {
            SwitchToVariableWidth();
        }

        if (FixedWidth)
        {
            var offset = (Count & _chunkMask) * _width;
            if (offset == 0)
            {
                NewChunk(_width << _shift);
            }

            key.CopyTo(_chunks[_chunkCount - 1].AsSpan(offset));
            _lastUsed = offset + _width;
            return;
        }

        var needed = key.Length + 4;
        if (_chunkCount == 0 || _lastUsed + needed > _chunks[_chunkCount - 1].Length)
        {
            NewChunk(Math.Max(ChunkBytes, needed));
        }

        var last = _chunks[_chunkCount - 1];
        BinaryPrimitives.WriteInt32LittleEndian(last.AsSpan(_lastUsed), key.Length);
        key.CopyTo(last.AsSpan(_lastUsed + 4));
        if (Count == _locations!.Length)
        {
            Array.Resize(ref _locations, _locations.Length * 2);
        }

        _locations[Count] = ((long)(_chunkCount - 1) << 32) | (uint)_lastUsed;
        _lastUsed += needed;
    }

    /// <summary>Ids of different lengths: every id gets a location and a length prefix; the fixed-width ones are copied over once.</summary>
    private void SwitchToVariableWidth()
    {
        var fixedChunks = _chunks;
        var width = _width;
        var shift = _shift;
        var chunkMask = _chunkMask;
        var count = Count;
        _chunks = new byte[4][];
        _chunkCount = 0;
        _lastUsed = 0;
        _width = -1;
        _locations = new long[Math.Max(16, Math.Max(count * 2, (int)(_slots.Length * MaxLoad)))];
        Count = 0;
        for (var n = 0; n < count; n++)
        {
            Store(fixedChunks[n >> shift].AsSpan((n & chunkMask) * width, width));
            Count++;
        }
    }

    private void NewChunk(int size)
    {
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        _chunks[_chunkCount++] = GC.AllocateUninitializedArray<byte>(size);
        _lastUsed = 0;
    }

    private void Grow()
    {
        var slots = new uint[_slots.Length * 2];
        SetCapacity(slots.Length);
        var mask = _mask;
        for (var n = 0; n < Count; n++)
        {
            var hash = Hash(IdAt(n));
            var i = (int)hash & mask;
            while (slots[i] != 0)
            {
                i = (i + 1) & mask;
            }

            slots[i] = SlotFor(hash, n);
        }

        _slots = slots;
    }
}

/// <summary>Keys of up to a few hundred rows, copied out of the read buffer, and their hashes.</summary>
internal sealed class KeyBatch(int capacity)
{
    private byte[] _bytes = new byte[capacity * 16];
    private readonly int[] _start = new int[capacity];
    private readonly int[] _length = new int[capacity];
    private int _used;

    public int Capacity { get; } = capacity;

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    public ulong[] Hashes { get; } = new ulong[capacity];

    public ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(_start[index], _length[index]);

    public void Add(ReadOnlySpan<byte> key)
    {
        if (_used + key.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + key.Length));
        }

        key.CopyTo(_bytes.AsSpan(_used));
        Hashes[Count] = Utf8IdTable.Hash(key); // on the parsing thread: the joining one has the slower half
        _start[Count] = _used;
        _length[Count] = key.Length;
        _used += key.Length;
        Count++;
    }

    public void Clear()
    {
        Count = 0;
        _used = 0;
    }
}

/// <summary>Interns ids read as UTF-8 bytes into dense numbers, decoding each distinct id to a string once.</summary>
internal sealed class Utf8Interner(int expectedCount = 64)
{
    private readonly Utf8IdTable _table = new(expectedCount);
    private readonly List<string> _strings = new(expectedCount);

    public int Count => _strings.Count;

    public string this[int number] => _strings[number];

    public int Intern(ReadOnlySpan<byte> key)
    {
        var number = _table.Add(key, out var added);
        if (added)
        {
            _strings.Add(key.IsEmpty ? string.Empty : System.Text.Encoding.UTF8.GetString(key));
        }

        return number;
    }

    public int Find(string id) => _table.Find(System.Text.Encoding.UTF8.GetBytes(id));

    private readonly byte[] _previous = new byte[256];
    private int _previousLength = -1;
    private int _previousNumber;

    /// <summary>
    /// <see cref="Intern"/>, checking the previous call's key first: the big tables come principal by principal, so
    /// most rows repeat the last id and skip the hash. Keys longer than 256 bytes are not remembered.
    /// </summary>
    public int InternRepeated(ReadOnlySpan<byte> key)
    {
        if (key.Length == _previousLength && key.SequenceEqual(_previous.AsSpan(0, _previousLength)))
        {
            return _previousNumber;
        }

        _previousNumber = Intern(key);
        if (key.Length <= _previous.Length)
        {
            key.CopyTo(_previous);
            _previousLength = key.Length;
        }
        else
        {
            _previousLength = -1;
        }

        return _previousNumber;
    }
}
