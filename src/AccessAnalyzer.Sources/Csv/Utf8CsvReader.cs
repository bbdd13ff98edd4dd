using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Csv;

/// <summary>
/// Streaming RFC 4180 reader over UTF-8 bytes: comma separator, double-quote quoting with doubled quotes inside,
/// fields that span lines, CRLF, LF or CR line ends, UTF-8 with or without BOM (a UTF-16 or UTF-32 BOM is honoured by
/// transcoding). Fields are exposed as byte spans into the read buffer, so the big tables are parsed without a string
/// per cell; <see cref="CsvTableCursor"/> decode the cells they need.
/// <para>
/// Tracks the line each record starts on for messages. Fully blank lines are skipped. Strict where RFC 4180 is: text
/// after a closing quote and an unclosed quote are errors. Invalid UTF-8 is an error on the record that holds it.
/// </para>
/// </summary>
internal sealed class Utf8CsvReader : IDisposable
{
    private const int InitialBuffer = 1 << 20;

    /// <summary>The longest record read (1 MiB, the buffer's first size): canonical rows are a few hundred bytes.</summary>
    internal const int MaxRecordBytes = 1 << 20;
    private static readonly SearchValues<byte> Delimiters = SearchValues.Create(","u8 + "\r\n"u8);
    private static readonly SearchValues<byte> QuoteOrNewline = SearchValues.Create("\"\n"u8);
    private static readonly Vector256<byte> Comma = Vector256.Create((byte)',');
    private static readonly Vector256<byte> Lf = Vector256.Create((byte)'\n');
    private static readonly Vector256<byte> Cr = Vector256.Create((byte)'\r');

    private readonly Stream _stream;
    private readonly string _displayName;
    private byte[] _buffer = new byte[InitialBuffer];
    private byte[] _scratch = new byte[256];
    private int _start;          // first byte of the next record
    private int _end;            // end of the bytes read so far
    private int _validated;      // bytes before this index are known to be valid UTF-8
    private long _bufferBase;    // stream offset of _buffer[0]
    private long _invalidAt = -1; // stream offset of the first invalid UTF-8 byte, once seen
    private bool _eof;
    private long _line = 1;
    private int[] _fieldStart = new int[16];   // >= 0: offset in _buffer; < 0: ~offset in _scratch (unescaped quoted field)
    private int[] _fieldLength = new int[16];
    private int _fieldCount;

