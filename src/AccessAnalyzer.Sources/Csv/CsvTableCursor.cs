using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>A canonical table as a CSV file: columns found by header name, rows checked for their field count.</summary>
internal sealed class CsvTableCursor : ITableCursor
{
    private readonly Utf8CsvReader _reader;
    private readonly Dictionary<string, int> _columns = new(StringComparer.OrdinalIgnoreCase);
    private readonly string[] _header;

    private CsvTableCursor(Utf8CsvReader reader, string displayName)
    {
        _reader = reader;
        DisplayName = displayName;
        if (!reader.Read())
        {
            throw new InputErrorException(displayName, 1, null, "empty file: the header row is missing");
        }

        _header = new string[reader.FieldCount];
        for (var i = 0; i < _header.Length; i++)
        {
            _header[i] = reader.FieldString(i).Trim();
            if (!_columns.TryAdd(_header[i], i))
            {
                throw new InputErrorException(displayName, 1, $"column {i + 1}", $"duplicate column '{_header[i]}' in the header");
            }
        }
    }

    public string DisplayName { get; }

    public bool Personal { get; private init; }

    public InputProblems? Problems { get; set; }

    public long Line => _reader.RecordLine;

    public long? MessageLine => Line;

    /// <summary>
    /// Opens <c>&lt;table&gt;.csv</c> in a directory; null when the table is optional and no regular file holds it (absent,
    /// or a directory or special file of that name: see <see cref="FileTypes"/>, which tells the two apart).
    /// </summary>
    public static CsvTableCursor? Open(string directory, string table, bool required)
    {
        var fileName = table + ".csv";
        var path = Path.Combine(directory, fileName);
        var type = FileTypes.Of(path);
        var kind = CsvFile.Kind(type);
        if (kind != CsvFileKind.File)
        {
            return !required ? null
                : kind == CsvFileKind.Absent
                    ? throw new InputErrorException(fileName, null, null, $"required table '{table}' is missing (no {fileName} in {directory})")
                    : throw new InputErrorException(fileName, null, null,
                        $"required table '{table}' cannot be read: {fileName} in {directory} is {FileTypes.Describe(type)}, not a regular file");
        }

        var reader = new Utf8CsvReader(path, fileName);
        try
        {
            return new CsvTableCursor(reader, fileName) { Personal = TableCursorExtensions.IsPersonalTable(table) };
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>What stands where <c>&lt;table&gt;.csv</c> belongs in a directory.</summary>
    public static CsvFileKind Locate(string directory, string table) => CsvFile.Kind(Path.Combine(directory, table + ".csv"));

    public int Column(string name, bool required = true)
    {
        if (_columns.TryGetValue(name, out var index))
        {
            return index;
        }

        return required
            ? this.MissingColumn(new InputErrorException(DisplayName, 1, name, $"required column '{name}' is missing from the header"))
            : -1;
    }

    public bool Read()
    {
        while (_reader.Read())
        {
            if (_reader.FieldCount == _header.Length)
            {
                return true;
            }

            var error = new InputErrorException(DisplayName, Line, null, $"expected {_header.Length} fields as in the header, found {_reader.FieldCount}");
            if (Problems is null)
            {
                throw error;
            }

            // Checking: the row is counted and skipped; its cells cannot be told apart.
            Problems.Add(new InputErrorException(DisplayName, Line, null, "field count differs from the header's"), perRow: true);
        }

        return false;
    }

    public string? Get(int column) => column < 0 ? null : _reader.FieldString(column);

    public string ColumnName(int column) => _header[column];

    /// <summary>The UTF-8 bytes of a cell of the current row, without decoding it (the big tables' fast path).</summary>
    public ReadOnlySpan<byte> Bytes(int column) => _reader.Field(column);

    public string Describe(int column) => $"{_header[column]} (column {column + 1})";

    public void Dispose() => _reader.Dispose();
}
