using System.Buffers.Binary;

namespace AccessAnalyzer.Demo.SqliteFile;

/// <summary>
/// The database file past the pages SQLite wrote for the schema: new pages are appended in order, the b-tree roots
/// (which SQLite allocated with the schema) are written in place at the end. Appends are gathered into 4 MiB blocks
/// that a thread of their own writes: copying several gigabytes into the page cache is kernel time that would
/// otherwise stop the row encoding and the index sorts on this thread.
/// </summary>
internal sealed class PageFile : IDisposable
{
    private const int BlockBytes = 4 << 20;
    private const int BlocksInFlight = 4;

    private readonly FileStream _stream;
    private readonly byte[] _overflow;
    private readonly Dictionary<uint, byte[]> _roots = [];
    private readonly WorkerThread<Block> _writer;
    private Block _block = new();
    private readonly uint _lockBytePage;

    /// <param name="path">The database, holding the schema's pages only.</param>
    /// <param name="pageSize">Its page size.</param>
    /// <param name="usable">Bytes of a page b-trees use (the page size less the reserved bytes).</param>
    /// <param name="pageCount">Pages SQLite wrote.</param>
    /// <param name="lockBytePage">The page holding the file's byte at 1 GiB, where SQLite places its file locks:
    /// never part of a b-tree (tests move it to reach it without a gigabyte).</param>
    public PageFile(string path, int pageSize, int usable, uint pageCount, uint? lockBytePage = null)
    {
        PageSize = pageSize;
        _lockBytePage = lockBytePage ?? (uint)(0x4000_0000L / pageSize) + 1;
        Usable = usable;
        PageCount = pageCount;
        _overflow = new byte[pageSize];
        // Shared: the writer's claim on its partial file stays open beside this stream (SqliteCanonicalWriter).
        _stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        var length = _stream.Length;
        if (length != (long)pageCount * pageSize)
        {
            _stream.Dispose();
            throw new InvalidOperationException($"The schema database holds {length} bytes, not {pageCount} pages of {pageSize}.");
        }

        _stream.Position = _stream.Length;
        _writer = new WorkerThread<Block>(BlocksInFlight, block => _stream.Write(block.Bytes, 0, block.Used));
    }

    public int PageSize { get; }

    public int Usable { get; }

    public uint PageCount { get; private set; }

    /// <summary>Writes a page after the last one and returns its number.</summary>
    public uint Append(ReadOnlySpan<byte> page)
    {
        if (PageCount + 1 == _lockBytePage)
        {
            Write(new byte[PageSize]); // the lock-byte page: in the file, in no b-tree
        }

        Write(page);
        return PageCount;
    }

    /// <summary>The page number the next <see cref="Append"/> returns after <paramref name="page"/>'s.</summary>
    private uint After(uint page) => page + 1 == _lockBytePage ? page + 2 : page + 1;

    private void Write(ReadOnlySpan<byte> page)
    {
        if (_block.Used + PageSize > BlockBytes)
        {
            Submit();
        }

        page[..PageSize].CopyTo(_block.Bytes.AsSpan(_block.Used));
        _block.Used += PageSize;
        PageCount++;
    }

    /// <summary>A page the schema allocated (a b-tree root): written in place once every append is on disk.</summary>
    public void WriteAt(uint page, ReadOnlySpan<byte> bytes) => _roots[page] = bytes[..PageSize].ToArray();

    private void Submit()
    {
        if (_block.Used > 0)
        {
            _writer.Add(_block);
            _block = _writer.Reuse() ?? new Block();
            _block.Used = 0;
        }
    }

    /// <summary>Pages gathered for one write.</summary>
    private sealed class Block
    {
        public readonly byte[] Bytes = new byte[BlockBytes];
        public int Used;
    }

    /// <summary>
    /// The cell form of a payload: its local bytes, then (when it does not fit) the first overflow page, whose chain
    /// is written now. <paramref name="prefix"/> (payload size, and the rowid of a table cell) comes first.
    /// </summary>
    public int PayloadCell(Span<byte> cell, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload, bool tableLeaf)
    {
        prefix.CopyTo(cell);
        var local = SqliteFormat.LocalPayload(payload.Length, Usable, tableLeaf);
        payload[..local].CopyTo(cell[prefix.Length..]);
        var length = prefix.Length + local;
        if (local == payload.Length)
        {
            return length;
        }

        // Overflow pages are numbered in the order written: each points at the next one, appended right after it.
        var rest = payload[local..];
        var next = After(PageCount);
        BinaryPrimitives.WriteUInt32BigEndian(cell[length..], next);
        var perPage = Usable - 4;
        while (!rest.IsEmpty)
        {
            var take = Math.Min(perPage, rest.Length);
            Array.Clear(_overflow);
            next = After(next);
            BinaryPrimitives.WriteUInt32BigEndian(_overflow, rest.Length > take ? next : 0);
            rest[..take].CopyTo(_overflow.AsSpan(4));
            Append(_overflow);
            rest = rest[take..];
        }

        return length + 4;
    }

