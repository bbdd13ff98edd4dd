using System.Data.Common;
using System.Globalization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;

using Usage_ = AccessAnalyzer.Sources.Usage;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// The canonical tables (or views of those names) in any database the dialect layer speaks: SQLite, PostgreSQL,
/// SQL Server. The big tables never leave the database as rows: files are counted per unit and class, distinct
/// caseload pairs per principal, unit and class, by GROUP BYs that run where the data lives. So the rows transferred
/// (<see cref="RowsRead"/>) grow with units, principals, groups and assignments, never with files.
/// Only SELECT is needed; <see cref="WritableInputTables"/> tells whether the login could do more.
/// The engine of the database sources (<see cref="SqliteSource"/>, <see cref="ServerSource"/>), which own the connection.
/// </summary>
internal sealed class DatabaseReader : ICanonicalTables, ITableOpener
{
    private readonly DbConnection _connection;
    private Dictionary<string, string>? _relations;

    /// <param name="connection">An open connection; not owned (the caller disposes it).</param>
    /// <param name="dialect">How this database spells things.</param>
    /// <param name="sourceName">Name in reports and messages: a path or <c>postgres:host/db</c>, never a connection string.</param>
    public DatabaseReader(DbConnection connection, ISqlDialect dialect, string sourceName)
    {
        _connection = connection;
        Dialect = dialect;
        SourceName = sourceName;
    }

    public ISqlDialect Dialect { get; }

    public string SourceName { get; }

    /// <summary>Rows received from the database so far, over every query (small tables, aggregates, shares).</summary>
    public long RowsRead { get; private set; }

