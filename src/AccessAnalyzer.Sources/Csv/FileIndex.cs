using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>
/// files.csv as dense arrays: file id (UTF-8, in a <see cref="Utf8IdTable"/>) → dense index → unit and class packed
/// in one int. Unit ids are interned. At 37 million files: the ids' bytes, a 256 MiB probe table and 4 bytes a file.
/// </summary>
internal sealed class FileIndex
{
    private readonly Utf8Interner _units = new();
    private Utf8IdTable? _ids;
    private int[] _unitClass;    // unit << 2 | class
    private int _count;

    private FileIndex(int expectedRows)
    {
        _ids = new Utf8IdTable(expectedRows);
        _unitClass = GC.AllocateUninitializedArray<int>(expectedRows);
    }

    public int Count => _count;

    public int UnitCount => _units.Count;

    /// <summary>
    /// Reads files.csv: the calling thread parses (and checks each row's cells), a worker adds the ids to the table.
    /// Errors are those of a row-by-row read, in its order: a row's id is checked (empty, too long, duplicate) before
    /// its other cells, and an error on an earlier line wins.
    /// </summary>
    public static FileIndex Read(string directory, int batchRows)
    {
        using var t = CsvTableCursor.Open(directory, "files", required: true)!;
        return Read(t, CsvTableSize.EstimateRows(directory, "files"), batchRows);
    }

    /// <summary>The same from any cursor over the files table (a CSV file, or rows streamed from a database).</summary>
    public static FileIndex Read(ITableCursor t, int expectedRows, int batchRows)
    {
        var index = new FileIndex(Math.Max(16, expectedRows));
        var ids = index._ids!;
        int id = t.Column("id"), unit = t.Column("unit_id"), sensitive = t.Column("sensitive"), closed = t.Column("closed");
        var idColumn = t.Describe(id);
        var displayName = t.DisplayName;

        void Join(RowBatch batch)
        {
            ids.Prefetch(batch.Keys);
            var hashes = batch.Keys.Hashes;
            for (var i = 0; i < batch.Count; i++)
            {
                var f = ids.Add(batch.Keys[i], hashes[i], out var added);
                if (!added)
                {
                    // The id is a beneficiary identifier: name the line, never the value.
                    throw new InputErrorException(displayName, batch.Lines[i], idColumn, $"duplicate id {CanonicalValues.RedactedFileId}");
                }

                if (f == index._unitClass.Length)
                {
                    Array.Resize(ref index._unitClass, Math.Max(16, f * 2));
                }

                index._unitClass[f] = batch.Payload[i];
            }

            index._count = ids.Count;
        }

        RowBatchPipeline.Run(batchRows, Join, pipeline =>
        {
            var lastUnit = new byte[256];
            var lastUnitLength = -1;
            var lastUnitNumber = 0;
            while (t.Read())
            {
                var fileId = t.Bytes(id);
                if (fileId.IsEmpty || (fileId.Length > CanonicalValues.MaxIdLength && CsvTableSize.CodePoints(fileId) > CanonicalValues.MaxIdLength))
                {
                    t.Id(id, personal: true); // throws the generic message: empty, or too long (value withheld)
                }

                var batch = pipeline.Current;
                var k = batch.Count;
                batch.Keys.Add(fileId);
                batch.Lines[k] = t.Line;

                // Files usually come unit by unit: the previous row's unit is checked before the interner.
                var unitId = t.Bytes(unit);
                if (unitId.Length != lastUnitLength || !unitId.SequenceEqual(lastUnit.AsSpan(0, lastUnitLength)))
                {
                    lastUnitNumber = index._units.Intern(unitId);
                    if (unitId.Length <= lastUnit.Length)
                    {
                        unitId.CopyTo(lastUnit);
                        lastUnitLength = unitId.Length;
                    }
                    else
                    {
                        lastUnitLength = -1;
                    }
                }

                batch.Payload[k] = (lastUnitNumber << 2) | (int)CanonicalValues.ToFileClass(t.FastBoolean(sensitive), t.FastBoolean(closed));
                if (batch.IsFull)
                {
                    pipeline.Submit();
                }
            }
        });

        return index;
    }

