using AccessAnalyzer.Sources.Csv;

namespace AccessAnalyzer.Tests.Reference;

/// <summary>
/// Record-at-a-time view of a CSV file with every field decoded to a string: the convenient form for small tables
/// and tools. It is <see cref="Utf8CsvReader"/> underneath, so both accept and reject exactly the same input.
/// </summary>
internal sealed class CsvReader : IDisposable
{
    private readonly Utf8CsvReader _reader;
    private readonly List<string> _fields = [];

    public CsvReader(string path, string displayName) => _reader = new Utf8CsvReader(path, displayName);

    /// <summary>Line on which the current record starts (1-based).</summary>
    public long RecordLine => _reader.RecordLine;

    public IReadOnlyList<string> Fields => _fields;

    /// <summary>Reads the next non-blank record into <see cref="Fields"/>; false at end of file.</summary>
    public bool Read()
    {
        _fields.Clear();
        if (!_reader.Read())
        {
            return false;
        }

        for (var i = 0; i < _reader.FieldCount; i++)
        {
            _fields.Add(_reader.FieldString(i));
        }

        return true;
    }

    public void Dispose() => _reader.Dispose();
}