    public Utf8CsvReader(string path, string displayName)
    {
        _displayName = displayName;
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 0, // this reader buffers; a second buffer would only copy
            Options = FileOptions.SequentialScan,
        });
        try
        {
            _stream = OpenDecoded(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        // A UTF-8 byte order mark is not part of the first field.
        if (Ensure(3) && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
        {
            // The mark is valid UTF-8: when it is all there is so far, validation may still stand before it (it backs
            // off from what looks like a cut sequence), and must not be left behind the first unconsumed byte.
            _start = 3;
            _validated = Math.Max(_validated, 3);
        }
    }

    /// <summary>Line on which the current record starts (1-based).</summary>
    public long RecordLine { get; private set; }

    /// <summary>Fields of the current record.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>The bytes of field <paramref name="index"/> of the current record (quotes removed, doubled quotes undone).</summary>
    public ReadOnlySpan<byte> Field(int index)
    {
        var start = _fieldStart[index];
        return start >= 0 ? _buffer.AsSpan(start, _fieldLength[index]) : _scratch.AsSpan(~start, _fieldLength[index]);
    }

    /// <summary>Field <paramref name="index"/> decoded as a string.</summary>
    public string FieldString(int index)
    {
        var bytes = Field(index);
        return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads the next non-blank record; false at end of file.</summary>
    public bool Read()
    {
        while (ReadRecord())
        {
            if (_fieldCount > 1 || _fieldLength[0] > 0)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>UTF-16 and UTF-32 files (with their BOM) are transcoded to UTF-8, as a StreamReader would decode them.</summary>
    private static Stream OpenDecoded(FileStream file)
    {
        Span<byte> head = stackalloc byte[4];
        var n = file.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        file.Position = 0;
        Encoding? encoding = null;
        if (n >= 4 && head[0] == 0xFF && head[1] == 0xFE && head[2] == 0 && head[3] == 0)
        {
            encoding = new UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true);
        }
        else if (n >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0xFE && head[3] == 0xFF)
        {
            encoding = new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true);
        }
        else if (n >= 2 && head[0] == 0xFF && head[1] == 0xFE)
        {
            encoding = new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true);
        }
        else if (n >= 2 && head[0] == 0xFE && head[1] == 0xFF)
        {
            encoding = new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true);
        }

        if (encoding is null)
        {
            return file;
        }

        file.Position = encoding is UTF32Encoding ? 4 : 2;
        return Encoding.CreateTranscodingStream(file, encoding, new UTF8Encoding(false), leaveOpen: false);
    }

    private bool ReadRecord()
    {
        while (true)
        {
            if (_start >= _end && !Ensure(1))
            {
                return false;
            }

            if (TryParseRecord())
            {
                return true;
            }

            // The record runs past the bytes read so far: read more and parse it again from its start.
            if (!ReadMore())
            {
                throw new InvalidOperationException("CSV reader made no progress at end of file.");
            }
        }
    }

    /// <summary>
    /// Parses one record from <see cref="_start"/>. Returns false, having consumed nothing, when the bytes read so far
    /// end inside it (more must be read first); errors are thrown only when the bytes decide them.
    /// </summary>
    private bool TryParseRecord()
    {
        var buffer = _buffer;
        var end = _end;
        var pos = _start;
        var line = _line;
        var scratchUsed = 0;
        var maskBase = int.MinValue / 2;
        uint mask = 0;
        _fieldCount = 0;
        while (true)
        {
            int c;
            if (pos < end && buffer[pos] == (byte)'"')
            {
                var openedAt = line;
                var field = scratchUsed;
                pos++;
                while (true)
                {
                    var stop = pos < end ? buffer.AsSpan(pos, end - pos).IndexOfAny(QuoteOrNewline) : -1;
                    if (stop < 0)
                    {
                        if (!_eof)
                        {
                            return false;
                        }

                        CheckUtf8(end);
                        throw new InputErrorException(_displayName, openedAt, $"column {_fieldCount + 1}",
                            "unclosed quote (the quoted field runs to the end of the file)");
                    }

                    Append(ref scratchUsed, buffer.AsSpan(pos, stop + 1));
                    pos += stop + 1;
                    if (buffer[pos - 1] == (byte)'\n')
                    {
                        line++;
                        continue;
                    }

                    // A quote: doubled, it is one quote of the value; alone, it closes the field.
                    if (pos >= end && !_eof)
                    {
                        return false;
                    }

                    if (pos < end && buffer[pos] == (byte)'"')
                    {
                        pos++;
                        continue;
                    }

                    scratchUsed--; // the closing quote is not part of the value
                    break;
                }

                AddField(~field, scratchUsed - field);
                c = pos < end ? buffer[pos++] : -1;
            }
            else
            {
                int stop;
                if (pos + 32 <= end && Vector256.IsHardwareAccelerated)
                {
                    // Delimiters of the 32 bytes from maskBase, as bits; reused by the next fields of the record.
                    if (pos >= maskBase + 32 || (mask >> (pos - maskBase)) == 0)
                    {
                        var block = Vector256.Create<byte>(buffer.AsSpan(pos, 32));
                        mask = (Vector256.Equals(block, Comma) | Vector256.Equals(block, Lf) | Vector256.Equals(block, Cr)).ExtractMostSignificantBits();
                        maskBase = pos;
                    }

                    var bits = mask >> (pos - maskBase);
                    stop = bits != 0 ? BitOperations.TrailingZeroCount(bits) : buffer.AsSpan(pos + 32, end - pos - 32).IndexOfAny(Delimiters) is var more && more >= 0 ? 32 + more : -1;
                }
                else
                {
                    stop = pos < end ? buffer.AsSpan(pos, end - pos).IndexOfAny(Delimiters) : -1;
                }

                if (stop < 0)
                {
                    if (!_eof)
                    {
                        return false;
                    }

                    AddField(pos, end - pos);
                    pos = end;
                    c = -1;
                }
                else
                {
                    AddField(pos, stop);
                    pos += stop;
                    c = buffer[pos++];
                }
            }

            switch (c)
            {
                case ',':
                    continue;
                case '\r':
                    if (pos >= end && !_eof)
                    {
                        return false;
                    }

                    if (pos < end && buffer[pos] == (byte)'\n')
                    {
                        pos++;
                    }

                    line++;
                    break;
                case '\n':
                    line++;
                    break;
                case -1:
                    break;
                default:
                    CheckUtf8(pos);
                    // The character itself is not shown: in a beneficiary table it would be part of an identifier.
                    throw new InputErrorException(_displayName, line, $"column {_fieldCount}",
                        "unexpected text after a closing quote (a quote inside a field must be doubled)");
            }

            RecordLine = _line;
            CheckUtf8(pos);
            _start = pos;
            _line = line;
            return true;
        }
    }

    /// <summary>Copies part of a quoted field into the scratch buffer, undoing doubled quotes as it goes (the caller skips the second quote).</summary>
    private void Append(ref int used, ReadOnlySpan<byte> bytes)
    {
        if (used + bytes.Length > _scratch.Length)
        {
            Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, used + bytes.Length));
        }

        bytes.CopyTo(_scratch.AsSpan(used));
        used += bytes.Length;
    }

    private void AddField(int start, int length)
    {
        if (_fieldCount == _fieldStart.Length)
        {
            Array.Resize(ref _fieldStart, _fieldCount * 2);
            Array.Resize(ref _fieldLength, _fieldCount * 2);
        }

        _fieldStart[_fieldCount] = start;
        _fieldLength[_fieldCount] = length;
        _fieldCount++;
    }

    /// <summary>Throws when an invalid UTF-8 byte lies between the start of the current record and <paramref name="pos"/>.</summary>
    private void CheckUtf8(int pos)
    {
        if (_invalidAt < 0 || _invalidAt >= _bufferBase + pos)
        {
            return;
        }

        // Name the line of the offending byte itself.
        var line = _line;
        var invalid = (int)(_invalidAt - _bufferBase);
        if (invalid > _start)
        {
            line += _buffer.AsSpan(_start, invalid - _start).Count((byte)'\n');
        }

        throw new InputErrorException(_displayName, line, null, "not valid UTF-8");
    }

    /// <summary>Makes at least <paramref name="count"/> unconsumed bytes available if the file has them; false at end of file with none left.</summary>
    private bool Ensure(int count)
    {
        while (_end - _start < count && !_eof)
        {
            ReadMore();
        }

        return _end > _start;
    }

    /// <summary>Reads more bytes after the unconsumed ones (moving them to the front, growing the buffer for a huge record).</summary>
    private bool ReadMore()
    {
        if (_eof)
        {
            return false;
        }

        if (_start > 0)
        {
            var kept = _end - _start;
            _buffer.AsSpan(_start, kept).CopyTo(_buffer);
            _bufferBase += _start;
            _validated -= _start;
            _end = kept;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_end >= MaxRecordBytes)
            {
                // A record this long is not an export row: a device such as /dev/zero, or a file without line ends,
                // would otherwise grow the buffer until memory runs out.
                throw new InputErrorException(_displayName, _line, null,
                    $"record longer than {MaxRecordBytes / (1 << 20)} MiB (no line end found; is this a CSV export?)");
            }

            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxRecordBytes));
        }

        int read;
        try
        {
            read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (DecoderFallbackException)
        {
            // A UTF-16 or UTF-32 file that does not decode.
            throw new InputErrorException(_displayName, _line, null, "not valid UTF-8");
        }

        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
        Validate();
        return true;
    }

    /// <summary>Checks the new bytes for valid UTF-8, leaving a sequence cut by the end of the buffer for the next read.</summary>
    private void Validate()
    {
        if (_invalidAt >= 0)
        {
            return;
        }

        var upTo = _end;
        if (!_eof)
        {
            // Back off to the start of a multi-byte sequence that may be incomplete.
            var back = 0;
            while (back < 3 && upTo - back - 1 >= _validated && (_buffer[upTo - back - 1] & 0xC0) == 0x80)
            {
                back++;
            }

            if (upTo - back - 1 >= _validated && _buffer[upTo - back - 1] >= 0xC0)
            {
                upTo -= back + 1;
            }
        }

        var span = _buffer.AsSpan(_validated, upTo - _validated);
        if (!Utf8.IsValid(span))
        {
            _invalidAt = _bufferBase + _validated + FirstInvalid(span);
        }

        _validated = upTo;
    }

    private static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return bytes.Length;
    }
}