    /// <summary>The dense index of a file id, or -1.</summary>
    public int Find(ReadOnlySpan<byte> fileId) => Ids.Find(fileId);

    public int Find(ReadOnlySpan<byte> fileId, ulong hash) => Ids.Find(fileId, hash);

    public void Prefetch(KeyBatch batch) => Ids.Prefetch(batch);

    private Utf8IdTable Ids => _ids ?? throw new InvalidOperationException("File ids were already released: every lookup must come before.");

    /// <summary>Frees the id table once every lookup is done (caseload and shares read): the largest structure.</summary>
    public void ReleaseIds() => _ids = null;

    public string UnitIdOf(int file) => _units[_unitClass[file] >> 2];

    public string UnitIdAt(int unit) => _units[unit];

    /// <summary>Unit ids by their interned number, the number packed in <see cref="UnitClasses"/>.</summary>
    public string[] UnitIds() => [.. Enumerable.Range(0, _units.Count).Select(u => _units[u])];

    public FileClass ClassOf(int file) => (FileClass)(_unitClass[file] & 3);

    /// <summary>unit &lt;&lt; 2 | class of every file, by dense index.</summary>
    public int[] UnitClasses => _unitClass;

    public List<FileCount> Counts()
    {
        var counts = new long[_units.Count * FileClasses.Count];
        var unitClass = _unitClass;
        for (var f = 0; f < _count; f++)
        {
            counts[unitClass[f]]++;
        }

        var result = new List<FileCount>();
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                result.Add(new FileCount(_units[i / FileClasses.Count], (FileClass)(i % FileClasses.Count), counts[i]));
            }
        }

        return result;
    }
}

/// <summary>Helpers of the big-table readers.</summary>
internal static class CsvTableSize
{
    /// <summary>
    /// A close guess of a table's row count (from the line length of its first mebibyte), to size arrays once:
    /// growing a 37-million-entry array doubles its memory for a moment.
    /// </summary>
    public static int EstimateRows(string directory, string table)
    {
        var path = Path.Combine(directory, table + ".csv");
        // The size of what is read: an export directory made of symbolic links reports the link's own few bytes.
        using var opened = File.OpenHandle(path);
        var length = RandomAccess.GetLength(opened);
        var sample = new byte[(int)Math.Min(length, 1 << 20)];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadAtLeast(sample, sample.Length, throwOnEndOfStream: false);
        }

        var lines = Math.Max(1, sample.AsSpan().Count((byte)'\n'));
        var estimate = sample.Length == 0 ? 0 : (double)length / sample.Length * lines * 1.05;
        return (int)Math.Clamp(estimate + 16, 16, Array.MaxLength / 4);
    }

    /// <summary>Unicode code points of valid UTF-8 (bytes that do not continue a sequence).</summary>
    public static int CodePoints(ReadOnlySpan<byte> utf8)
    {
        var count = 0;
        foreach (var b in utf8)
        {
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>True, false, or (anything else) the generic parser with its exact rules and message.</summary>
    public static bool FastBoolean(this ITableCursor t, int column)
    {
        var b = t.Bytes(column);
        switch (b.Length)
        {
            case 1 when b[0] == (byte)'1':
                return true;
            case 1 when b[0] == (byte)'0':
                return false;
            case 4 when (b[0] | 0x20) == 't' && (b[1] | 0x20) == 'r' && (b[2] | 0x20) == 'u' && (b[3] | 0x20) == 'e':
                return true;
            case 5 when (b[0] | 0x20) == 'f' && (b[1] | 0x20) == 'a' && (b[2] | 0x20) == 'l' && (b[3] | 0x20) == 's' && (b[4] | 0x20) == 'e':
                return false;
            default:
                return t.Boolean(column);
        }
    }
}
