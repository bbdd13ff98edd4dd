using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// A table read from its b-tree pages must hand over exactly what <c>SELECT *</c> stepped by SQLite hands over: the
/// same cells (text as stored, broken UTF-8 included; integers of every width; REALs, and integers SQLite reads back as
/// REALs; NULL), in the same order with the same line numbers, across overflow pages, page sizes, reserved bytes,
/// deleted rows and rows written before a column was added; decline what it cannot promise; keep writers out while it
/// reads; and stop on a corrupt file with one line instead of looping.
/// </summary>
public sealed class SqlitePageCursorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aa-pages-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Name(string table) => table;

    private SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A table t of random rows with every kind of cell, some deleted and some updated in place.</summary>
    private string Database(int seed, int rows, int pageSize, int reserved = 0, bool addColumn = false)
    {
        var path = Path.Combine(_directory, $"t{seed}-{pageSize}-{reserved}.db");
        using var connection = Connect(path);
        if (reserved > 0)
        {
            // Bytes at the end of each page that the b-tree must not use: set on the empty file, before any page exists.
            var n = reserved;
            SqliteNative.FileControl(connection.Handle!.DangerousGetHandle(), "main\0"u8, 38, ref n).Should().Be(0);
        }

        Execute(connection, $"PRAGMA page_size = {pageSize}; CREATE TABLE t (id TEXT, n, r REAL, s TEXT NOT NULL)");
        var random = new Random(seed);
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO t (id, n, r, s) VALUES ($id, $n, $r, $s)";
            var (id, n, r, s) = (insert.Parameters.Add("$id", SqliteType.Text), insert.Parameters.Add("$n", SqliteType.Integer),
                insert.Parameters.Add("$r", SqliteType.Real), insert.Parameters.Add("$s", SqliteType.Text));
            for (var i = 0; i < rows; i++)
            {
                id.Value = random.Next(30) == 0 ? DBNull.Value : $"F{i:D7}-é";
                n.Value = random.Next(9) switch
                {
                    0 => 0L,
                    1 => 1L,
                    2 => (long)random.Next(-128, 128),
                    3 => (long)random.Next(-40000, 40000),
                    4 => (long)random.Next(-8_000_000, 8_000_000),
                    5 => random.NextInt64(int.MinValue, int.MaxValue),
                    6 => random.NextInt64(-(1L << 47), 1L << 47),
                    7 => random.NextInt64(long.MinValue, long.MaxValue),
                    _ => DBNull.Value,
                };
                r.Value = random.Next(3) switch
                {
                    0 => (object)random.Next(-1000, 1000),
                    1 => (random.NextDouble() - 0.5) * 1e6,
                    _ => DBNull.Value,
                };

                // Lengths around a page and beyond: payloads that spill onto chains of overflow pages.
                s.Value = random.Next(8) == 0 ? new string((char)('a' + random.Next(26)), random.Next(pageSize * 3)) : random.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        Execute(connection, """
            DELETE FROM t WHERE rowid % 7 = 3;
            UPDATE t SET s = s || s WHERE rowid % 11 = 5;
            UPDATE t SET id = CAST(x'46ff00' AS TEXT) WHERE rowid = 9;
            UPDATE t SET n = 'text in an untyped column', r = 'text in a REAL column' WHERE rowid = 12;
            """);
        if (addColumn)
        {
            Execute(connection, "ALTER TABLE t ADD COLUMN added TEXT DEFAULT 'default value'; ALTER TABLE t ADD COLUMN bare INTEGER;");
            Execute(connection, "INSERT INTO t (id, n, r, s, added, bare) VALUES ('late', 5, 2.5, 'x', 'given', 7)");
        }

        return path;
    }

    private static List<string> Rows(ITableCursor cursor)
    {
        var rows = new List<string>();
        var names = new[] { "id", "n", "r", "s", "added", "bare" }.Select(n => cursor.Column(n, required: false)).Where(c => c >= 0).ToArray();
        while (cursor.Read())
        {
            var cells = new StringBuilder().Append(cursor.Line).Append(':');
            foreach (var c in names)
            {
                cells.Append(Convert.ToHexString(cursor.Bytes(c))).Append('|').Append(cursor.Get(c) ?? "<null>").Append(';');
            }

            rows.Add(cells.ToString());
        }

        return rows;
    }

    private static List<string> Statement(string path, string table = "t")
    {
        using var one = SqliteRowCursor.Open(path, $"SELECT * FROM \"{table}\"", table, Name);
        return Rows(one);
    }

    [Theory]
    [InlineData(1, 512, 0, false)]
    [InlineData(2, 1024, 0, true)]
    [InlineData(3, 4096, 0, false)]
    [InlineData(4, 4096, 32, true)]
    [InlineData(5, 65536, 0, false)]
    [InlineData(6, 512, 7, true)]
    public void Should_hand_over_what_a_statement_hands_over(int seed, int pageSize, int reserved, bool addColumn)
    {
        var path = Database(seed, 3000, pageSize, reserved, addColumn);
        var expected = Statement(path);

        using var pages = SqlitePageCursor.TryOpen(path, "\"t\"", "t", Name);
        pages.Should().NotBeNull();
        var actual = Rows(pages!);
        actual.Should().Equal(expected);

        // The data really has what the reader must get right, so that the comparison above covers it.
        expected.Should().HaveCountGreaterThan(2000)
            .And.Contain(r => r.Contains("46FF00|F\uFFFD\0;", StringComparison.Ordinal), "broken UTF-8 and a NUL kept as stored")
            .And.Contain(r => r.Contains("|<null>;", StringComparison.Ordinal))
            .And.Contain(r => r.Length > pageSize * 2, "payloads on overflow pages")
            .And.Contain(r => r.Contains("|-9", StringComparison.Ordinal));
        if (addColumn)
        {
            expected.Should().Contain(r => r.Contains("|default value;|<null>;", StringComparison.Ordinal), "a row older than the added columns reads their defaults")
                .And.Contain(r => r.Contains("|given;", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Should_read_an_integer_stored_in_a_real_column_as_a_real()
    {
        var path = Path.Combine(_directory, "real.db");
        using (var connection = Connect(path))
        {
            Execute(connection, "CREATE TABLE t (n INTEGER, r REAL, d DOUBLE PRECISION, f FLOAT); INSERT INTO t VALUES (3, 3, 4, 5), (-1, 2.5, 1e300, 0)");
        }

        var expected = Statement(path);
        using var pages = SqlitePageCursor.TryOpen(path, "\"t\"", "t", Name)!;
        var cells = new List<string>();
        int r = pages.Column("r"), d = pages.Column("d"), f = pages.Column("f"), n = pages.Column("n");
        while (pages.Read())
        {
            cells.Add($"{pages.Get(n)} {pages.Get(r)} {pages.Get(d)} {pages.Get(f)} {Encoding.UTF8.GetString(pages.Bytes(r))}");
        }

        cells.Should().Equal("3 3 4 5 3", "-1 2.5 1E+300 0 2.5");
        using var one = SqliteRowCursor.Open(path, "SELECT * FROM \"t\"", "t", Name);
        var statement = new List<string>();
        while (one.Read())
        {
            statement.Add($"{one.Get(0)} {one.Get(1)} {one.Get(2)} {one.Get(3)} {Encoding.UTF8.GetString(one.Bytes(1))}");
        }

        cells.Should().Equal(statement);
        expected.Should().HaveCount(2);
    }

    [Fact]
    public void Should_decline_what_a_record_alone_does_not_give()
    {
        var path = Path.Combine(_directory, "declined.db");
        using (var connection = Connect(path))
        {
            Execute(connection, """
                CREATE TABLE keyed (id INTEGER PRIMARY KEY, v TEXT);
                CREATE TABLE clustered (id TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
                CREATE TABLE generated (a TEXT, b TEXT GENERATED ALWAYS AS (a || 'x'));
                CREATE TABLE plain (a TEXT);
                CREATE VIEW seen AS SELECT * FROM plain;
                INSERT INTO keyed (v) VALUES ('a'); INSERT INTO clustered VALUES ('k', 'v'); INSERT INTO generated (a) VALUES ('a'); INSERT INTO plain VALUES ('a');
                """);
        }

        foreach (var table in new[] { "keyed", "clustered", "generated", "seen", "missing" })
        {
            SqlitePageCursor.TryOpen(path, $"\"{table}\"", table, Name).Should().BeNull(table);
        }

        using (var plain = SqlitePageCursor.TryOpen(path, "\"PLAIN\"", "PLAIN", Name))
        {
            plain.Should().NotBeNull("table names are case-insensitive, as in SQL");
        }

        using (var connection = Connect(path))
        {
            Execute(connection, "PRAGMA journal_mode = WAL; INSERT INTO plain VALUES ('b')");
            SqlitePageCursor.TryOpen(path, "\"plain\"", "plain", Name).Should().BeNull("committed pages may still be in the write-ahead log");
        }

        var utf16 = Path.Combine(_directory, "utf16.db");
        using (var connection = Connect(utf16))
        {
            Execute(connection, "PRAGMA encoding = 'UTF-16le'; CREATE TABLE plain (a TEXT); INSERT INTO plain VALUES ('a')");
        }

        SqlitePageCursor.TryOpen(utf16, "\"plain\"", "plain", Name).Should().BeNull("text is stored as UTF-16");
    }

    [Fact]
    public void Should_give_a_blob_the_line_a_statement_gives()
    {
        var path = Path.Combine(_directory, "blob.db");
        using (var connection = Connect(path))
        {
            Execute(connection, "CREATE TABLE files (id TEXT, unit_id TEXT(20), sensitive, closed); INSERT INTO files VALUES ('a', 'u', '0', '0'), ('b', x'0102', '0', '0'), ('c', 'u', x'00', '0')");
        }

        foreach (var column in new[] { "unit_id", "sensitive" })
        {
            using var one = SqliteRowCursor.Open(path, "SELECT * FROM \"files\"", "files", Name);
            using var pages = SqlitePageCursor.TryOpen(path, "\"files\"", "files", Name)!;
            string ReadAll(ITableCursor cursor)
            {
                var c = cursor.Column(column);
                while (cursor.Read())
                {
                    _ = cursor.Bytes(c);
                }

                return "no error";
            }

            var expected = FluentActions.Invoking(() => ReadAll(one)).Should().Throw<InputErrorException>().Which.Message;
            FluentActions.Invoking(() => ReadAll(pages)).Should().Throw<InputErrorException>().Which.Message.Should().Be(expected);
        }
    }

    [Fact]
    public void Should_keep_writers_out_until_disposed()
    {
        var path = Database(7, 500, 4096);
        var pages = SqlitePageCursor.TryOpen(path, "\"t\"", "t", Name)!;
        pages.Read().Should().BeTrue();
        using (var writer = new SqliteConnection($"Data Source={path};Pooling=False;Default Timeout=1"))
        {
            writer.Open();
            FluentActions.Invoking(() => Execute(writer, "DELETE FROM t")).Should().Throw<SqliteException>().Which.SqliteErrorCode.Should().Be(5, "SQLITE_BUSY: the reader's shared lock holds");
        }

        var rows = 1;
        while (pages.Read())
        {
            rows++;
        }

        pages.Dispose();
        rows.Should().Be(Statement(path).Count);
        using (var writer = Connect(path))
        {
            Execute(writer, "DELETE FROM t");
        }

        Statement(path).Should().BeEmpty();
    }

    [Fact]
    public void Should_stop_on_a_page_that_points_back_at_itself()
    {
        var path = Database(8, 5000, 512);
        long root;
        using (var connection = Connect(path))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT rootpage FROM sqlite_schema WHERE name = 't'";
            root = (long)command.ExecuteScalar()!;
        }

        SqliteConnection.ClearAllPools();
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var page = new byte[512];
            file.Position = (root - 1) * 512;
            file.ReadExactly(page);
            page[0].Should().Be(0x05, "5,000 rows on 512-byte pages make an interior root");

            // The right-most child pointer (bytes 8 to 11 of an interior page) now names the root itself.
            page[8] = (byte)(root >> 24);
            page[9] = (byte)(root >> 16);
            page[10] = (byte)(root >> 8);
            page[11] = (byte)root;
            file.Position = (root - 1) * 512;
            file.Write(page);
        }

        FluentActions.Invoking(() => SqlitePageCursor.TryOpen(path, "\"t\"", "t", Name)).Should().Throw<InputErrorException>()
            .Which.Message.Should().Contain("database disk image is malformed").And.Contain($"page {root}");
    }

    [Fact]
    public void Should_read_an_empty_table_as_no_rows()
    {
        var path = Path.Combine(_directory, "empty.db");
        using (var connection = Connect(path))
        {
            Execute(connection, "CREATE TABLE t (id TEXT, n, r REAL, s TEXT NOT NULL)");
        }

        using var pages = SqlitePageCursor.TryOpen(path, "\"t\"", "t", Name)!;
        pages.Read().Should().BeFalse();
        pages.Line.Should().Be(0);
    }
}