    /// <summary>Waits for the appended pages, writes the roots, then the page count in the header (and the change counter it is valid for).</summary>
    public void Close()
    {
        Submit();
        _writer.Finish();

        foreach (var (page, bytes) in _roots)
        {
            RandomAccess.Write(_stream.SafeFileHandle, bytes, (long)(page - 1) * PageSize);
        }

        var header = new byte[100];
        RandomAccess.Read(_stream.SafeFileHandle, header, 0);
        var counter = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24)) + 1;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), counter);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(28), PageCount);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(92), counter);
        RandomAccess.Write(_stream.SafeFileHandle, header, 0);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }
}

/// <summary>
/// A table b-tree (a B+tree keyed by rowid) written as rows arrive: a full leaf is appended at once, and each level of
/// interior pages above keeps one page open. The top page lands on the root the schema allocated.
/// </summary>
internal sealed class TableTree
{
    private readonly PageFile _file;
    private readonly uint _root;
    private readonly TreePage _leaf;
    private readonly byte[] _cell;
    private readonly byte[] _prefix = new byte[18];
    private TableLevel? _parent;
    private long _lastRowid;

    public TableTree(PageFile file, uint root)
    {
        _file = file;
        _root = root;
        _leaf = new TreePage(file.PageSize, file.Usable, SqliteFormat.LeafTable);
        _cell = new byte[file.Usable];
    }

    public long Rows => _lastRowid;

    /// <summary>Appends the next row, with rowid one more than the last.</summary>
    public void Add(ReadOnlySpan<byte> record)
    {
        var rowid = ++_lastRowid;
        var p = SqliteFormat.WriteVarint(_prefix, (ulong)record.Length);
        p += SqliteFormat.WriteVarint(_prefix.AsSpan(p), (ulong)rowid);
        var length = _file.PayloadCell(_cell, _prefix.AsSpan(0, p), record, tableLeaf: true);
        if (!_leaf.Fits(length))
        {
            var page = _file.Append(_leaf.Finish());
            (_parent ??= new TableLevel(_file, _root)).Child(page, rowid - 1);
            _leaf.Reset();
        }

        _leaf.Add(null, _cell.AsSpan(0, length));
    }

    public void Complete()
    {
        if (_parent is null)
        {
            _file.WriteAt(_root, _leaf.Finish());
            return;
        }

        _parent.Child(_file.Append(_leaf.Finish()), _lastRowid);
        _parent.Complete();
    }

    /// <summary>
    /// One level of interior pages: a cell per child (its page and largest rowid) but the last, which is the
    /// right-most pointer. A finished page waits until the next one holds a cell, so that no page ends up empty.
    /// </summary>
    private sealed class TableLevel(PageFile file, uint root)
    {
        private TreePage _current = new(file.PageSize, file.Usable, SqliteFormat.InteriorTable);
        private readonly byte[] _key = new byte[9];
        private TreePage? _pending;
        private long _pendingKey;
        private TableLevel? _parent;
        private uint _lastChild;
        private long _lastKey;
        private bool _hasLast;

        public void Child(uint page, long maxRowid)
        {
            if (_hasLast)
            {
                Place(_lastChild, _lastKey);
            }

            (_lastChild, _lastKey, _hasLast) = (page, maxRowid, true);
        }

        private void Place(uint child, long key)
        {
            var length = SqliteFormat.WriteVarint(_key, (ulong)key);
            if (_current.Count == 0 && _pending is not null)
            {
                Flush();
            }

            if (_current.Fits(4 + length))
            {
                _current.Add(child, _key.AsSpan(0, length));
                return;
            }

            // Full: this child becomes its right-most pointer, and the page waits for the next one to hold a cell.
            _pending = _current;
            _pending.Right = child;
            _pendingKey = key;
            _current = new TreePage(file.PageSize, file.Usable, SqliteFormat.InteriorTable);
        }

