using System.Runtime.InteropServices;

namespace AccessAnalyzer.Sources;

/// <summary>What a path names, once symbolic links are followed.</summary>
public enum PathType
{
    Absent,
    RegularFile,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,

    /// <summary>Something that exists but that the kernel could not be asked about (not Linux, no statx).</summary>
    Unknown,
}

/// <summary>
/// Tells a regular file from anything else. .NET reports a FIFO, a device or a socket as an ordinary file, and opening a
/// FIFO blocks until a writer comes, so on Linux the kernel is asked (<c>statx</c>, whose layout is the same on every
/// architecture); elsewhere only a directory is told apart.
/// </summary>
public static partial class FileTypes
{
    /// <summary>The type of what a path names, links followed (a dangling link is absent).</summary>
    public static PathType Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return PathType.Directory;
        }

        if (!File.Exists(path))
        {
            return PathType.Absent;
        }

        return Mode(path) switch
        {
            null => PathType.Unknown,
            0x8000 => PathType.RegularFile,
            0x4000 => PathType.Directory,
            0x1000 => PathType.Fifo,
            0x2000 => PathType.CharacterDevice,
            0x6000 => PathType.BlockDevice,
            0xC000 => PathType.Socket,
            _ => PathType.Unknown,
        };
    }

    /// <summary>A regular file, or a link to one (or, where the kernel cannot be asked, anything .NET calls a file).</summary>
    public static bool IsReadableAsFile(PathType type) => type is PathType.RegularFile or PathType.Unknown;

    /// <summary>"a directory", "a FIFO (named pipe)"…: what a message says a path is.</summary>
    public static string Describe(PathType type) => type switch
    {
        PathType.Absent => "missing",
        PathType.RegularFile => "a regular file",
        PathType.Directory => "a directory",
        PathType.Fifo => "a FIFO (named pipe)",
        PathType.CharacterDevice => "a character device",
        PathType.BlockDevice => "a block device",
        PathType.Socket => "a socket",
        _ => "a special file",
    };

    /// <summary>
    /// Whether this process may create files in a directory (<c>access(W_OK|X_OK)</c>); true where the kernel cannot be
    /// asked, the write itself then tells.
    /// </summary>
    public static bool CanCreateIn(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return true;
        }

        try
        {
            const int WriteAndSearch = 2 | 1; // W_OK | X_OK
            return Access(directory, WriteAndSearch) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return true;
        }
    }

    /// <summary>The S_IFMT bits of the file a path names (links followed); null when the kernel cannot be asked.</summary>
    private static int? Mode(string path)
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

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
