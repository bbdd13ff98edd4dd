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
    /// <summary>A table of five columns, read by a sequential reader through a cursor that owns its command and connection.</summary>
    private DbTableCursor Open(bool wholeRows)
    {
        var schema = PostgresServer.NewSchema("sequential");
        server.Execute($"""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.files (id text, span interval, unit_id text, sensitive boolean, extra interval);
            INSERT INTO {schema}.files VALUES
                ('F1', '1 day', 'U1', true, '1 month'),
                ('F2', '1 month', 'U2', false, '1 month'),
                ('F3', '2 days', NULL, NULL, '1 month');
            """);
        var dialect = new PostgresDialect(schema);
        var connection = server.Open();
        var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, span, unit_id, sensitive, extra FROM {dialect.Table("files")}";
        return new DbTableCursor(command.ExecuteReader(CommandBehavior.SequentialAccess), "files", dialect.DisplayName,
            owned: new Owned(command, connection), wholeRows: wholeRows);
    }

    private sealed class Owned(IDisposable command, IDisposable connection) : IDisposable
    {
        public void Dispose()
        {
            command.Dispose();
            connection.Dispose();
        }
    }

    [PostgresFact]
    public void Cells_come_in_any_order_and_twice_and_an_unreadable_one_fails_only_when_asked_for()
    {
        using var cursor = Open(wholeRows: true);
        int id = cursor.Column("id"), span = cursor.Column("span"), unit = cursor.Column("unit_id"), sensitive = cursor.Column("sensitive");

        cursor.Read().Should().BeTrue();
        cursor.Get(sensitive).Should().Be("true");
        cursor.Get(id).Should().Be("F1");
        Encoding.UTF8.GetString(cursor.Bytes(id)).Should().Be("F1");
        Encoding.UTF8.GetString(cursor.Bytes(unit)).Should().Be("U1");
        cursor.Get(span).Should().NotBeNull();

        // An interval with months has no .NET value: the row is still read, the cells after it too, and the cell
        // fails where it is asked for.
        cursor.Read().Should().BeTrue();
        cursor.Get(unit).Should().Be("U2");
        cursor.Get(sensitive).Should().Be("false");
        var unreadable = () => cursor.Get(span);
        unreadable.Should().Throw<InputErrorException>().Which.Message.Should().Contain("span").And.Contain("interval").And.NotContain("month");
        cursor.Line.Should().Be(2);

        // The next row's interval reads again; NULLs stay NULL.
        cursor.Read().Should().BeTrue();
        cursor.Get(span).Should().NotBeNull();
        cursor.Get(unit).Should().BeNull();
        cursor.Bytes(sensitive).IsEmpty.Should().BeTrue();

        // A column never asked for by name is never read (its intervals with months cost nothing), and asking for
        // its cell is a mistake of the code, not of the data.
        var extra = () => cursor.Get(4);
        extra.Should().Throw<InvalidOperationException>();
        cursor.Read().Should().BeFalse();
        var afterTheEnd = () => cursor.Get(id);
        afterTheEnd.Should().Throw<InvalidOperationException>("there is no current row");
    }

    [PostgresFact]
    public void Without_whole_rows_the_driver_refuses_a_cell_read_before_one_already_read()
    {
        // The check above means something only if the driver does enforce sequential access.
        using var cursor = Open(wholeRows: false);
        cursor.Read().Should().BeTrue();
        cursor.Get(3).Should().Be("true");
        var back = () => cursor.Get(0);
        back.Should().Throw<InvalidOperationException>();
    }
}
