using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Database;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AccessAnalyzer.Demo;

/// <summary>
/// Writes the canonical tables into a fresh SQLite database built from the embedded schema
/// (<see cref="SqliteSchema"/>). An existing file at the path is deleted first. Since the file is new and a failed
/// load is simply regenerated, it loads with the journal and fsync off, through prepared statements in large
/// transactions, and builds the indexes once, after the last row (cheaper than maintaining them row by row). Rows go
/// through SQLite's own statement API: the ADO.NET command's per-execution reader and parameter conversions were
/// three quarters of the time of a France-scale load.
/// </summary>
public sealed class SqliteCanonicalWriter : CanonicalTextWriter, ICanonicalWriter
{
    private const int RowsPerTransaction = 1_000_000;

    private readonly SqliteConnection _connection;
    private readonly SqliteNative.Statement?[] _inserts;
    private byte[] _scratch = new byte[256];
    private long _rowsInTransaction;
    private bool _completed;
    private bool _disposed;

    /// <summary>Deletes any database at <paramref name="path"/> (and its journal files), creates it and its tables.</summary>
    public SqliteCanonicalWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        foreach (var suffix in new[] { "", "-journal", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        _connection = new SqliteConnection(connectionString);
        _inserts = new SqliteNative.Statement?[CanonicalLayout.TableNames.Length];
        try
        {
            _connection.Open();
            Execute("PRAGMA journal_mode = OFF");
            Execute("PRAGMA synchronous = OFF");
            Execute("PRAGMA locking_mode = EXCLUSIVE");
            Execute("PRAGMA temp_store = MEMORY");
            Execute("PRAGMA cache_size = -32768"); // 32 MiB of page cache; larger measured no faster
            Execute("PRAGMA threads = 2"); // the index builds' sorts use the second core
            foreach (var statement in SqliteSchema.TableStatements)
            {
                Execute(statement);
            }

            for (var t = 0; t < _inserts.Length; t++)
            {
                var columns = CanonicalLayout.Columns[t];
                var sql = string.Create(
                    CultureInfo.InvariantCulture,
                    $"INSERT INTO {CanonicalLayout.TableNames[t]} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(_ => "?"))})");
                Check(raw.sqlite3_prepare_v2(_connection.Handle, sql, out var statement), raw.SQLITE_OK);
                _inserts[t] = new SqliteNative.Statement(statement);
            }

            Execute("BEGIN");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The lockout threshold is bound as an integer, the one column stored as a number.</summary>
    public override void WriteAccountPolicy(string organization, int lockoutThreshold, bool mfaRequired)
    {
        var statement = Statement(CanonicalTable.AccountPolicy);
        BindText(statement, 1, organization);
        Check(SqliteNative.BindInt64(statement, 2, lockoutThreshold), raw.SQLITE_OK);
        BindText(statement, 3, CanonicalLayout.Boolean(mfaRequired));
        Step(statement);
    }


    /// <summary>Commits the rows, then builds the indexes and the planner statistics in one more transaction.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        Execute("COMMIT");

        // Index builds sort every row: with temporary storage in memory that sort holds a whole table (2.4 GiB at
        // France scale); in files it spills past the cache, and memory stays bounded whatever the size.
        Execute("PRAGMA temp_store = FILE");
        Execute("BEGIN");
        foreach (var statement in SqliteSchema.IndexStatements)
        {
            Execute(statement);
        }

        Execute("COMMIT");
        Execute("ANALYZE");
        _completed = true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var statement in _inserts)
        {
            statement?.Dispose();
        }

        _connection.Dispose();
    }

    private nint Statement(CanonicalTable table)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("Rows cannot be written after Complete().");
        }

        return _inserts[(int)table]!.Pointer;
    }

    private protected override void WriteRow(CanonicalTable table, params ReadOnlySpan<string?> fields)
    {
        var statement = Statement(table);
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i] is { } text)
            {
                BindText(statement, i + 1, text);
            }
            else
            {
                Check(SqliteNative.BindNull(statement, i + 1), raw.SQLITE_OK);
            }
        }

        Step(statement);
    }

    /// <summary>The text encoded into one reused buffer; SQLite copies it when binding.</summary>
    private void BindText(nint statement, int index, string text)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_scratch.Length < needed)
        {
            _scratch = new byte[Math.Max(needed, _scratch.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(text, _scratch);
        Check(SqliteNative.BindText(statement, index, _scratch.AsSpan(0, length)), raw.SQLITE_OK);
    }

    private void Step(nint statement)
    {
        Check(SqliteNative.Step(statement), raw.SQLITE_DONE);
        Check(SqliteNative.Reset(statement), raw.SQLITE_OK);
        if (++_rowsInTransaction >= RowsPerTransaction)
        {
            Execute("COMMIT");
            Execute("BEGIN");
            _rowsInTransaction = 0;
        }
    }

    /// <summary>A result code other than <paramref name="expected"/> is SQLite's error, with its message (a full disk, a locked file).</summary>
    private void Check(int rc, int expected)
    {
        if (rc != expected)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
