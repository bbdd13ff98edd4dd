using System.Text;
using AccessAnalyzer.Core.Input;
using Npgsql;
using NpgsqlTypes;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// A PostgreSQL table streamed by binary COPY (<c>COPY (SELECT …) TO STDOUT (FORMAT BINARY)</c>): no text rendering
/// on the server, no per-row protocol messages. Only for columns of the types the canonical tables use; a view with any
/// other type is read by a plain SELECT instead (<see cref="Create"/> returns null), whose messages name the type.
/// Cells become the same canonical text as <see cref="DbTableCursor"/> gives.
/// </summary>
internal sealed class PostgresCopyCursor : ITableCursor
{
    private static readonly HashSet<string> Supported = new(StringComparer.OrdinalIgnoreCase)
    {
        "text", "character varying", "character", "name", "boolean", "smallint", "integer", "bigint", "date",
        "timestamp with time zone", "timestamp without time zone",
    };

    private readonly NpgsqlBinaryExporter _exporter;
    private readonly IDisposable _owned;
    private readonly string[] _names;
    private readonly string[] _types;
    private readonly string?[] _values;
    private readonly byte[]?[] _scratch;
    private readonly Dictionary<string, int> _columns = new(StringComparer.OrdinalIgnoreCase);
    private bool _done;

    private PostgresCopyCursor(NpgsqlBinaryExporter exporter, IDisposable owned, string[] names, string[] types, string displayName, bool personal)
    {
        _exporter = exporter;
        _owned = owned;
        _names = names;
        _types = types;
        _values = new string?[names.Length];
        _scratch = new byte[]?[names.Length];
        DisplayName = displayName;
        Personal = personal;
        for (var i = 0; i < names.Length; i++)
        {
            _columns.TryAdd(names[i].Trim(), i);
        }
    }

    /// <summary>A COPY cursor over the table, or null when one of its columns has a type COPY is not read with here.</summary>
    /// <param name="connection">Open; owned by the cursor once one is returned.</param>
    /// <param name="dialect">Names and quoting of the schema.</param>
    /// <param name="table">Canonical table name.</param>
    public static PostgresCopyCursor? Create(NpgsqlConnection connection, ISqlDialect dialect, string table)
    {
        string[] names, types;
        using (var probe = connection.CreateCommand())
        {
            probe.CommandText = dialect.ColumnsSql(table);
            using var reader = probe.ExecuteReader();
            names = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
            types = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName)];
        }

        if (types.Any(t => !Supported.Contains(t)))
        {
            return null;
        }

        var columns = string.Join(", ", names.Select(dialect.Quote));
        var exporter = connection.BeginBinaryExport($"COPY (SELECT {columns} FROM {dialect.Table(table)}) TO STDOUT (FORMAT BINARY)");
        return new PostgresCopyCursor(exporter, connection, names, types, dialect.DisplayName(table), TableCursorExtensions.IsPersonalTable(table));
    }

    public string DisplayName { get; }

    public bool Personal { get; }

    public InputProblems? Problems { get; set; }

    public long Line { get; private set; }

    public long? MessageLine => Line;

    public int Column(string name, bool required = true) =>
        _columns.TryGetValue(name, out var index) ? index
        : required ? this.MissingColumn(new InputErrorException(DisplayName, null, name, $"required column '{name}' is missing")) : -1;

    public bool Read()
    {
        if (_done || _exporter.StartRow() == -1)
        {
            _done = true;
            return false;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            if (_exporter.IsNull)
            {
                _exporter.Skip();
                _values[i] = null;
                continue;
            }

            // The same text the SELECT path's driver values give (DbTableCursor.Text): booleans as true/false,
            // integers as digits, dates and times as ISO 8601 (timestamptz in UTC).
            // Binary COPY carries no type: each read names it, or a date would be read as an 8-byte timestamp.
            _values[i] = _types[i].ToLowerInvariant() switch
            {
                "boolean" => _exporter.Read<bool>(NpgsqlDbType.Boolean) ? "true" : "false",
                "smallint" => DbTableCursor.Text(_exporter.Read<short>(NpgsqlDbType.Smallint)),
                "integer" => DbTableCursor.Text(_exporter.Read<int>(NpgsqlDbType.Integer)),
                "bigint" => DbTableCursor.Text(_exporter.Read<long>(NpgsqlDbType.Bigint)),
                "date" => DbTableCursor.Text(_exporter.Read<DateTime>(NpgsqlDbType.Date)),
                "timestamp with time zone" => DbTableCursor.Text(_exporter.Read<DateTime>(NpgsqlDbType.TimestampTz)),
                "timestamp without time zone" => DbTableCursor.Text(_exporter.Read<DateTime>(NpgsqlDbType.Timestamp)),
                _ => _exporter.Read<string>(NpgsqlDbType.Text),
            };
        }

        Line++;
        return true;
    }

    public string? Get(int column) => column < 0 ? null : _values[column];

    public ReadOnlySpan<byte> Bytes(int column)
    {
        var text = Get(column);
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        ref var buffer = ref _scratch[column];
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (buffer is null || buffer.Length < needed)
        {
            buffer = new byte[Math.Max(needed, 128)];
        }

        return buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer));
    }

    public string Describe(int column) => _names[column];

    public string ColumnName(int column) => _names[column];

    public void Dispose()
    {
        try
        {
            _exporter.Dispose();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            // Stopped part-way by an input error: the connection goes with it, and that error is the one to report.
        }

        _owned.Dispose();
    }
}
