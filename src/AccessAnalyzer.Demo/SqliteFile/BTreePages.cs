using System.Buffers.Binary;

namespace AccessAnalyzer.Demo.SqliteFile;

/// <summary>
/// The pieces of SQLite's database file format (sqlite.org/fileformat2.html) that a writer of fresh b-trees needs:
/// varints, records, the payload split between a cell and its overflow pages, and one page being filled.
/// </summary>
internal static class SqliteFormat
{
    public const byte InteriorIndex = 2;
    public const byte InteriorTable = 5;
    public const byte LeafIndex = 10;
    public const byte LeafTable = 13;

    public static int VarintLength(ulong value)
    {
        if ((value & 0xFF00_0000_0000_0000UL) != 0)
        {
            return 9;
        }

        var n = 1;
        while ((value >>= 7) != 0)
        {
            n++;
        }

        return n;
    }

    /// <summary>Big-endian, seven bits a byte with the high bit set on all but the last; a ninth byte holds eight.</summary>
    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        if ((value & 0xFF00_0000_0000_0000UL) != 0)
        {
            destination[8] = (byte)value;
            value >>= 8;
            for (var i = 7; i >= 0; i--)
            {
                destination[i] = (byte)((value & 0x7F) | 0x80);
                value >>= 7;
            }

            return 9;
        }

        var length = VarintLength(value);
        for (var i = length - 1; i >= 0; i--)
        {
            destination[i] = (byte)((value & 0x7F) | (i == length - 1 ? 0UL : 0x80UL));
            value >>= 7;
        }

        return length;
    }

    /// <summary>Serial type of an integer: the narrowest of 0, 1, 8, 16, 24, 32, 48 and 64 bits (file format 4).</summary>
    public static (int SerialType, int Size) IntegerSerial(long value) => value switch
    {
        0 => (8, 0),
        1 => (9, 0),
        >= sbyte.MinValue and <= sbyte.MaxValue => (1, 1),
        >= short.MinValue and <= short.MaxValue => (2, 2),
        >= -8_388_608 and <= 8_388_607 => (3, 3),
        >= int.MinValue and <= int.MaxValue => (4, 4),
        >= -140_737_488_355_328 and <= 140_737_488_355_327 => (5, 6),
        _ => (6, 8),
    };

    public static void WriteInteger(Span<byte> destination, long value, int size)
    {
        for (var i = size - 1; i >= 0; i--)
        {
            destination[i] = (byte)value;
            value >>= 8;
        }
    }

    /// <summary>Bytes of a payload kept in the cell itself; the rest goes to overflow pages.</summary>
    public static int LocalPayload(long payload, int usable, bool tableLeaf)
    {
        var max = tableLeaf ? usable - 35 : ((usable - 12) * 64 / 255) - 23;
        if (payload <= max)
        {
            return (int)payload;
        }

        var min = ((usable - 12) * 32 / 255) - 23;
        var k = min + (int)((payload - min) % (usable - 4));
        return k <= max ? k : min;
    }
}

/// <summary>One b-tree page being filled: cell pointers after the header, cells packed down from the end, no free blocks.</summary>
internal sealed class TreePage
{
    private readonly byte[] _bytes;
    private readonly int _usable;
    private readonly int _header;
    private readonly int[] _sizes;
    private int _contentStart;

    public TreePage(int pageSize, int usable, byte type)
    {
        _bytes = new byte[pageSize];
        _usable = usable;
        Type = type;
        _header = type is SqliteFormat.InteriorIndex or SqliteFormat.InteriorTable ? 12 : 8;
        _sizes = new int[(usable / 4) + 1];
        _contentStart = usable;
    }

    public byte Type { get; }

    public int Count { get; private set; }

    /// <summary>Right-most child of an interior page.</summary>
    public uint Right { get; set; }

    /// <summary>SQLite counts a cell smaller than four bytes as four (a freed cell must hold a free-block header).</summary>
    private static int Footprint(int cellLength) => Math.Max(4, cellLength);

    public bool Fits(int cellLength) => _header + (2 * (Count + 1)) <= _contentStart - Footprint(cellLength);

    /// <summary>Appends a cell after the others (cells come in key order); <paramref name="child"/> prefixes an interior cell.</summary>
    public void Add(uint? child, ReadOnlySpan<byte> rest)
    {
        var length = (child is null ? 0 : 4) + rest.Length;
        var size = Footprint(length);
        _contentStart -= size;
        var cell = _bytes.AsSpan(_contentStart, size);
        cell.Clear();
        if (child is { } c)
        {
            BinaryPrimitives.WriteUInt32BigEndian(cell, c);
            rest.CopyTo(cell[4..]);
        }
        else
        {
            rest.CopyTo(cell);
        }

        BinaryPrimitives.WriteUInt16BigEndian(_bytes.AsSpan(_header + (2 * Count)), (ushort)_contentStart);
        _sizes[Count++] = size;
    }

    /// <summary>Takes the last cell off: its left child (interior pages) and the rest of its bytes.</summary>
    public (uint Child, byte[] Cell) RemoveLast()
    {
        var size = _sizes[--Count];
        var cell = _bytes.AsSpan(_contentStart, size);
        _contentStart += size;
        return _header == 12
            ? (BinaryPrimitives.ReadUInt32BigEndian(cell), cell[4..].ToArray())
            : (0, cell.ToArray());
    }

    /// <summary>The page as stored: header written, the gap between pointers and cells zeroed.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        var b = _bytes.AsSpan();
        b[0] = Type;
        BinaryPrimitives.WriteUInt16BigEndian(b[1..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(b[3..], (ushort)Count);
        BinaryPrimitives.WriteUInt16BigEndian(b[5..], (ushort)(_contentStart == 65536 ? 0 : _contentStart));
        b[7] = 0;
        if (_header == 12)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b[8..], Right);
        }

        b[(_header + (2 * Count)).._contentStart].Clear();
        b[_usable..].Clear();
        return b;
    }

    public void Reset()
    {
        Count = 0;
        Right = 0;
        _contentStart = _usable;
    }
}
