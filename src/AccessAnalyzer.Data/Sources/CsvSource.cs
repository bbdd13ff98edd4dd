using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Data.Sources.Csv;

namespace AccessAnalyzer.Data.Sources;

/// <summary>
/// A directory of canonical CSV files (<c>&lt;table&gt;.csv</c>). Small tables are read whole; files and caseload
/// are streamed and aggregated on the way in (counts per unit and class; distinct caseload pairs per principal,
/// unit and class), which is what a database source gets from its GROUP BYs.
/// </summary>
public static class CsvSource
{
    public static Snapshot Load(string directory, IProgress<string>? progress = null) =>
        SnapshotBuilder.Build(Read(directory, progress));

    public static SourceTables Read(string directory, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new InputErrorException(directory, null, null, "source directory not found");
        }

        progress?.Report("reading org units, principals, groups, roles, assignments");
        var orgUnits = ReadTable(directory, "org_units", CanonicalTableReader.OrgUnits);
        var principals = ReadTable(directory, "principals", CanonicalTableReader.Principals);
        var groups = ReadTable(directory, "groups", CanonicalTableReader.Groups);
        var memberships = ReadTable(directory, "memberships", CanonicalTableReader.Memberships);
        var roles = ReadTable(directory, "roles", CanonicalTableReader.Roles);
        var assignments = ReadTable(directory, "assignments", CanonicalTableReader.Assignments);
        var policies = ReadOptionalTable(directory, "account_policy", CanonicalTableReader.AccountPolicies);

        progress?.Report("reading files");
        var files = FileIndex.Read(directory);
        progress?.Report("reading caseload");
        var caseload = CaseloadPairs.Read(directory, files);
        progress?.Report("reading shares");
        var shares = ReadShares(directory, files, caseload);
        progress?.Report("aggregating access events");
        var known = principals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var usage = Usage.CsvAccessEvents.Read(
            directory, id => files.TryGet(id, out var f) ? f : -1, known.Contains, caseload.Contains,
            f => (files.UnitIdOf(f), (files.ClassOf(f) & FileClass.Sensitive) != 0));

