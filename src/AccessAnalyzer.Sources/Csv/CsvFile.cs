using System.Runtime.InteropServices;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>What stands where a table's CSV file belongs.</summary>
internal enum CsvFileKind
{
    /// <summary>Nothing of that name.</summary>
    Absent,

    /// <summary>A directory or a special file (FIFO, device, socket): nothing a table can be read from, and a FIFO would block the read.</summary>
    NotARegularFile,

    /// <summary>A regular file, or a link to one.</summary>
    File,
}

/// <summary>
/// Tells a regular file from anything else named like a table. .NET reports a FIFO or a device as an ordinary file, so
/// on Linux the kernel is asked (<c>statx</c>, whose layout is the same on every architecture); elsewhere only a
/// directory is told apart.
/// </summary>
internal static partial class CsvFile
{
    public static CsvFileKind Kind(string path)
    {
        if (Directory.Exists(path))
        {
            return CsvFileKind.NotARegularFile;
        }

        if (!File.Exists(path))
        {
            return CsvFileKind.Absent;
        }

        return FileType(path) is { } type && type != RegularFile ? CsvFileKind.NotARegularFile : CsvFileKind.File;
    }

    /// <summary>How an optional table's file stands, before its rows are read: a regular file is reported by the reader.</summary>
    public static TablePresence? Presence(CsvFileKind kind) => kind switch
    {
        CsvFileKind.Absent => TablePresence.Absent,
        CsvFileKind.NotARegularFile => TablePresence.NotARegularFile,
        _ => null,
    };

    private const int RegularFile = 0x8000;

    /// <summary>The S_IFMT bits of the file a path names (links followed); null when the kernel cannot be asked.</summary>
    private static int? FileType(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        const int CurrentDirectory = -100; // AT_FDCWD: a relative path is resolved as File.Exists resolves it
        const uint TypeField = 0x1; // STATX_TYPE
        var buffer = new byte[256]; // sizeof(struct statx)
        try
        {
            if (Statx(CurrentDirectory, path, 0, TypeField, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a C library without statx (glibc before 2.28): fall back to what .NET tells
        }

        return BitConverter.ToUInt16(buffer, 28) & 0xF000; // stx_mode
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);
}
