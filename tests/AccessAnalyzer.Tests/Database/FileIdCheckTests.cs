using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// files.id in a database: an empty or duplicate id is bad input whether <c>files</c> is the canonical table or a view
/// over an agency's table without a key; the duplicate scan is skipped only when the catalog declares id unique.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FileIdCheckTests(PostgresServer server) : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-fileid-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static AgencyFixture Agency() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Principal("S1", unit: "A1").Role("read").Assign("1", "read", "S1", scopeUnit: "A1")
        .File("F1", "A1").File("F2", "A1").Caseload("F1", "S1");

    [PostgresFact]
    public void Postgres_canonical_table_with_its_primary_key_is_read_without_the_duplicate_scan()
    {
        var schema = Loaded(Agency());
        var withKey = Read(schema);
        withKey.Snapshot().FileCount.Should().Be(2);

        // The same rows behind a view: nothing in the catalog vouches for id, so the duplicate scan runs (one row more).
        MoveFilesBehindView(schema);
        var behindView = Read(schema);
        behindView.Snapshot().FileCount.Should().Be(2);
        behindView.RowsRead.Should().Be(withKey.RowsRead + 1);
    }

    [PostgresFact]
    public void Postgres_duplicate_file_id_behind_a_view_is_bad_input_without_showing_the_id()
    {
        var schema = Loaded(Agency());
        MoveFilesBehindView(schema);
        server.Execute($"INSERT INTO {schema}.files_raw VALUES ('F2', 'A1', true, false)");

        var act = () => Read(schema);
        act.Should().Throw<InputErrorException>().Where(e => e.Message.Contains($"{schema}.files", StringComparison.Ordinal)
            && e.Message.Contains("duplicate id", StringComparison.Ordinal) && !e.Message.Contains("F2", StringComparison.Ordinal));
    }

    [PostgresTheory]
    [InlineData("''")]
    [InlineData("repeat('x', 65)")]
    public void Postgres_empty_or_overlong_file_id_is_bad_input(string id)
    {
        var schema = Loaded(Agency());
        server.Execute($"INSERT INTO {schema}.files VALUES ({id}, 'A1', false, false)");

        var act = () => Read(schema);
        act.Should().Throw<InputErrorException>().Where(e => e.Message.Contains("an empty id or an id longer than", StringComparison.Ordinal));
    }

    [PostgresTheory]
    [InlineData("''", "empty id")]
    [InlineData("repeat('x', 65)", "id <redacted> is longer than 64 characters")]
    [InlineData("'F2'", "duplicate id <redacted>")]
    public void Postgres_bad_file_id_streamed_is_the_same_table_and_column_with_its_row_and_no_value(string id, string reason)
    {
        var schema = Loaded(Agency());
        MoveFilesBehindView(schema);
        server.Execute($"INSERT INTO {schema}.files_raw VALUES ({id}, 'A1', true, false)");

        var pushdown = FluentActions.Invoking(() => Read(schema)).Should().Throw<InputErrorException>().Which;
        var stream = FluentActions.Invoking(() => Read(schema, TransferMode.Stream)).Should().Throw<InputErrorException>().Which;
        (stream.Table, stream.Column).Should().Be((pushdown.Table, pushdown.Column));
        stream.Table.Should().Be($"{schema}.files");
        stream.Line.Should().Be(3, "the bad row comes after F1 and F2");
        stream.Reason.Should().Be(reason.Replace("<redacted>", CanonicalValues.RedactedFileId, StringComparison.Ordinal));
        stream.Message.Should().NotContain("xxxx").And.NotContain("F2");
    }

    [Fact]
    public void Sqlite_duplicate_file_id_behind_a_view_is_bad_input_and_a_keyed_table_skips_the_scan()
    {
        var database = LoadedSqlite("agency.db");

        var withKey = TestSources.Read(database, TransferMode.Pushdown).RowsRead;
        Sqlite(database, """
            CREATE TABLE files_raw AS SELECT * FROM files; DROP TABLE files;
            CREATE VIEW files AS SELECT * FROM files_raw;
            """);
        var behindView = TestSources.Read(database, TransferMode.Pushdown).RowsRead;
        behindView.Should().Be(withKey + 1);

        Sqlite(database, "INSERT INTO files_raw VALUES ('F1', 'A1', 'false', 'false')");
        var act = () => TestSources.Read(database, TransferMode.Pushdown);
        act.Should().Throw<InputErrorException>().Where(e => e.Message.Contains("duplicate id", StringComparison.Ordinal)
            && !e.Message.Contains("F1", StringComparison.Ordinal));
    }

    [Fact]
    public void Sqlite_unique_index_comparing_ids_otherwise_than_the_column_does_not_spare_the_duplicate_scan()
    {
        // The column compares without case, the index as bytes: the index lets 'F1' and 'f1' in, joins call them equal.
        var database = LoadedSqlite("collate.db");

        Sqlite(database, """
            CREATE TABLE files_new (id TEXT COLLATE NOCASE NOT NULL, unit_id TEXT, sensitive TEXT, closed TEXT);
            CREATE UNIQUE INDEX ux_files_new_id ON files_new (id COLLATE BINARY);
            INSERT INTO files_new SELECT * FROM files; DROP TABLE files; ALTER TABLE files_new RENAME TO files;
            INSERT INTO files VALUES ('f1', 'A1', 'false', 'false');
            """);

        var act = () => TestSources.Read(database, TransferMode.Pushdown);
        act.Should().Throw<InputErrorException>().Where(e => e.Message.Contains("duplicate id", StringComparison.Ordinal));
    }

    private string LoadedSqlite(string name)
    {
        var database = Path.Combine(_root, name);
        using var csv = Agency();
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        CanonicalLoader.LoadCsv(SqliteProvider.Instance, connection, SqliteDialect.Instance, csv.WriteCsv());
        return database;
    }

    private string Loaded(AgencyFixture agency)
    {
        using (agency)
        {
            var schema = PostgresServer.NewSchema("fid");
            using var connection = server.Open();
            CanonicalLoader.LoadCsv(PostgresProvider.Instance, connection, new PostgresDialect(schema), agency.WriteCsv());
            return schema;
        }
    }

    private void MoveFilesBehindView(string schema) => server.Execute($"""
        ALTER TABLE {schema}.files RENAME TO files_raw;
        ALTER TABLE {schema}.files_raw DROP CONSTRAINT files_pkey;
        CREATE VIEW {schema}.files AS SELECT * FROM {schema}.files_raw;
        """);

    private SourceReadResult Read(string schema, TransferMode transfer = TransferMode.Pushdown)
    {
        var connectionString = server.ConnectionString();
        return new SourceResolver().Resolve("postgres", new SourceOptions
        {
            Schema = schema,
            Transfer = transfer,
            Environment = v => v == SourceResolver.ConnectionVariable ? connectionString : null,
        }).Read();
    }

    private static void Sqlite(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
