using System.Globalization;
using AccessAnalyzer.Core.Input;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Demo;

/// <summary>
/// Writes the canonical tables into a fresh SQLite database built from the embedded schema
/// (<see cref="SqliteSchema"/>). An existing file at the path is deleted first. Since the file is new and a failed
/// load is simply regenerated, it loads with the journal and fsync off, through prepared statements in large
/// transactions, and builds the indexes once, after the last row (cheaper than maintaining them row by row).
/// </summary>
public sealed class SqliteCanonicalWriter : CanonicalTextWriter, ICanonicalWriter
{
    private const int RowsPerTransaction = 1_000_000;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand[] _inserts;
    private readonly SqliteParameter[][] _parameters;
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
        _inserts = new SqliteCommand[CanonicalLayout.TableNames.Length];
        _parameters = new SqliteParameter[CanonicalLayout.TableNames.Length][];
        try
        {
            _connection.Open();
            Execute("PRAGMA journal_mode = OFF");
            Execute("PRAGMA synchronous = OFF");
            Execute("PRAGMA locking_mode = EXCLUSIVE");
            Execute("PRAGMA temp_store = MEMORY");
            Execute("PRAGMA cache_size = -32768"); // 32 MiB of page cache; larger measured no faster
            foreach (var statement in SqliteSchema.TableStatements)
            {
                Execute(statement);
            }

            for (var t = 0; t < _inserts.Length; t++)
            {
                var columns = CanonicalLayout.Columns[t];
                var command = _connection.CreateCommand();
                command.CommandText = string.Create(
                    CultureInfo.InvariantCulture,
                    $"INSERT INTO {CanonicalLayout.TableNames[t]} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})");
                var parameters = new SqliteParameter[columns.Length];
                for (var c = 0; c < columns.Length; c++)
                {
                    parameters[c] = command.Parameters.Add("$p" + c.ToString(CultureInfo.InvariantCulture), SqliteType.Text);
                }

                if (t == (int)CanonicalTable.AccountPolicy)
                {
                    parameters[1].SqliteType = SqliteType.Integer;
                }

                command.Prepare();
                _inserts[t] = command;
                _parameters[t] = parameters;
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
        var p = Parameters(CanonicalTable.AccountPolicy);
        p[0].Value = organization;
        p[1].Value = lockoutThreshold;
        p[2].Value = CanonicalLayout.Boolean(mfaRequired);
        Step(CanonicalTable.AccountPolicy);
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
        foreach (var command in _inserts)
        {
            command?.Dispose();
        }

        _connection.Dispose();
    }

    private SqliteParameter[] Parameters(CanonicalTable table)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("Rows cannot be written after Complete().");
        }

        return _parameters[(int)table];
    }

    private protected override void WriteRow(CanonicalTable table, params ReadOnlySpan<string?> fields)
    {
        var p = Parameters(table);
        for (var i = 0; i < fields.Length; i++)
        {
            p[i].Value = (object?)fields[i] ?? DBNull.Value;
        }

        Step(table);
    }

    private void Step(CanonicalTable table)
    {
        _inserts[(int)table].ExecuteNonQuery();
        if (++_rowsInTransaction >= RowsPerTransaction)
        {
            Execute("COMMIT");
            Execute("BEGIN");
            _rowsInTransaction = 0;
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
