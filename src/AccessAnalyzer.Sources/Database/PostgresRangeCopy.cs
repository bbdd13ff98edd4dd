using System.Data.Common;
using System.Globalization;
using AccessAnalyzer.Core.Input;
using Npgsql;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A big PostgreSQL table copied over several connections at once, each a binary COPY of one range of its heap pages
/// (a TID range scan, PostgreSQL 14 and later): the server's COPY of one table runs in one backend, and that backend
/// (half a microsecond a row) was what a France-scale stream waited on. Every connection reads in the same snapshot,
/// exported by the first (<c>pg_export_snapshot</c>), so the ranges together are the table as one statement sees it.
/// <para>
/// Rows are taken from the ranges in turn, a fixed number from each: the order, and so every row's number, depends only
/// on the table's pages, never on which server process ran ahead. No thread of its own: while rows are taken from one
/// range, the other backends go on filling their sockets' buffers.
/// </para>
/// </summary>
internal sealed class PostgresRangeCopy : ITableCursor
{
    /// <summary>Rows taken from one range before the next range's turn.</summary>
    internal const int RowsPerTurn = 8192;

    /// <summary>Below this many heap pages (80 MiB) one COPY is as quick.</summary>
    internal const long MinPages = 10_000;

    private readonly PostgresCopyCursor[] _ranges;
    private readonly bool[] _done;
    private readonly int _rowsPerTurn;
    private int _live;
    private int _turn;
    private int _taken;
    private PostgresCopyCursor _row;

    private PostgresRangeCopy(PostgresCopyCursor[] ranges, int rowsPerTurn)
    {
        _ranges = ranges;
        _done = new bool[ranges.Length];
        _live = ranges.Length;
        _rowsPerTurn = rowsPerTurn;
        _row = ranges[0];
    }

    /// <summary>
    /// The table copied over <paramref name="connections"/> connections, or null when one COPY is the way: fewer
    /// than two connections wanted, a view, a server before 14 (no TID range scan: each connection would read the
    /// whole table), a table too small or never analysed (its page count unknown), a type COPY is not read with here.
    /// </summary>
    /// <param name="probe">An open connection that tells the server's version and the table's size; left to the caller.</param>
    /// <param name="connect">Opens each connection the ranges are copied over.</param>
    /// <param name="dialect">Names and quoting of the schema.</param>
    /// <param name="table">Canonical table name.</param>
    /// <param name="connections">Ranges, each on its own connection.</param>
    /// <param name="minPages">Smallest table (in heap pages) worth cutting.</param>
    /// <param name="rowsPerTurn">Rows taken from a range before the next one's turn.</param>
    public static PostgresRangeCopy? TryOpen(
        NpgsqlConnection probe, Func<DbConnection> connect, ISqlDialect dialect, string table, int connections,
        long minPages = MinPages, int rowsPerTurn = RowsPerTurn)
    {
        if (connections < 2 || probe.PostgreSqlVersion.Major < 14)
        {
            return null;
        }

        long pages;
        using (var size = probe.CreateCommand())
        {
            size.CommandText = "SELECT CASE WHEN relkind = 'r' THEN relpages END FROM pg_class WHERE oid = to_regclass(@name)";
            size.Parameters.AddWithValue("name", dialect.Table(table));
            if (size.ExecuteScalar() is not int known || known < Math.Max(minPages, connections))
            {
                return null;
            }

            pages = known;
        }

        var opened = new List<NpgsqlConnection>();
        var cursors = new List<PostgresCopyCursor>();
        try
        {
            var first = (NpgsqlConnection)connect();
            opened.Add(first);
            Execute(first, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            string snapshot;
            using (var export = first.CreateCommand())
            {
                export.CommandText = "SELECT pg_export_snapshot()";
                snapshot = (string)export.ExecuteScalar()!;
            }

            for (var k = 1; k < connections; k++)
            {
                var connection = (NpgsqlConnection)connect();
                opened.Add(connection);
                Execute(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                using var import = connection.CreateCommand();
                import.CommandText = $"SET TRANSACTION SNAPSHOT '{snapshot.Replace("'", "''", StringComparison.Ordinal)}'";
                import.ExecuteNonQuery();
            }

            // The last range is open-ended: relpages is the size at the last VACUUM or ANALYZE, and the table may have grown.
            for (var k = 0; k < connections; k++)
            {
                var from = pages * k / connections;
                long? to = k == connections - 1 ? null : pages * (k + 1) / connections;
                if (PostgresCopyCursor.Create(opened[k], dialect, table, (from, to)) is not { } cursor)
                {
                    throw new NotSupportedException();
                }

                cursors.Add(cursor);
            }

            return new PostgresRangeCopy([.. cursors], rowsPerTurn);
        }
        catch (Exception ex)
        {
            cursors.ForEach(c => c.Dispose());
            opened.Skip(cursors.Count).ToList().ForEach(c => c.Dispose());

            // A type read by a plain SELECT instead, or snapshots that cannot be exported here: the caller's one COPY.
            if (ex is NotSupportedException || (ex is PostgresException postgres && cursors.Count == 0 && postgres.SqlState is "0A000" or "42501" or "55000"))
            {
                return null;
            }

            throw;
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public string DisplayName => _ranges[0].DisplayName;

    public bool Personal => _ranges[0].Personal;

    public InputProblems? Problems { get; set; }

    public long Line { get; private set; }

    public long? MessageLine => Line;

    public int Column(string name, bool required = true) => _ranges[0].Column(name, required);

    public bool Read()
    {
        while (_live > 0)
        {
            if (!_done[_turn] && _taken < _rowsPerTurn)
            {
                var range = _ranges[_turn];
                if (range.Read())
                {
                    _taken++;
                    _row = range;
                    Line++;
                    return true;
                }

                _done[_turn] = true;
                _live--;
            }

            _turn = (_turn + 1) % _ranges.Length;
            _taken = 0;
        }

        return false;
    }

    public string? Get(int column) => _row.Get(column);

    public ReadOnlySpan<byte> Bytes(int column) => _row.Bytes(column);

    public string Describe(int column) => _ranges[0].Describe(column);

    public string ColumnName(int column) => _ranges[0].ColumnName(column);

    public void Dispose()
    {
        foreach (var range in _ranges)
        {
            range.Dispose();
        }
    }
}
