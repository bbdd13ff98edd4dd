using System.Globalization;
using System.Runtime.InteropServices;

namespace AccessAnalyzer.Sources.Monitor;

/// <summary>
/// Which file an open stream is: its device and inode, asked of the kernel (<c>statx</c> on the open descriptor, so
/// the file checked is the file read, whatever its name points to since). .NET has no API for the inode; statx's
/// structure is the same on every Linux architecture, where stat's is not. Elsewhere (macOS, Windows) or with a C
/// library without statx (glibc before 2.28) there is none: null, and only the hashed bytes tell a replaced file.
/// </summary>
internal static partial class FileIdentity
{
    public static string? Of(FileStream stream)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        const int EmptyPath = 0x1000; // AT_EMPTY_PATH: the descriptor itself
        const uint Inode = 0x100; // STATX_INO
        var buffer = new byte[256]; // sizeof(struct statx)
        var handle = stream.SafeFileHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, EmptyPath, Inode, buffer) != 0 || (BitConverter.ToUInt32(buffer, 0) & Inode) == 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        // stx_dev_major, stx_dev_minor, stx_ino.
        return string.Create(CultureInfo.InvariantCulture,
            $"{BitConverter.ToUInt32(buffer, 136)}:{BitConverter.ToUInt32(buffer, 140)}:{BitConverter.ToUInt64(buffer, 32)}");
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int descriptor, string path, int flags, uint mask, [Out] byte[] buffer);
}