        return new SourceTables
        {
            SourceName = directory,
            TableDisplayName = t => t + ".csv",
            OrgUnits = orgUnits,
            Principals = principals,
            Groups = groups,
            Memberships = memberships,
            Roles = roles,
            Assignments = assignments,
            FileCounts = files.Counts(),
            CaseloadCounts = caseload.Counts(files),
            Shares = shares,
            AccountPolicies = policies,
            Usage = usage,
        };
    }

    private static List<T> ReadTable<T>(string directory, string table, Func<ITableCursor, List<T>> read)
    {
        using var cursor = CsvTableCursor.Open(directory, table, required: true)!;
        return read(cursor);
    }

    private static List<T>? ReadOptionalTable<T>(string directory, string table, Func<ITableCursor, List<T>> read)
    {
        using var cursor = CsvTableCursor.Open(directory, table, required: false);
        return cursor is null ? null : read(cursor);
    }

    private static List<ShareRow> ReadShares(string directory, FileIndex files, CaseloadPairs caseload)
    {
        using var t = CsvTableCursor.Open(directory, "shares", required: false);
        var rows = new List<ShareRow>();
        if (t is null)
        {
            return rows;
        }

        int file = t.Column("file_id"), principal = t.Column("principal_id"), validUntil = t.Column("valid_until", required: false);
        while (t.Read())
        {
            var fileId = t.Reference(file);
            var principalId = t.Reference(principal);
            var until = t.OptionalDate(validUntil);
            if (files.TryGet(fileId, out var f))
            {
                rows.Add(new ShareRow(fileId, principalId, until, FileFound: true, files.UnitIdOf(f), files.ClassOf(f),
                    caseload.Contains(principalId, f), t.Line));
            }
            else
            {
                rows.Add(new ShareRow(fileId, principalId, until, FileFound: false, string.Empty, FileClass.None, false, t.Line));
            }
        }

        return rows;
    }

    /// <summary>A generous guess of a table's row count from its size, to size collections once.</summary>
    private static int EstimateRows(string directory, string table, int bytesPerRow)
    {
        var length = new FileInfo(Path.Combine(directory, table + ".csv")).Length;
        // Capped: a wide export would otherwise reserve far more than it holds; past the cap, lists simply grow.
        return (int)Math.Clamp(length / bytesPerRow, 16, 1 << 24);
    }

    /// <summary>files.csv held as dense arrays: file id → dense index → (unit, class). Unit ids are interned.</summary>
    private sealed class FileIndex(int expectedRows)
    {
        // Sized up front: growing a million-entry dictionary doubles its memory for a moment at every step.
        private readonly Dictionary<string, int> _index = new(expectedRows, StringComparer.Ordinal);
        private readonly List<int> _unit = new(expectedRows);
        private readonly List<FileClass> _class = new(expectedRows);
        private readonly Dictionary<string, int> _unitIndex = new(StringComparer.Ordinal);
        private readonly List<string> _unitIds = [];

        public static FileIndex Read(string directory)
        {
            using var t = CsvTableCursor.Open(directory, "files", required: true)!;
            var index = new FileIndex(EstimateRows(directory, "files", bytesPerRow: 24));
            int id = t.Column("id"), unit = t.Column("unit_id"), sensitive = t.Column("sensitive"), closed = t.Column("closed");
            while (t.Read())
            {
                var fileId = t.Id(id, personal: true);
                if (!index._index.TryAdd(fileId, index._unit.Count))
                {
                    // The id is a beneficiary identifier: name the line, never the value.
                    throw t.Error(id, $"duplicate id {CanonicalValues.RedactedFileId}");
                }

                var unitId = t.Reference(unit);
                if (!index._unitIndex.TryGetValue(unitId, out var u))
                {
                    u = index._unitIds.Count;
                    index._unitIndex.Add(unitId, u);
                    index._unitIds.Add(unitId);
                }

                index._unit.Add(u);
                index._class.Add(CanonicalValues.ToFileClass(t.Boolean(sensitive), t.Boolean(closed)));
            }

            return index;
        }

        public int Count => _unit.Count;

        public bool TryGet(string fileId, out int file) => _index.TryGetValue(fileId, out file);

        public int UnitOf(int file) => _unit[file];

        public string UnitIdOf(int file) => _unitIds[_unit[file]];

        public string UnitIdAt(int unit) => _unitIds[unit];

        public FileClass ClassOf(int file) => _class[file];

        public List<FileCount> Counts()
        {
            var counts = new long[_unitIds.Count * 4];
            for (var f = 0; f < _unit.Count; f++)
            {
                counts[(_unit[f] * 4) + (int)_class[f]]++;
            }

            var result = new List<FileCount>();
            for (var i = 0; i < counts.Length; i++)
            {
                if (counts[i] > 0)
                {
                    result.Add(new FileCount(_unitIds[i / 4], (FileClass)(i % 4), counts[i]));
                }
            }

            return result;
        }
    }

    /// <summary>
    /// caseload.csv as a sorted, distinct array of (principal, file) pairs packed in longs: a set without a hash
    /// table per pair, cheap to aggregate and to probe. Rows naming a missing file are kept apart (distinct too).
    /// </summary>
    private sealed class CaseloadPairs
    {
        private readonly Dictionary<string, int> _principalIndex = new(StringComparer.Ordinal);
        private readonly List<string> _principalIds = [];
        private long[] _pairs = [];
        private readonly HashSet<(int Principal, string File)> _missingFile = [];

        public static CaseloadPairs Read(string directory, FileIndex files)
        {
            var set = new CaseloadPairs();
            var pairs = new List<long>(EstimateRows(directory, "caseload", bytesPerRow: 18));
            using var t = CsvTableCursor.Open(directory, "caseload", required: true)!;
            int file = t.Column("file_id"), principal = t.Column("principal_id");
            while (t.Read())
            {
                var principalId = t.Reference(principal);
                if (!set._principalIndex.TryGetValue(principalId, out var p))
                {
                    p = set._principalIds.Count;
                    set._principalIndex.Add(principalId, p);
                    set._principalIds.Add(principalId);
                }

                var fileId = t.Reference(file);
                if (files.TryGet(fileId, out var f))
                {
                    pairs.Add(((long)p << 32) | (uint)f);
                }
                else
                {
                    set._missingFile.Add((p, fileId));
                }
            }

            var array = pairs.ToArray();
            Array.Sort(array);
            var distinct = array.Length == 0 ? 0 : 1;
            for (var i = 1; i < array.Length; i++)
            {
                if (array[i] != array[distinct - 1])
                {
                    array[distinct++] = array[i];
                }
            }

            set._pairs = array[..distinct];
            return set;
        }

        public bool Contains(string principalId, int file) =>
            _principalIndex.TryGetValue(principalId, out var p) && Array.BinarySearch(_pairs, ((long)p << 32) | (uint)file) >= 0;

        public List<CaseloadCount> Counts(FileIndex files)
        {
            var counts = new Dictionary<(int Principal, int Unit, FileClass Class), long>();
            foreach (var pair in _pairs)
            {
                var f = (int)(pair & 0xFFFFFFFF);
                var key = ((int)(pair >> 32), files.UnitOf(f), files.ClassOf(f));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            var result = counts
                .Select(kv => new CaseloadCount(_principalIds[kv.Key.Principal], true, files.UnitIdAt(kv.Key.Unit), kv.Key.Class, kv.Value))
                .ToList();
            foreach (var group in _missingFile.GroupBy(m => m.Principal))
            {
                result.Add(new CaseloadCount(_principalIds[group.Key], false, string.Empty, FileClass.None, group.Count()));
            }

            return result;
        }
    }
}