        private void Flush()
        {
            var page = file.Append(_pending!.Finish());
            (_parent ??= new TableLevel(file, root)).Child(page, _pendingKey);
            _pending = null;
        }

        public void Complete()
        {
            if (_pending is not null)
            {
                // The last page would hold only the right-most pointer: it takes the pending page's last child.
                var (child, rest) = _pending.RemoveLast();
                var key = (long)ReadVarint(rest);
                _current.Add(_pending.Right, Varint(_pendingKey));
                _pending.Right = child;
                _pendingKey = key;
                Flush();
            }

            _current.Right = _lastChild;
            if (_parent is null)
            {
                file.WriteAt(root, _current.Finish());
                return;
            }

            _parent.Child(file.Append(_current.Finish()), _lastKey);
            _parent.Complete();
        }

        private static byte[] Varint(long value)
        {
            var bytes = new byte[9];
            return bytes[..SqliteFormat.WriteVarint(bytes, (ulong)value)];
        }

        private static ulong ReadVarint(ReadOnlySpan<byte> bytes)
        {
            ulong value = 0;
            for (var i = 0; i < 8; i++)
            {
                value = (value << 7) | (uint)(bytes[i] & 0x7F);
                if ((bytes[i] & 0x80) == 0)
                {
                    return value;
                }
            }

            return (value << 8) | bytes[8];
        }
    }
}

/// <summary>
/// An index b-tree (a B-tree: every entry stored once, interior entries included) built bottom-up from entries given
/// in index order: when a leaf is full the next entry goes up as the separator between it and the next leaf, and so
/// on up the levels. A finished page waits until the next one at its level holds a cell, so that the last page never
/// ends empty (it takes the waiting page's last entry). The top page lands on the root the schema allocated.
/// </summary>
internal sealed class IndexTree(PageFile file, uint root)
{
    private readonly IndexLevel _leaves = new(file, root, leaf: true);
    private readonly byte[] _cell = new byte[file.Usable];
    private readonly byte[] _prefix = new byte[9];

    /// <summary>Adds the next entry (an index record: the key columns, then the rowid).</summary>
    public void Add(ReadOnlySpan<byte> record)
    {
        var p = SqliteFormat.WriteVarint(_prefix, (ulong)record.Length);
        var length = file.PayloadCell(_cell, _prefix.AsSpan(0, p), record, tableLeaf: false);
        _leaves.Entry(_cell.AsSpan(0, length));
    }

    public void Complete() => _leaves.Complete();

    private sealed class IndexLevel(PageFile file, uint root, bool leaf)
    {
        private TreePage _current = new(file.PageSize, file.Usable, leaf ? SqliteFormat.LeafIndex : SqliteFormat.InteriorIndex);
        private TreePage? _pending;
        private TreePage? _spare;
        private byte[]? _up;          // the entry between the pending page and the current one
        private IndexLevel? _parent;
        private uint _lastChild;

        public void Child(uint page) => _lastChild = page;

        /// <summary>An entry (a leaf level), or the separator after the last child (an interior level).</summary>
        public void Entry(ReadOnlySpan<byte> entry)
        {
            uint? child = leaf ? null : _lastChild;
            if (_current.Count == 0 && _pending is not null)
            {
                Flush();
            }

            if (_current.Fits((leaf ? 0 : 4) + entry.Length))
            {
                _current.Add(child, entry);
                return;
            }

            _pending = _current;
            _pending.Right = _lastChild;
            _up = entry.ToArray();
            _current = _spare ?? new TreePage(file.PageSize, file.Usable, _pending.Type);
            _current.Reset();
            _spare = null;
        }

        private void Flush()
        {
            var page = file.Append(_pending!.Finish());
            _parent ??= new IndexLevel(file, root, leaf: false);
            _parent.Child(page);
            _parent.Entry(_up);
            _spare = _pending; // written: its buffer serves the next page
            _pending = null;
            _up = null;
        }

        public void Complete()
        {
            if (_pending is not null)
            {
                // pending [.., x] | up | current [] → pending [..] | x | current [up]
                var (child, x) = _pending.RemoveLast();
                _current.Add(leaf ? null : _pending.Right, _up);
                _pending.Right = child;
                _up = x;
                Flush();
            }

            _current.Right = _lastChild;
            if (_parent is null)
            {
                file.WriteAt(root, _current.Finish());
                return;
            }

            _parent.Child(file.Append(_current.Finish()));
            _parent.Complete();
        }
    }
}