    /// <summary>Reads the small tables as rows and the big ones as aggregates.</summary>
    public SourceTables Read(IProgress<string>? progress = null)
    {
        try
        {
            return ReadTables(progress);
        }
        catch (DbException ex)
        {
            throw new InputErrorException(SourceName, null, null, $"cannot read the database: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads the small tables as rows here and the big ones row by row, each on a connection of its own from
    /// <paramref name="connect"/>, into the pipeline the CSV source uses (<c>--transfer stream</c>).
    /// </summary>
    public SourceTables ReadStreamed(Func<DbConnection> connect, IProgress<string>? progress = null)
    {
        var big = new DbBigTables(this, connect);
        try
        {
            // The catalog is read once, before the small tables (on this reader's connection) and the big ones (each
            // on its own) are read at once: only the small tables use this connection from then on.
            _ = Relations();
            return Csv.StreamedTables.Read(this, big, SourceName, Dialect.DisplayName,
                table => Relations().ContainsKey(table) ? null : TablePresence.Absent, progress);
        }
        catch (DbException ex)
        {
            throw new InputErrorException(SourceName, null, null, $"cannot read the database: {ex.Message}");
        }
        finally
        {
            RowsRead += big.RowsRead;
        }
    }

    /// <summary>Whether the schema has a table or view of this canonical name.</summary>
    public bool HasTable(string table) => Relations().ContainsKey(table);

    /// <summary>
    /// One beneficiary file for <c>explain --file</c>: its unit and class, its caseload holders and its shares; null
    /// when no file has this id. The only read of per-file rows, asked for explicitly; the id is bound, never logged.
    /// </summary>
    public FileFacts? FindFile(string fileId)
    {
        try
        {
            return LookUpFile(fileId);
        }
        catch (DbException ex)
        {
            throw new InputErrorException(SourceName, null, null, $"cannot read the database: {ex.Message}");
        }
    }

    /// <summary>
    /// The canonical tables present in the schema that the current login may INSERT, UPDATE or DELETE, in name order.
    /// Empty when the login is read-only, or when the database has no logins (SQLite, opened read-only).
    /// </summary>
    public IReadOnlyList<string> WritableInputTables()
    {
        var sql = Dialect.WritableTablesSql(CanonicalSchema.TableNames);
        if (sql is null)
        {
            return [];
        }

        try
        {
            using var command = Command(sql);
            AddSchemaParameter(command);
            var names = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }
        catch (DbException ex)
        {
            throw new InputErrorException(SourceName, null, null, $"cannot check the login's privileges: {ex.Message}");
        }
    }

    private SourceTables ReadTables(IProgress<string>? progress)
    {
        progress?.Report("reading org units, principals, groups, roles, assignments");
        var small = SmallTables.Read(this);

        Require("files");
        Require("caseload");
        RequireColumns("files", "id", "unit_id", "sensitive", "closed");
        RequireColumns("caseload", "file_id", "principal_id");

        progress?.Report("counting files per unit, checking their ids");
        var fileCounts = FileCounts();
        progress?.Report("counting caseload per principal and unit");
        var caseloadCounts = CaseloadCounts();
        var shares = Relations().ContainsKey("shares") ? Shares() : [];
        progress?.Report("numbering caseload files");
        var fileLinks = CaseloadFiles(shares);
        Core.Usage.UsageTables? usage = null;
        if (Relations().ContainsKey("access_events"))
        {
            progress?.Report("aggregating access events");
            usage = Usage();
        }

        // An empty access_events table (db init always creates one) says nothing about logging: no usage rule runs on
        // it, and coverage says it was empty rather than absent.
        return small.With(SourceName, Dialect.DisplayName, fileCounts, caseloadCounts, fileLinks, shares, usage,
            table => Relations().ContainsKey(table) ? null : TablePresence.Absent);
    }

    /// <summary>access_events aggregated by the database: rows grow with principals × days and principals × units.</summary>
    private Core.Usage.UsageTables? Usage()
    {
        RequireColumns("access_events", "principal_id", "file_id", "at");
        if (Dialect.UtcSessionSql is { } utcSession)
        {
            // Days are UTC days, whatever the server's or login's time zone.
            using var utc = Command(utcSession);
            utc.ExecuteNonQuery();
        }

        var (first, last) = Usage_.AccessEventAggregator.DayRange;
        DateOnly Day(DbTableCursor rows, int column)
        {
            var text = rows.Get(column);
            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day >= first && day <= last
                ? day
                : throw new InputErrorException(Dialect.DisplayName("access_events"), null, "at",
                    $"<value withheld> is not an ISO 8601 date-time from {first:yyyy-MM-dd} to {last:yyyy-MM-dd}");
        }

        long events = 0, missingPrincipal = 0;
        using (var rows = Query(Dialect.AccessEventCountsSql, "access_events"))
        {
            int eventCount = rows.Column("events"), missing = rows.Column("missing_principal");
            while (rows.Read())
            {
                (events, missingPrincipal) = (rows.Count(eventCount), rows.Count(missing));
            }

            RowsRead += rows.Line;
        }

        if (events == 0)
        {
            return null;
        }

        var days = new List<Core.Usage.PrincipalDay>();
        var principals = new List<Core.Usage.PrincipalActivity>();
        var units = new List<Core.Usage.UnitActivity>();
        if (Dialect.AggregatesAccessLogInProcess)
        {
            // One scan sorted by the database, aggregated here in one pass, beats three GROUP BYs over the log.
            (days, principals, units) = Usage_.SortedEventAggregator.Aggregate(SortedEvents());
        }
        else
        {
            // One statement for all three shapes: the join to files and the caseload probes, the costly part of reading
            // the log, happen once on PostgreSQL (four separate statements took 150 s at France scale, this one 68–80 s).
            using var rows = Query(Dialect.AccessEventsGroupedSql, "access_events");
            int g = rows.Column("g"), principal = rows.Column("principal_id"), day = rows.Column("day"), unit = rows.Column("unit_id"),
                reads = rows.Column("reads"), files = rows.Column("files"), outside = rows.Column("outside"), sensitive = rows.Column("sensitive"),
                sensitiveOutside = rows.Column("sensitive_outside"), firstDay = rows.Column("first_day"), lastDay = rows.Column("last_day"),
                lastOutside = rows.Column("last_outside");
            while (rows.Read())
            {
                switch ((AccessLogGrouping)rows.Count(g))
                {
                    case AccessLogGrouping.PrincipalDay:
                        days.Add(new(rows.Reference(principal), Day(rows, day), rows.Count(reads), rows.Count(files), rows.Count(outside),
                            rows.Count(sensitive), rows.Count(sensitiveOutside)));
                        break;
                    case AccessLogGrouping.Principal:
                        principals.Add(new(rows.Reference(principal), rows.Count(reads), rows.Count(files), rows.Count(outside),
                            rows.Count(sensitiveOutside), Day(rows, firstDay), Day(rows, lastDay)));
                        break;
                    case AccessLogGrouping.PrincipalUnit:
                        units.Add(new(rows.Reference(principal), rows.Reference(unit), Day(rows, lastDay),
                            rows.Get(lastOutside) is null ? null : Day(rows, lastOutside)));
                        break;
                    default:
                        throw new InvalidOperationException("unexpected grouping in the access_events aggregation");
                }
            }

            RowsRead += rows.Line;
        }

        // Valid events (principal and file exist) are exactly those the per-principal rows count; the rest name a
        // missing file once the missing principals are set apart.
        var valid = principals.Sum(a => a.Reads);
        return new Core.Usage.UsageTables(
            Core.Usage.PrincipalDayTable.FromRows(days),
            [.. principals.OrderBy(a => a.PrincipalId, StringComparer.Ordinal)],
            [.. units.OrderBy(u => u.PrincipalId, StringComparer.Ordinal).ThenBy(u => u.UnitId, StringComparer.Ordinal)],
            events,
            principals.Count == 0 ? null : principals.Min(a => a.FirstDay),
            principals.Count == 0 ? null : principals.Max(a => a.LastDay),
            missingPrincipal,
            events - missingPrincipal - valid);

        // Not counted in RowsRead: in-process rows cross no wire.
        IEnumerable<Usage_.ResolvedEvent> SortedEvents()
        {
            using var rows = Query(Dialect.AccessEventsSortedSql, "access_events");
            int principal = rows.Column("principal_id"), file = rows.Column("file_id"), day = rows.Column("day"), unit = rows.Column("unit_id"),
                sensitive = rows.Column("sensitive"), inCaseload = rows.Column("in_caseload");
            while (rows.Read())
            {
                yield return new Usage_.ResolvedEvent(rows.Reference(principal), rows.Reference(file), Day(rows, day),
                    rows.Reference(unit), rows.Count(sensitive) != 0, rows.Count(inCaseload) != 0);
            }
        }
    }

    private FileFacts? LookUpFile(string fileId)
    {
        Require("files");
        Require("caseload");
        var id = (Dialect.Parameter(0), (object)fileId);
        string? unitId = null;
        bool sensitive = false, closed = false;
        using (var rows = Query($"SELECT * FROM {Dialect.Table("files")} WHERE id = {Dialect.Parameter(0)}", "files", id))
        {
            int unit = rows.Column("unit_id"), s = rows.Column("sensitive"), c = rows.Column("closed");
            if (rows.Read())
            {
                unitId = rows.Reference(unit);
                sensitive = rows.Boolean(s);
                closed = rows.Boolean(c);
            }
        }

        if (unitId is null)
        {
            return null;
        }

        var caseload = new SortedSet<string>(StringComparer.Ordinal);
        using (var rows = Query($"SELECT * FROM {Dialect.Table("caseload")} WHERE file_id = {Dialect.Parameter(0)}", "caseload", id))
        {
            var principal = rows.Column("principal_id");
            while (rows.Read())
            {
                if (rows.Get(principal) is { } principalId)
                {
                    caseload.Add(principalId);
                }
            }
        }

        var shares = new List<(string, DateOnly?)>();
        if (Relations().ContainsKey("shares"))
        {
            using var rows = Query($"SELECT * FROM {Dialect.Table("shares")} WHERE file_id = {Dialect.Parameter(0)}", "shares", id);
            int principal = rows.Column("principal_id"), until = rows.Column("valid_until", required: false);
            while (rows.Read())
            {
                shares.Add((rows.Reference(principal), rows.OptionalDate(until)));
            }
        }

        return new FileFacts(fileId, unitId, sensitive, closed, [.. caseload], shares);
    }

    /// <summary>Tables and views of the schema, by lower-case name (canonical names are lower case).</summary>
    private Dictionary<string, string> Relations()
    {
        if (_relations is not null)
        {
            return _relations;
        }

        using var command = Command(Dialect.ListRelationsSql);
        AddSchemaParameter(command);
        var relations = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            relations.TryAdd(reader.GetString(0), reader.GetString(0));
        }

        return _relations = relations;
    }

    private void Require(string table)
    {
        if (!Relations().ContainsKey(table))
        {
            throw Missing(table);
        }
    }

    /// <summary>An unmapped database lacks every canonical name: the message says where the mapping starts.</summary>
    public InputErrorException Missing(string table) =>
        new(Dialect.DisplayName(table), null, null,
            $"required table '{Dialect.DisplayName(table)}' is missing: create it, or a view of that name over the agency's own table ({MappingTemplate.Pointer(Dialect.Name switch
            {
                "postgres" => SourceKind.Postgres,
                "sqlserver" => SourceKind.SqlServer,
                _ => SourceKind.Sqlite,
            })})");

