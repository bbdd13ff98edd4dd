using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// Two connections reading a table by rowid ranges must hand over exactly what one statement reads: the same cells in
/// the same order with the same line numbers, text as stored (broken UTF-8 included), numbers as digits, NULL as
/// NULL, a BLOB as the same one-line error at the same line; and stop cleanly when disposed half-way.
/// </summary>
public sealed class SqliteParallelCursorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aa-parallel-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Name(string table) => table;

    /// <summary>A table of <paramref name="rows"/> rows with rowid gaps and every kind of cell; a BLOB at <paramref name="blobAt"/> if given.</summary>
    private string Database(int rows, int seed, long? blobAt = null)
    {
        var path = Path.Combine(_directory, $"t{seed}-{rows}.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE files (id, unit_id, sensitive, closed)";
        create.ExecuteNonQuery();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO files (rowid, id, unit_id, sensitive, closed) VALUES ($r, $id, $unit, $s, $c)";
        var random = new Random(seed);
        long rowid = random.Next(-50, 50);
        var (r, id, unit, s, c) = (insert.Parameters.Add("$r", SqliteType.Integer), insert.Parameters.Add("$id", SqliteType.Text),
            insert.Parameters.Add("$unit", SqliteType.Text), insert.Parameters.Add("$s", SqliteType.Text), insert.Parameters.Add("$c", SqliteType.Text));
        for (var i = 0; i < rows; i++)
        {
            rowid += random.Next(10) == 0 ? random.Next(2, 40) : 1;
            r.Value = rowid;
            id.Value = $"F{i:D7}";
            unit.Value = random.Next(20) switch
            {
                0 => DBNull.Value,
                1 => (object)random.Next(1000),
                2 => random.NextDouble() * 10,
                _ => $"U{random.Next(50)}é",
            };
            s.Value = random.Next(2) == 0 ? "true" : "false";
            c.Value = blobAt == i ? new byte[] { 1, 2, 3 } : random.Next(2) == 0 ? "0" : "1";
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        using var broken = connection.CreateCommand();
        broken.CommandText = "UPDATE files SET id = CAST(x'46ff' AS TEXT) WHERE rowid = (SELECT min(rowid) + 3 FROM files)";
        broken.ExecuteNonQuery();
        return path;
    }

    private static List<string> Rows(ITableCursor cursor, int columns)
    {
        var rows = new List<string>();
        while (cursor.Read())
        {
            var cells = new StringBuilder().Append(cursor.Line).Append(':');
            for (var c = 0; c < columns; c++)
            {
                cells.Append(Convert.ToHexString(cursor.Bytes(c))).Append('|').Append(cursor.Get(c) ?? "<null>").Append(';');
            }

            rows.Add(cells.ToString());
        }

        return rows;
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 64)]
    [InlineData(3, 1000)]
    public void Should_read_the_same_rows_in_the_same_order_as_one_statement(int seed, int range)
    {
        var path = Database(5000, seed);
        using var one = SqliteRowCursor.Open(path, "SELECT * FROM \"files\"", "files", Name);
        var expected = Rows(one, 4);

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var parallel = SqliteParallelCursor.TryOpen(connection, "\"files\"", "files", Name, readers: 2, rangeRows: range);
        parallel.Should().NotBeNull();
        parallel!.Column("UNIT_ID").Should().Be(1);
        Rows(parallel, 4).Should().Equal(expected);
        expected.Should().HaveCount(5000).And.Contain(r => r.Contains("<null>", StringComparison.Ordinal)).And.Contain(r => r.Contains("46FF|F\uFFFD;", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_meet_a_blob_at_the_same_line_as_one_statement()
    {
        var path = Database(3000, 4, blobAt: 2345);
        using var one = SqliteRowCursor.Open(path, "SELECT * FROM \"files\"", "files", Name);
        var expected = FluentActions.Invoking(() => Rows(one, 4)).Should().Throw<InputErrorException>().Which.Message;

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var parallel = SqliteParallelCursor.TryOpen(connection, "\"files\"", "files", Name, readers: 2, rangeRows: 100)!;
        FluentActions.Invoking(() => Rows(parallel, 4)).Should().Throw<InputErrorException>().Which.Message.Should().Be(expected).And.Contain(":2346:");
    }

    [Fact]
    public async Task Should_stop_its_readers_when_disposed_half_way()
    {
        var path = Database(20000, 5);
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var parallel = SqliteParallelCursor.TryOpen(connection, "\"files\"", "files", Name, readers: 2, rangeRows: 50)!;
        for (var i = 0; i < 120; i++)
        {
            parallel.Read().Should().BeTrue();
        }

        var dispose = Task.Run(parallel.Dispose);
        (await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(20)))).Should().BeSameAs(dispose, "both readers, blocked on full queues, stop");
    }

    [Fact]
    public void Should_leave_views_few_rowids_and_far_apart_rowids_to_one_statement()
    {
        var path = Database(100, 6);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                CREATE VIEW v AS SELECT * FROM files;
                CREATE TABLE sparse (id TEXT);
                INSERT INTO sparse (rowid, id) VALUES (1, 'a'), (9000000000000000000, 'b');
                """;
            command.ExecuteNonQuery();
        }

        SqliteParallelCursor.TryOpen(connection, "\"v\"", "files", Name, rangeRows: 10).Should().BeNull("a view has no rowid");
        SqliteParallelCursor.TryOpen(connection, "\"files\"", "files", Name).Should().BeNull("100 rows span fewer than two ranges");
        SqliteParallelCursor.TryOpen(connection, "\"sparse\"", "files", Name, rangeRows: 10).Should().BeNull("two rows 9e18 rowids apart would be 9e17 empty ranges");
        using var few = SqliteParallelCursor.TryOpen(connection, "\"files\"", "files", Name, rangeRows: 10);
        few.Should().NotBeNull();
    }
}
