using System.Text;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// The binary COPY stream parsed by the cursor must give, cell by cell, what a plain SELECT read through the driver
/// gives: text as UTF-8 (multi-byte characters, <c>name</c>, cells larger than the cursor's buffer),
/// integers of each width, booleans, dates and timestamps (infinities included) and NULLs, row after row.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCopyCursorTests(PostgresServer server)
{
    private static List<string> Rows(ITableCursor cursor, int columns)
    {
        var rows = new List<string>();
        while (cursor.Read())
        {
            var cells = new StringBuilder().Append(cursor.Line).Append(':');
            for (var c = 0; c < columns; c++)
            {
                var bytes = cursor.Bytes(c);
                cells.Append(bytes.Length > 64 ? $"{bytes.Length}#{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))}" : Convert.ToHexString(bytes))
                    .Append('|').Append(cursor.Get(c) is { } text ? (text.Length > 64 ? text.Length + "#" + text[..8] : text) : "<null>").Append(';');
            }

            rows.Add(cells.ToString());
        }

        return rows;
    }

    [PostgresFact]
    public void Should_give_every_cell_as_the_select_path_gives_it()
    {
        var schema = PostgresServer.NewSchema("copy");
        server.Execute($"""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.files (
                id text, unit_id character varying, label name, n16 smallint, n32 integer, n64 bigint,
                flag boolean, day date, at timestamptz, local timestamp);
            INSERT INTO {schema}.files VALUES
                ('F1', 'U-é', 'ab', -32768, -2147483648, -9223372036854775808, true, '2026-03-31', '2026-03-31 12:34:56.789+02', '1999-12-31 23:59:59'),
                ('F2', NULL, NULL, 32767, 2147483647, 9223372036854775807, false, 'infinity', 'infinity', '-infinity'),
                ('F3', '日本語', 'xyz', 0, 0, 0, NULL, '-infinity', '-infinity', 'infinity'),
                ('', '', '', NULL, NULL, NULL, true, '0001-01-01', '0001-01-01 00:00:00+00', '9999-12-31 23:59:59.999999'),
                (repeat('x', 600000), repeat('é', 300000), 'big', 1, 2, 3, false, '2000-01-01', '2000-01-01 00:00:00+00', '2000-01-01');
            INSERT INTO {schema}.files (id, n32) SELECT 'G' || g, g FROM generate_series(1, 20000) AS g;
            """);
        var dialect = new PostgresDialect(schema);

        using var selectConnection = server.Open();
        using var command = selectConnection.CreateCommand();
        command.CommandText = $"SELECT * FROM {dialect.Table("files")}";
        using var select = new DbTableCursor(command.ExecuteReader(), "files", dialect.DisplayName);
        var expected = Rows(select, 10);

        using var copyConnection = server.Open();
        using var copy = PostgresCopyCursor.Create(copyConnection, dialect, "files");
        copy.Should().NotBeNull();
        Rows(copy!, 10).Should().Equal(expected);

        expected.Should().HaveCount(20005)
            .And.Contain(r => r.Contains("600000#", StringComparison.Ordinal), "a cell larger than the cursor's buffer")
            .And.Contain(r => r.Contains("|9999-12-31T23:59:59;", StringComparison.Ordinal), "infinity as the greatest date")
            .And.Contain(r => r.Contains("|-9223372036854775808;", StringComparison.Ordinal));
    }

    [PostgresFact]
    public void Should_stop_cleanly_when_disposed_half_way()
    {
        var schema = PostgresServer.NewSchema("copy");
        server.Execute($"CREATE SCHEMA {schema}; CREATE TABLE {schema}.caseload (file_id text, principal_id text); INSERT INTO {schema}.caseload SELECT 'F' || g, 'P' || (g % 10) FROM generate_series(1, 200000) AS g;");
        var dialect = new PostgresDialect(schema);
        using (var connection = server.Open())
        {
            var copy = PostgresCopyCursor.Create(connection, dialect, "caseload")!;
            for (var i = 0; i < 1000; i++)
            {
                copy.Read().Should().BeTrue();
            }

            Encoding.UTF8.GetString(copy.Bytes(copy.Column("file_id"))).Should().Be("F1000");
            copy.Dispose();
        }

        // The server is left able to answer: the interrupted COPY took nothing with it.
        server.Scalar($"SELECT count(*) FROM {schema}.caseload").Should().Be(200000L);
    }

    [PostgresFact]
    public void Should_copy_a_table_in_page_ranges_taken_in_turn_in_one_order_every_time()
    {
        var schema = PostgresServer.NewSchema("ranges");
        server.Execute($"""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.caseload (file_id text, principal_id text);
            INSERT INTO {schema}.caseload SELECT 'F' || g, 'P' || (g % 97) FROM generate_series(1, 30000) AS g;
            ANALYZE {schema}.caseload;
            """);
        var dialect = new PostgresDialect(schema);
        var pages = (int)server.Scalar($"SELECT relpages FROM pg_class WHERE oid = '{schema}.caseload'::regclass")!;
        pages.Should().BeGreaterThan(30);

        List<string> Copy(int connections)
        {
            using var probe = server.Open();
            using var cursor = PostgresRangeCopy.TryOpen(probe, () => server.Open(), dialect, "caseload", connections, minPages: 1, rowsPerTurn: 1000);
            cursor.Should().NotBeNull();
            return Rows(cursor!, 2);
        }

        // Each range alone, in page order: what the cursor must interleave, 1,000 rows from each in turn.
        var ranges = new List<List<string>>();
        for (var k = 0; k < 3; k++)
        {
            using var connection = server.Open();
            using var range = PostgresCopyCursor.Create(connection, dialect, "caseload", (pages * k / 3, k == 2 ? null : pages * (k + 1) / 3))!;
            ranges.Add([.. Rows(range, 2).Select(r => r[(r.IndexOf(':', StringComparison.Ordinal) + 1)..])]);
        }

        var expected = new List<string>();
        for (var turn = 0; expected.Count < ranges.Sum(r => r.Count); turn++)
        {
            foreach (var range in ranges)
            {
                expected.AddRange(range.Skip(turn * 1000).Take(1000));
            }
        }

        var three = Copy(3);
        three.Select(r => r[(r.IndexOf(':', StringComparison.Ordinal) + 1)..]).Should().Equal(expected);
        three.Select(r => long.Parse(r[..r.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).Should().Equal(Enumerable.Range(1, 30000).Select(i => (long)i));
        Copy(3).Should().Equal(three, "the order depends on the pages alone");

        using var whole = server.Open();
        using var one = PostgresCopyCursor.Create(whole, dialect, "caseload")!;
        Rows(one, 2).Select(r => r[(r.IndexOf(':', StringComparison.Ordinal) + 1)..]).Order(StringComparer.Ordinal)
            .Should().Equal(expected.Order(StringComparer.Ordinal), "the ranges together are the table");
        ranges.Should().OnlyContain(r => r.Count > 1000, "every range holds rows for more than one turn");
    }

    [PostgresFact]
    public void Should_leave_small_tables_and_views_to_one_copy()
    {
        var schema = PostgresServer.NewSchema("ranges");
        server.Execute($"""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.caseload (file_id text, principal_id text);
            INSERT INTO {schema}.caseload SELECT 'F' || g, 'P' FROM generate_series(1, 5000) AS g;
            ANALYZE {schema}.caseload;
            CREATE VIEW {schema}.files AS SELECT file_id AS id FROM {schema}.caseload;
            """);
        var dialect = new PostgresDialect(schema);
        using var probe = server.Open();
        PostgresRangeCopy.TryOpen(probe, () => server.Open(), dialect, "caseload", 2).Should().BeNull("5,000 rows are a few dozen pages");
        PostgresRangeCopy.TryOpen(probe, () => server.Open(), dialect, "files", 2, minPages: 1).Should().BeNull("a view has no pages of its own");
        PostgresRangeCopy.TryOpen(probe, () => server.Open(), dialect, "caseload", 1, minPages: 1).Should().BeNull("one connection is one COPY");
    }

    [Theory]
    [InlineData("db.agency.internal", 2, 4)]
    [InlineData("10.0.0.7", 2, 4)]
    [InlineData("127.0.0.1", 2, 1)]
    [InlineData("localhost", 2, 1)]
    [InlineData("::1", 2, 1)]
    [InlineData("/var/run/postgresql", 2, 1)]
    [InlineData("127.0.0.1", 4, 2)]
    [InlineData("127.0.0.1", 16, 4)]
    public void Should_copy_in_ranges_where_the_server_has_cores_of_its_own(string host, int cores, int connections) =>
        DbBigTables.RangeConnections(host, cores).Should().Be(connections);
}