    private HashSet<string> Columns(string table)
    {
        using var command = Command(Dialect.ColumnsSql(table));
        using var reader = command.ExecuteReader();
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private void RequireColumns(string table, params string[] columns)
    {
        var present = Columns(table);
        foreach (var column in columns)
        {
            if (!present.Contains(column))
            {
                throw new InputErrorException(Dialect.DisplayName(table), null, column, $"required column '{column}' is missing");
            }
        }
    }

    /// <summary>A canonical table or view as a cursor over every row (<c>check</c>); null when an optional one is absent.</summary>
    public ITableCursor? OpenTable(string table, bool required)
    {
        if (!Relations().ContainsKey(table))
        {
            return required ? throw Missing(table) : null;
        }

        var command = Command(Dialect.SelectAllSql(table));
        try
        {
            return new DbTableCursor(command.ExecuteReader(), table, Dialect.DisplayName, owned: command);
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    public List<T>? ReadTable<T>(string table, Func<ITableCursor, List<T>> read, bool required)
    {
        if (!Relations().ContainsKey(table))
        {
            return required ? throw Missing(table) : null;
        }

        var command = Command(Dialect.SelectAllSql(table));
        try
        {
            using var cursor = new DbTableCursor(command.ExecuteReader(), table, Dialect.DisplayName);
            var rows = read(cursor);
            RowsRead += cursor.Line;
            return rows;
        }
        finally
        {
            command.Dispose();
        }
    }

    /// <summary>
    /// Files per unit and class, in one scan that also counts malformed ids; then duplicate ids, unless the catalog
    /// already guarantees there are none. Files is keyed by id: a duplicate or malformed id is bad input. The id itself
    /// is personal data and is not shown.
    /// </summary>
    private List<FileCount> FileCounts()
    {
        var result = new List<FileCount>();
        long badIds = 0;
        using (var rows = Query(Dialect.FileCountsSql, "files", ("max", CanonicalValues.MaxIdLength)))
        {
            int unit = rows.Column("unit_id"), sensitive = rows.Column("sensitive"), closed = rows.Column("closed"),
                count = rows.Column("n"), bad = rows.Column("bad_ids");
            while (rows.Read())
            {
                result.Add(new FileCount(rows.Reference(unit), Class(rows.Get(sensitive), rows.Get(closed)), rows.Count(count)));
                badIds += rows.Count(bad);
            }

            RowsRead += rows.Line;
        }

        if (badIds != 0)
        {
            throw new InputErrorException(Dialect.DisplayName("files"), null, "id",
                $"an empty id or an id longer than {CanonicalValues.MaxIdLength} characters");
        }

        // A primary key already forbids duplicates; checking again would sort every file id (5 s at France scale).
        using (var declared = Command(Dialect.FileIdDeclaredUniqueSql))
        {
            AddSchemaParameter(declared);
            RowsRead++;
            if (Convert.ToInt64(declared.ExecuteScalar(), CultureInfo.InvariantCulture) == 1)
            {
                return result;
            }
        }

        using (var command = Command(Dialect.DuplicateFileIdSql))
        {
            RowsRead++;
            if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) != 0)
            {
                throw new InputErrorException(Dialect.DisplayName("files"), null, "id", $"duplicate id {CanonicalValues.RedactedFileId}");
            }
        }

        return result;
    }

    private List<CaseloadCount> CaseloadCounts()
    {
        var result = new List<CaseloadCount>();
        using var rows = Query(Dialect.CaseloadCountsSql, "caseload", files: FileColumns);
        int principal = rows.Column("principal_id"), found = rows.Column("found"), unit = rows.Column("unit_id"),
            sensitive = rows.Column("sensitive"), closed = rows.Column("closed"), count = rows.Column("n");
        while (rows.Read())
        {
            var isFound = rows.Count(found) != 0;
            result.Add(new CaseloadCount(rows.Reference(principal), isFound, rows.Reference(unit),
                isFound ? Class(rows.Get(sensitive), rows.Get(closed)) : FileClass.None, rows.Count(count)));
        }

        RowsRead += rows.Line;
        return result;
    }

    /// <summary>
    /// Numbers every file that a share or a caseload names (shares first, in place), with its unit and class, and lists
    /// each principal's caseload by number. The caseload rows come ordered by file id, so one file id is held at a time.
    /// </summary>
    private FileLinks CaseloadFiles(List<ShareRow> shares)
    {
        var unitNumbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var unitIds = new List<string>();
        var unitClass = new List<int>();
        int Number(string unitId, FileClass fileClass)
        {
            if (!unitNumbers.TryGetValue(unitId, out var unit))
            {
                unit = unitIds.Count;
                unitNumbers.Add(unitId, unit);
                unitIds.Add(unitId);
            }

            unitClass.Add((unit << 2) | (int)fileClass);
            return unitClass.Count - 1;
        }

        var sharedFiles = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < shares.Count; i++)
        {
            var share = shares[i];
            if (share.FileFound)
            {
                if (!sharedFiles.TryGetValue(share.FileKey, out var number))
                {
                    number = Number(share.UnitId, share.Class);
                    sharedFiles.Add(share.FileKey, number);
                }

                shares[i] = share with { File = number };
            }
        }

        var principalNumbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var pairs = new List<(int Principal, int File)>();
        using (var rows = Query(Dialect.CaseloadFilesSql, "caseload", files: FileColumns))
        {
            int file = rows.Column("file_id"), principal = rows.Column("principal_id"), unit = rows.Column("unit_id"),
                sensitive = rows.Column("sensitive"), closed = rows.Column("closed");
            string? currentFile = null;
            var current = -1;
            while (rows.Read())
            {
                var fileId = rows.Reference(file);
                if (!string.Equals(fileId, currentFile, StringComparison.Ordinal))
                {
                    currentFile = fileId;
                    current = sharedFiles.TryGetValue(fileId, out var shared)
                        ? shared
                        : Number(rows.Reference(unit), Class(rows.Get(sensitive), rows.Get(closed)));
                }

                var principalId = rows.Reference(principal);
                if (!principalNumbers.TryGetValue(principalId, out var p))
                {
                    p = principalNumbers.Count;
                    principalNumbers.Add(principalId, p);
                }

                pairs.Add((p, current));
            }

            RowsRead += rows.Line;
        }

        // Grouped by principal (a counting sort); within a principal, files stay in id order.
        var start = new int[principalNumbers.Count + 1];
        foreach (var (p, _) in pairs)
        {
            start[p + 1]++;
        }

        for (var p = 0; p < principalNumbers.Count; p++)
        {
            start[p + 1] += start[p];
        }

        var files = new int[pairs.Count];
        var fill = start[..^1];
        foreach (var (p, f) in pairs)
        {
            files[fill[p]++] = f;
        }

        var caseload = principalNumbers
            .Select(kv => new PrincipalFiles(kv.Key, new ArraySegment<int>(files, start[kv.Value], start[kv.Value + 1] - start[kv.Value])))
            .ToArray();
        return new FileLinks { FileCount = unitClass.Count, UnitClass = [.. unitClass], UnitIds = unitIds, Caseload = caseload };
    }

