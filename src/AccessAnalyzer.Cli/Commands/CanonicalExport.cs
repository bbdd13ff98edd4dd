using AccessAnalyzer.Demo;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Sources.Export;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>db export</c>: every canonical table a source has, as the canonical CSV files the demo writes (one writer,
/// <see cref="CsvCanonicalWriter"/>), rows in the order of <see cref="SortedRows"/>. Optional tables the source lacks
/// get no file; a required one missing is bad input, as when the source is read.
/// </summary>
internal static class CanonicalExport
{
    /// <summary>Writes the tables into <paramref name="directory"/> (new or empty); returns the rows written per table.</summary>
    public static IReadOnlyDictionary<string, long> Write(ICanonicalTableRows source, string directory, IProgress<string>? progress)
    {
        var present = new List<(CanonicalTableDefinition Table, IEnumerable<string?[]> Rows)>();
        foreach (var table in CanonicalSchema.Tables)
        {
            if (source.Rows(table) is { } rows)
            {
                present.Add((table, rows));
            }
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var writer = new CsvCanonicalWriter(directory, [.. present.Select(p => p.Table.Name)]))
        {
            foreach (var (table, rows) in present)
            {
                progress?.Report($"reading and sorting {table.Name}");
                // The writer's column order is the file's header; the source gives the schema's.
                var header = CsvCanonicalWriter.ColumnsOf(table.Name);
                var order = header.Select(name => table.Columns.Select(c => c.Name).ToList().IndexOf(name)).ToArray();
                if (order.Contains(-1))
                {
                    throw new InvalidOperationException($"the CSV header of {table.Name} and the canonical schema disagree");
                }

                using var sorted = new SortedRows();
                foreach (var row in rows)
                {
                    sorted.Add(order.Select(i => row[i]).ToArray());
                }

                progress?.Report($"writing {table.Name}");
                long count = 0;
                foreach (var row in sorted.Sorted())
                {
                    writer.WriteText(table.Name, row);
                    count++;
                }

                counts[table.Name] = count;
            }

            writer.Complete();
        }

        foreach (var table in counts.Keys)
        {
            using var file = new FileStream(Path.Combine(directory, table + ".csv"), FileMode.Open, FileAccess.ReadWrite);
            file.Flush(flushToDisk: true);
        }

        return counts;
    }
}

/// <summary>
/// Where <c>db export</c> writes: a directory that appears whole or not at all. The files are written into a temporary
/// directory beside it, then renamed into place. A directory that exists must be empty, or, with <c>--replace</c>, hold
/// nothing but an earlier export (canonical <c>&lt;table&gt;.csv</c> files), which is renamed aside, replaced, then deleted.
/// </summary>
internal sealed class ExportDirectory
{
    private readonly bool _exists;
    private readonly bool _empty;

    private ExportDirectory(string path, bool exists, bool empty)
    {
        Path = path;
        _exists = exists;
        _empty = empty;
    }

    /// <summary>The directory written (a symbolic link's final target).</summary>
    public string Path { get; }

    /// <summary>Checks the destination before anything is read or written.</summary>
    public static ExportDirectory Check(string path, bool replace)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (new DirectoryInfo(full).LinkTarget is not null)
        {
            full = Directory.ResolveLinkTarget(full, returnFinalTarget: true) is { } target ? System.IO.Path.GetFullPath(target.FullName) : full;
        }

        full = System.IO.Path.TrimEndingDirectorySeparator(full);
        var parent = System.IO.Path.GetDirectoryName(full);
        if (parent is null)
        {
            throw new UsageException($"--to: '{path}' is a root directory; export into a directory of its own");
        }

        if (!Directory.Exists(parent))
        {
            throw new UsageException($"--to: directory '{parent}' does not exist");
        }

        if (!FileTypes.CanCreateIn(parent))
        {
            throw new UsageException($"--to: directory '{parent}' is not writable (the export is written beside '{path}', then renamed into place)");
        }

        var type = FileTypes.Of(full);
        if (type == PathType.Absent)
        {
            return new ExportDirectory(full, exists: false, empty: true);
        }

        if (type != PathType.Directory)
        {
            throw new UsageException($"--to: '{path}' exists and is {FileTypes.Describe(type)}, not a directory");
        }

        var entries = Directory.EnumerateFileSystemEntries(full).ToList();
        if (entries.Count == 0)
        {
            return new ExportDirectory(full, exists: true, empty: true);
        }

        if (!replace)
        {
            throw new UsageException($"--to: '{path}' is not empty: export into a new or empty directory, or pass --replace to replace an earlier export");
        }

        var canonical = CanonicalSchema.TableNames.Select(t => t + ".csv").ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var name = System.IO.Path.GetFileName(entry);
            if (!canonical.Contains(name) || FileTypes.Of(entry) != PathType.RegularFile)
            {
                throw new UsageException($"--to: '{path}' holds '{name}', which is no canonical CSV file: --replace replaces only an earlier export, never other files");
            }
        }

        return new ExportDirectory(full, exists: true, empty: false);
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a new temporary directory beside <see cref="Path"/>, then puts that directory in
    /// its place; on failure the temporary directory is deleted and <see cref="Path"/> is as it was.
    /// </summary>
    public T Write<T>(Func<string, T> write)
    {
        var parent = System.IO.Path.GetDirectoryName(Path)!;
        var name = System.IO.Path.GetFileName(Path);
        var staging = System.IO.Path.Combine(parent, $".{name}.{Environment.ProcessId}.tmp");
        var old = System.IO.Path.Combine(parent, $".{name}.{Environment.ProcessId}.old");
        TemporaryFiles.Add(staging);
        try
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true); // left by a killed run with this process id
            }

            Directory.CreateDirectory(staging);
            if (_exists && !OperatingSystem.IsWindows())
            {
                // The export replaces the content, not the access rules someone set on the directory.
                File.SetUnixFileMode(staging, File.GetUnixFileMode(Path));
            }

            var result = write(staging);
            if (!_exists)
            {
                Directory.Move(staging, Path);
            }
            else if (_empty)
            {
                Directory.Delete(Path);
                Directory.Move(staging, Path);
            }
            else
            {
                Directory.Move(Path, old);
                try
                {
                    Directory.Move(staging, Path);
                }
                catch
                {
                    Directory.Move(old, Path);
                    throw;
                }

                Directory.Delete(old, recursive: true);
            }

            return result;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            TemporaryFiles.Forget(staging);
        }
    }
}
