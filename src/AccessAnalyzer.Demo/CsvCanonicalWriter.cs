using System.Buffers;
using System.Text;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Demo;

/// <summary>
/// Writes the canonical tables as one <c>&lt;table&gt;.csv</c> per table in a directory: UTF-8 without BOM, a header
/// row, <c>\n</c> line ends, RFC 4180 quoting (a field containing a comma, a quote, CR or LF is quoted and its quotes
/// doubled). Existing files of the same names are replaced; other files in the directory are left alone.
/// Every table gets its file, with its header, even when no row is written; <c>db export</c> names the tables it has
/// and writes rows already spelled canonically (<see cref="WriteText"/>).
/// </summary>
public sealed class CsvCanonicalWriter : CanonicalTextWriter, ICanonicalWriter
{
    private const int BufferSize = 1 << 16;
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(",\"\r\n");

    private readonly StreamWriter?[] _writers;
    private bool _disposed;

    /// <summary>Creates <paramref name="directory"/> if needed and opens one file per canonical table.</summary>
    public CsvCanonicalWriter(string directory)
        : this(directory, CanonicalLayout.TableNames)
    {
    }

    /// <summary>Creates <paramref name="directory"/> if needed and opens the files of <paramref name="tables"/> (canonical names) only.</summary>
    public CsvCanonicalWriter(string directory, IReadOnlyCollection<string> tables)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.FirstOrDefault(t => !CanonicalLayout.TableNames.Contains(t)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a canonical table", nameof(tables));
        }

        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _writers = new StreamWriter?[CanonicalLayout.TableNames.Length];
        try
        {
            for (var t = 0; t < _writers.Length; t++)
            {
                if (!tables.Contains(CanonicalLayout.TableNames[t]))
                {
                    continue;
                }

                var path = Path.Combine(Directory, CanonicalLayout.TableNames[t] + ".csv");
                var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, BufferSize);
                var writer = new StreamWriter(stream, Utf8NoBom, BufferSize) { NewLine = "\n" };
                _writers[t] = writer;
                Line(writer, CanonicalLayout.Columns[t]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Full path of the output directory.</summary>
    public string Directory { get; }

    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var w in _writers)
        {
            w?.Flush();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var w in _writers)
        {
            w?.Dispose();
        }
    }

    /// <summary>
    /// One row of <paramref name="table"/> (a canonical name whose file this writer opened) whose fields are already
    /// canonical text, in <see cref="ColumnsOf"/> order; null is an empty field.
    /// </summary>
    public void WriteText(string table, params ReadOnlySpan<string?> fields)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var t = Array.IndexOf(CanonicalLayout.TableNames, table);
        var writer = t >= 0 ? _writers[t] : null;
        if (writer is null)
        {
            throw new ArgumentException($"no file is open for table '{table}'", nameof(table));
        }

        if (fields.Length != CanonicalLayout.Columns[t].Length)
        {
            throw new ArgumentException($"{table} has {CanonicalLayout.Columns[t].Length} columns, not {fields.Length}", nameof(fields));
        }

        Line(writer, fields);
    }

    /// <summary>The columns of a canonical table, in the order of its file's header.</summary>
    public static IReadOnlyList<string> ColumnsOf(string table) =>
        CanonicalLayout.Columns[Array.IndexOf(CanonicalLayout.TableNames, table) is var t and >= 0 ? t
            : throw new ArgumentException($"'{table}' is not a canonical table", nameof(table))];

    private protected override void WriteRow(CanonicalTable table, params ReadOnlySpan<string?> fields) =>
        Line(_writers[(int)table] ?? throw new InvalidOperationException($"no file is open for table '{CanonicalLayout.TableNames[(int)table]}'"), fields);

    /// <summary>One line of a table's file (a row, or the header): the fields comma-separated, then LF.</summary>
    private static void Line(StreamWriter w, ReadOnlySpan<string?> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                w.Write(',');
            }

            Field(w, fields[i]);
        }

        w.Write('\n');
    }

    /// <summary>One field, quoted only when RFC 4180 requires it. Null is written as an empty field.</summary>
    private static void Field(StreamWriter w, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (!value.AsSpan().ContainsAny(NeedsQuoting))
        {
            w.Write(value);
            return;
        }

        w.Write('"');
        var span = value.AsSpan();
        int quote;
        while ((quote = span.IndexOf('"')) >= 0)
        {
            w.Write(span[..(quote + 1)]);
            w.Write('"');
            span = span[(quote + 1)..];
        }

        w.Write(span);
        w.Write('"');
    }
}