    private List<ShareRow> Shares()
    {
        RequireColumns("shares", "file_id", "principal_id");
        var hasValidUntil = Columns("shares").Contains("valid_until");
        var rows = new List<ShareRow>();
        var command = Command(Dialect.SharesSql(hasValidUntil));
        try
        {
            using var cursor = new DbTableCursor(command.ExecuteReader(), "shares", Dialect.DisplayName, fromFiles: FileColumns);
            int file = cursor.Column("file_id"), principal = cursor.Column("principal_id"), validUntil = cursor.Column("valid_until"),
                found = cursor.Column("found"), unit = cursor.Column("unit_id"), sensitive = cursor.Column("sensitive"),
                closed = cursor.Column("closed"), inCaseload = cursor.Column("in_caseload");
            while (cursor.Read())
            {
                var until = cursor.OptionalDate(validUntil);
                var isFound = cursor.Count(found) != 0;
                rows.Add(new ShareRow(
                    cursor.Reference(file), cursor.Reference(principal), until, isFound,
                    isFound ? cursor.Reference(unit) : string.Empty,
                    isFound ? Class(cursor.Get(sensitive), cursor.Get(closed)) : FileClass.None,
                    cursor.Count(inCaseload) != 0, cursor.Line));
            }

            RowsRead += cursor.Line;
        }
        finally
        {
            command.Dispose();
        }

        return rows;
    }

