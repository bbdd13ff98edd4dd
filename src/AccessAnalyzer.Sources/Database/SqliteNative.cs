using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// The few SQLite calls made once per row or cell of a big table, bound directly to the library SQLitePCL loads
/// (<c>e_sqlite3</c>): through SQLitePCL each call took and released the statement's SafeHandle and went through an
/// interface and a marshalling stub, a fifth of the CPU of a France-scale read or load. The statement stays owned by
/// its SafeHandle (<see cref="Statement"/> holds a reference for as long as the raw pointer is used).
/// </summary>
internal static partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLite copies bound text before the call returns (SQLITE_TRANSIENT).</summary>
    private static readonly nint Transient = -1;

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    public static partial int Reset(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type")]
    [SuppressGCTransition]
    public static partial int ColumnType(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob")]
    [SuppressGCTransition]
    private static partial nint ColumnBlob(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    [SuppressGCTransition]
    private static partial int ColumnBytes(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text")]
    [SuppressGCTransition]
    private static unsafe partial int BindText(nint statement, int index, byte* text, int length, nint destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_file_control")]
    private static unsafe partial int FileControl(nint database, byte* name, int operation, void* argument);

    /// <summary><c>sqlite3_file_control</c> on the schema <paramref name="name"/> (its bytes end with a NUL).</summary>
    public static unsafe int FileControl(nint database, ReadOnlySpan<byte> name, int operation, void* argument)
    {
        fixed (byte* n = name)
        {
            return FileControl(database, n, operation, argument);
        }
    }

    /// <summary>The same with an int argument, read and written in place (<c>SQLITE_FCNTL_RESERVE_BYTES</c> and the like).</summary>
    public static unsafe int FileControl(nint database, ReadOnlySpan<byte> name, int operation, ref int argument)
    {
        fixed (int* a = &argument)
        {
            return FileControl(database, name, operation, a);
        }
    }

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    public static partial int BindInt64(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null")]
    [SuppressGCTransition]
    public static partial int BindNull(nint statement, int index);

    /// <summary>A text (or blob) cell's bytes, valid until the next step or reset of the statement.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ReadOnlySpan<byte> ColumnBytesOf(nint statement, int column)
    {
        // Blob first, then bytes: the order SQLite documents for a pointer and a length that agree.
        var pointer = ColumnBlob(statement, column);
        var length = ColumnBytes(statement, column);
        return pointer == 0 ? default : new ReadOnlySpan<byte>((void*)pointer, length);
    }

    public static unsafe int BindText(nint statement, int index, ReadOnlySpan<byte> text)
    {
        fixed (byte* p = text)
        {
            // A null pointer would bind NULL: an empty text binds a pointer to something.
            byte empty = 0;
            return BindText(statement, index, text.IsEmpty ? &empty : p, text.Length, Transient);
        }
    }

    /// <summary>
    /// A statement's raw pointer, with a reference held on its SafeHandle until disposed, so that the handle cannot be
    /// finalized while the pointer is in use.
    /// </summary>
    public sealed class Statement : IDisposable
    {
        private readonly sqlite3_stmt _handle;
        private bool _referenced;

        public Statement(sqlite3_stmt handle)
        {
            _handle = handle;
            handle.DangerousAddRef(ref _referenced);
            Pointer = handle.DangerousGetHandle();
        }

        public nint Pointer { get; }

        public void Dispose()
        {
            if (_referenced)
            {
                _referenced = false;
                _handle.DangerousRelease();
            }

            _handle.Dispose();
        }
    }
}
