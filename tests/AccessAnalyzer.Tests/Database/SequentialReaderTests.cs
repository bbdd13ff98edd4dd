using System.Data;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// The plain SELECT of <c>--transfer stream</c> (SQL Server's way, and PostgreSQL's for a view COPY cannot read) opens
/// its reader with sequential access, which lets a cell be read once and only after the cells before it. The cursor
/// reads each row whole, so the pipeline may still ask for cells in any order. PostgreSQL's driver enforces sequential
/// access as SQL Server's does, so a real server checks this here.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SequentialReaderTests(PostgresServer server)
{
    private (PostgresDialect Dialect, string Sql) Table()
    {
        var schema = PostgresServer.NewSchema("sequential");
        server.Execute($"""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.files (id text, unit_id text, sensitive boolean, span interval);
            INSERT INTO {schema}.files VALUES ('F1', 'U1', true, '1 day'), ('F2', 'U2', false, '1 month');
            """);
        var dialect = new PostgresDialect(schema);
        return (dialect, $"SELECT id, unit_id, sensitive, span FROM {dialect.Table("files")}");
    }

    [PostgresFact]
    public void Cells_come_in_any_order_and_twice_and_an_unreadable_one_fails_only_when_asked_for()
    {
        var (dialect, sql) = Table();
        using var connection = server.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var cursor = new DbTableCursor(command.ExecuteReader(CommandBehavior.SequentialAccess), "files", dialect.DisplayName, wholeRows: true);

        cursor.Read().Should().BeTrue();
        cursor.Get(2).Should().Be("true");
        cursor.Get(0).Should().Be("F1");
        Encoding.UTF8.GetString(cursor.Bytes(0)).Should().Be("F1");
        Encoding.UTF8.GetString(cursor.Bytes(1)).Should().Be("U1");

        // An interval with months has no .NET value: the row is still read, and the cell fails where it is asked for.
        cursor.Read().Should().BeTrue();
        cursor.Get(1).Should().Be("U2");
        cursor.Get(2).Should().Be("false");
        var unreadable = () => cursor.Get(3);
        unreadable.Should().Throw<InputErrorException>().Which.Message.Should().Contain("span").And.Contain("interval").And.NotContain("month");
        cursor.Line.Should().Be(2);
        cursor.Read().Should().BeFalse();
    }

    [PostgresFact]
    public void Without_whole_rows_the_driver_refuses_a_cell_read_before_one_already_read()
    {
        // The check above means something only if the driver does enforce sequential access.
        var (dialect, sql) = Table();
        using var connection = server.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var cursor = new DbTableCursor(command.ExecuteReader(CommandBehavior.SequentialAccess), "files", dialect.DisplayName);
        cursor.Read().Should().BeTrue();
        cursor.Get(2).Should().Be("true");
        var back = () => cursor.Get(0);
        back.Should().Throw<InvalidOperationException>();
    }
}
