using System.Text;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Data.Sources.Csv;

/// <summary>
/// Streaming RFC 4180 reader: comma separator, double-quote quoting with doubled quotes inside, fields that span
/// lines, CRLF or LF line ends, UTF-8 with or without BOM. Tracks the line each record starts on for messages.
/// Fully blank lines are skipped. Strict where RFC 4180 is: text after a closing quote and an unclosed quote are errors.
/// </summary>
internal sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly string _displayName;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _field = new();
    private readonly List<string> _fields = [];
    private int _position;
    private int _length;
    private long _line = 1;

    public CsvReader(string path, string displayName)
    {
        _displayName = displayName;
        _reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true,
            new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
    }

    /// <summary>Line on which the current record starts (1-based).</summary>
    public long RecordLine { get; private set; }

    public IReadOnlyList<string> Fields => _fields;

    /// <summary>Reads the next non-blank record into <see cref="Fields"/>; false at end of file.</summary>
    public bool Read()
    {
        try
        {
            while (true)
            {
                if (!ReadRecord())
                {
                    return false;
                }

                if (_fields.Count > 1 || _fields[0].Length > 0)
                {
                    return true;
                }
            }
        }
        catch (DecoderFallbackException)
        {
            throw new InputErrorException(_displayName, _line, null, "not valid UTF-8");
        }
    }

    private bool ReadRecord()
    {
        _fields.Clear();
        if (!Fill())
        {
            return false;
        }

        RecordLine = _line;
        while (true)
        {
            _field.Clear();
            if (Peek() == '"')
            {
                _position++;
                ReadQuoted();
            }
            else
            {
                ReadUnquoted();
            }

            _fields.Add(_field.ToString());
            var c = Next();
            switch (c)
            {
                case ',':
                    continue;
                case '\r':
                    if (Peek() == '\n')
                    {
                        _position++;
                    }

                    _line++;
                    return true;
                case '\n':
                    _line++;
                    return true;
                case -1:
                    return true;
                default:
                    // The character itself is not shown: in a beneficiary table it would be part of an identifier.
                    throw new InputErrorException(_displayName, _line, $"column {_fields.Count}",
                        "unexpected text after a closing quote (a quote inside a field must be doubled)");
            }
        }
    }

    private void ReadUnquoted()
    {
        while (true)
        {
            if (_position >= _length && !Fill())
            {
                return;
            }

            var span = _buffer.AsSpan(_position, _length - _position);
            var stop = span.IndexOfAny(',', '\r', '\n');
            if (stop < 0)
            {
                _field.Append(span);
                _position = _length;
                continue;
            }

            _field.Append(span[..stop]);
            _position += stop;
            return;
        }
    }

    private void ReadQuoted()
    {
        var openedAt = _line;
        while (true)
        {
            if (_position >= _length && !Fill())
            {
                throw new InputErrorException(_displayName, openedAt, $"column {_fields.Count + 1}",
                    "unclosed quote (the quoted field runs to the end of the file)");
            }

            var span = _buffer.AsSpan(_position, _length - _position);
            var quote = span.IndexOfAny('"', '\n');
            if (quote < 0)
            {
                _field.Append(span);
                _position = _length;
                continue;
            }

            _field.Append(span[..quote]);
            _position += quote + 1;
            if (span[quote] == '\n')
            {
                _field.Append('\n');
                _line++;
                continue;
            }

            if (Peek() == '"')
            {
                _field.Append('"');
                _position++;
                continue;
            }

            return;
        }
    }

    private int Peek() => _position < _length || Fill() ? _buffer[_position] : -1;

    private int Next() => _position < _length || Fill() ? _buffer[_position++] : -1;

    private bool Fill()
    {
        if (_position < _length)
        {
            return true;
        }

        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }

    public void Dispose() => _reader.Dispose();
}