    /// <summary>Columns of caseload and shares rows that come from the joined files table (for messages).</summary>
    private static readonly string[] FileColumns = ["unit_id", "sensitive", "closed"];

    /// <summary>
    /// Rows the tool's own SQL computes (counts, groups) or looks up on a canonical table, read by column name; a
    /// message about one of their values names the table but no line, since such a row has no place in it.
    /// </summary>
    private DbTableCursor Query(string sql, string table, (string Name, object Value)? parameter = null, string[]? files = null)
    {
        var command = Command(sql);
        try
        {
            if (parameter is var (name, value))
            {
                var p = command.CreateParameter();
                p.ParameterName = name;
                p.Value = value;
                command.Parameters.Add(p);
            }

            return new DbTableCursor(command.ExecuteReader(), table, Dialect.DisplayName, numbered: false, fromFiles: files, owned: command);
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    private FileClass Class(string? sensitive, string? closed)
    {
        var files = Dialect.DisplayName("files");
        if (!CanonicalValues.TryParseBoolean(sensitive, out var s))
        {
            throw new InputErrorException(files, null, "sensitive", "<value withheld> is not a boolean (expected true or false)");
        }

        if (!CanonicalValues.TryParseBoolean(closed, out var c))
        {
            throw new InputErrorException(files, null, "closed", "<value withheld> is not a boolean (expected true or false)");
        }

        return CanonicalValues.ToFileClass(s, c);
    }

    private DbCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        if (Dialect.CommandTimeoutSeconds is { } seconds)
        {
            command.CommandTimeout = seconds;
        }
        return command;
    }

    private void AddSchemaParameter(DbCommand command)
    {
        if (Dialect.Schema is null)
        {
            return;
        }

        var schema = command.CreateParameter();
        schema.ParameterName = "schema";
        schema.Value = Dialect.Schema;
        command.Parameters.Add(schema);
    }
}
