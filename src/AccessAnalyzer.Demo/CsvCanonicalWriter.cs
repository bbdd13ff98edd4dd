using System.Buffers;
using System.Text;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Demo;

/// <summary>
/// Writes the canonical tables as one <c>&lt;table&gt;.csv</c> per table in a directory: UTF-8 without BOM, a header
/// row, <c>\n</c> line ends, RFC 4180 quoting (a field containing a comma, a quote, CR or LF is quoted and its quotes
/// doubled). Existing files of the same names are replaced; other files in the directory are left alone.
/// Every table gets its file, with its header, even when no row is written.
/// </summary>
public sealed class CsvCanonicalWriter : ICanonicalWriter
{
    private const int BufferSize = 1 << 16;
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(",\"\r\n");

    private readonly StreamWriter[] _writers;
    private bool _disposed;

    /// <summary>Creates <paramref name="directory"/> if needed and opens one file per canonical table.</summary>
    public CsvCanonicalWriter(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _writers = new StreamWriter[CanonicalLayout.TableNames.Length];
        try
        {
            for (var t = 0; t < _writers.Length; t++)
            {
                var path = Path.Combine(Directory, CanonicalLayout.TableNames[t] + ".csv");
                var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, BufferSize);
                _writers[t] = new StreamWriter(stream, Utf8NoBom, BufferSize) { NewLine = "\n" };
                var columns = CanonicalLayout.Columns[t];
                for (var c = 0; c < columns.Length; c++)
                {
                    if (c > 0)
                    {
                        _writers[t].Write(',');
                    }

                    _writers[t].Write(columns[c]);
                }

                _writers[t].Write('\n');
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

    public void WriteOrgUnit(string id, string? parentId, string kind, string name)
    {
        var w = _writers[(int)CanonicalTable.OrgUnits];
        Field(w, id);
        Next(w, parentId);
        Next(w, kind);
        Last(w, name);
    }

    public void WritePrincipal(
        string id, PrincipalKind kind, string organization, string? unitId, string name,
        bool active, bool mfa, DateOnly? lastLogin)
    {
        var w = _writers[(int)CanonicalTable.Principals];
        Field(w, id);
        Next(w, CanonicalLayout.Kind(kind));
        Next(w, organization);
        Next(w, unitId);
        Next(w, name);
        Next(w, CanonicalLayout.Boolean(active));
        Next(w, CanonicalLayout.Boolean(mfa));
        Last(w, CanonicalLayout.Date(lastLogin));
    }

    public void WriteGroup(string id, string name)
    {
        var w = _writers[(int)CanonicalTable.Groups];
        Field(w, id);
        Last(w, name);
    }

    public void WriteMembership(string groupId, string memberId, MemberType memberType)
    {
        var w = _writers[(int)CanonicalTable.Memberships];
        Field(w, groupId);
        Next(w, memberId);
        Last(w, CanonicalLayout.Member(memberType));
    }

    public void WriteRole(string id, string name, bool fileAccess, bool sensitive)
    {
        var w = _writers[(int)CanonicalTable.Roles];
        Field(w, id);
        Next(w, name);
        Next(w, CanonicalLayout.Boolean(fileAccess));
        Last(w, CanonicalLayout.Boolean(sensitive));
    }

    public void WriteAssignment(
        string id, string roleId, string holderId, HolderType holderType,
        AssignmentScope scope, string? scopeUnitId, DateOnly? validUntil)
    {
        var w = _writers[(int)CanonicalTable.Assignments];
        Field(w, id);
        Next(w, roleId);
        Next(w, holderId);
        Next(w, CanonicalLayout.Holder(holderType));
        Next(w, CanonicalLayout.Scope(scope));
        Next(w, scopeUnitId);
        Last(w, CanonicalLayout.Date(validUntil));
    }

    public void WriteFile(string id, string unitId, bool sensitive, bool closed)
    {
        var w = _writers[(int)CanonicalTable.Files];
        Field(w, id);
        Next(w, unitId);
        Next(w, CanonicalLayout.Boolean(sensitive));
        Last(w, CanonicalLayout.Boolean(closed));
    }

    public void WriteCaseload(string fileId, string principalId)
    {
        var w = _writers[(int)CanonicalTable.Caseload];
        Field(w, fileId);
        Last(w, principalId);
    }

    public void WriteShare(string fileId, string principalId, DateOnly? validUntil)
    {
        var w = _writers[(int)CanonicalTable.Shares];
        Field(w, fileId);
        Next(w, principalId);
        Last(w, CanonicalLayout.Date(validUntil));
    }

    public void WriteAccessEvent(string principalId, string fileId, DateTime at, string action)
    {
        var w = _writers[(int)CanonicalTable.AccessEvents];
        Field(w, principalId);
        Next(w, fileId);
        Next(w, CanonicalLayout.Timestamp(at));
        Last(w, action);
    }

    public void WriteAccountPolicy(string organization, int lockoutThreshold, bool mfaRequired)
    {
        var w = _writers[(int)CanonicalTable.AccountPolicy];
        Field(w, organization);
        Next(w, CanonicalLayout.Integer(lockoutThreshold));
        Last(w, CanonicalLayout.Boolean(mfaRequired));
    }

    public void WriteJustification(JustificationSubject subjectType, string subjectId, string reason, string owner, DateOnly expires)
    {
        var w = _writers[(int)CanonicalTable.Justifications];
        Field(w, CanonicalLayout.Subject(subjectType));
        Next(w, subjectId);
        Next(w, reason);
        Next(w, owner);
        Last(w, CanonicalLayout.Date(expires));
    }

    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var w in _writers)
        {
            w.Flush();
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

    private static void Next(StreamWriter w, string? value)
    {
        w.Write(',');
        Field(w, value);
    }

    private static void Last(StreamWriter w, string? value)
    {
        w.Write(',');
        Field(w, value);
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
