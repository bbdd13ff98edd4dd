using System.Globalization;
using System.Text.RegularExpressions;

namespace AccessAnalyzer.Sources.Database;

/// <summary>
/// Everything that differs between the databases the tool reads and writes: identifier quoting, schema-qualified
/// names, the pushed-down aggregation SQL, listing tables and columns, the privilege self-check, and how booleans and
/// dates are stored. One implementation per database; the SQL is plain text, so it is unit-tested without a server.
/// </summary>
public interface ISqlDialect
{
    /// <summary><c>sqlite</c>, <c>postgres</c> or <c>sqlserver</c>: also the folder name under <c>sql/</c>.</summary>
    string Name { get; }

    /// <summary>Schema holding the canonical names and the report tables; null when the database has none (SQLite).</summary>
    string? Schema { get; }

    /// <summary>An identifier quoted for this database.</summary>
    string Quote(string identifier);

    /// <summary>A table or view name, schema-qualified and quoted.</summary>
    string Table(string name);

    /// <summary>How a table is named in messages: <c>aa.files</c>, or <c>files</c> without a schema.</summary>
    string DisplayName(string table);

    /// <summary>Names of the tables and views in <see cref="Schema"/> (one text column); binds <c>@schema</c> where needed.</summary>
    string ListRelationsSql { get; }

    /// <summary>
    /// Names of the columns of table <c>@table</c> in <see cref="Schema"/> (one text column), read from the catalog: a
    /// login with INSERT only (the report writer) may run it, where <see cref="ColumnsSql"/> needs SELECT on the table.
    /// Binds <c>@table</c> and, where needed, <c>@schema</c>.
    /// </summary>
    string ListColumnsSql { get; }

    /// <summary>The number of rows of a canonical table, as a 64-bit integer.</summary>
    string CountRowsSql(string table);

    /// <summary>A query returning no row, whose columns are those of the table.</summary>
    string ColumnsSql(string table);

    /// <summary>Every row of a small table.</summary>
    string SelectAllSql(string table);

    /// <summary>1 when some file id appears twice, else 0.</summary>
    string DuplicateFileIdSql { get; }

    /// <summary>
    /// 1 when the catalog proves <c>files.id</c> unique (a primary key or a unique index on that column alone), which
    /// spares <see cref="DuplicateFileIdSql"/>, a sort of every file id; else 0 (a view, or no such index). Binds
    /// <c>@schema</c> where needed.
    /// </summary>
    string FileIdDeclaredUniqueSql { get; }

    /// <summary>
    /// Files per (unit_id, sensitive, closed) with their count and, in the same scan, how many of them have a NULL,
    /// empty or over-long id (longer than <c>@max</c> characters): the one pass over the files table.
    /// </summary>
    string FileCountsSql { get; }

    /// <summary>Distinct caseload pairs joined to files, counted per (principal_id, found, unit_id, sensitive, closed).</summary>
    string CaseloadCountsSql { get; }

    /// <summary>
    /// Distinct caseload pairs whose file exists, with the file's unit_id, sensitive and closed, ordered by file_id
    /// compared as bytes: the rows of one file are adjacent, so each file gets one number as the rows pass.
    /// </summary>
    string CaseloadFilesSql { get; }

    /// <summary>Shares joined to files, with whether the pair is also in the caseload (few rows, one index probe each).</summary>
    string SharesSql(bool hasValidUntil);

    /// <summary>
    /// access_events counted in one cheap scan: columns <c>events</c> and <c>missing_principal</c> (events naming no
    /// existing principal). What else the totals need follows from the per-principal rows.
    /// </summary>
    string AccessEventCountsSql { get; }

    /// <summary>
    /// The events whose principal and file exist, joined to files and probed against caseload in one CTE, then grouped
    /// three ways in one statement; column <c>g</c> tells the shape (<see cref="AccessLogGrouping"/>). Columns
    /// principal_id, day, unit_id, reads, files, outside, sensitive, sensitive_outside, first_day, last_day,
    /// last_outside. Days are the calendar date as written (first ten characters of <c>at</c>).
    /// </summary>
    string AccessEventsGroupedSql { get; }

    /// <summary>
    /// Every valid event with its unit, class and caseload membership, sorted by (principal, file, day) for one
    /// streaming pass in this process (see <see cref="AggregatesAccessLogInProcess"/>). Columns principal_id, file_id,
    /// day, unit_id, sensitive (0/1), in_caseload (0/1).
    /// </summary>
    string AccessEventsSortedSql { get; }

    /// <summary>
    /// Names of the canonical tables in the schema that the current login may INSERT, UPDATE or DELETE (one text
    /// column); null when the database has no logins to check (SQLite: the file is opened read-only).
    /// </summary>
    string? WritableTablesSql(IEnumerable<string> tables);

    /// <summary>A boolean as this database stores it in the canonical schema.</summary>
    object ToDbBoolean(bool value);

    /// <summary>A calendar date as this database stores it in the canonical schema.</summary>
    object ToDbDate(DateOnly value);

    /// <summary>An instant (access_events.at, report run time) as this database stores it.</summary>
    object ToDbTimestamp(DateTimeOffset value);

    /// <summary>A run id as this database stores it (uuid, uniqueidentifier, or text for SQLite).</summary>
    object ToDbUuid(Guid value);

    /// <summary>Most parameters one statement may bind (SQL Server: 2,100).</summary>
    int MaxParameters { get; }

    /// <summary>A bind-parameter marker for position <paramref name="index"/> (<c>@p0</c>).</summary>
    string Parameter(int index);

    /// <summary>
    /// Seconds a statement may run unless the caller says otherwise: null keeps the driver's default (SQLite, where
    /// it is the wait for a lock); 0 is no limit (servers, where an aggregation or an index build over tens of millions
    /// of rows outlasts the drivers' 30 s).
    /// </summary>
    int? CommandTimeoutSeconds { get; }

    /// <summary>
    /// A statement that makes this session render timestamps with a time zone in UTC, run before the access log is
    /// read so that its days are UTC days whatever the server's or login's zone; null when timestamps render as stored.
    /// </summary>
    string? UtcSessionSql { get; }

    /// <summary>
    /// True when the access log is best aggregated in this process from one sorted scan
    /// (<see cref="AccessEventsSortedSql"/>), false when the database groups it (<see cref="AccessEventsGroupedSql"/>).
    /// In-process databases (SQLite) hand rows over for free, and one sorted scan beats three GROUP BYs there.
    /// </summary>
    bool AggregatesAccessLogInProcess { get; }
}

/// <summary>The three shapes of <see cref="ISqlDialect.AccessEventsGroupedSql"/>, as its column <c>g</c> numbers them.</summary>
public enum AccessLogGrouping
{
    /// <summary>One row per (principal, day).</summary>
    PrincipalDay = 1,

    /// <summary>One row per (principal, unit of the files read).</summary>
    PrincipalUnit = 2,

    /// <summary>One row per principal over the whole log.</summary>
    Principal = 3,
}

/// <summary>The shared, portable part of the SQL. Dialects override only what their database spells differently.</summary>
public abstract partial class SqlDialect : ISqlDialect
{
    /// <summary>Default schema for server databases (DESIGN.md: a configurable schema, default <c>aa</c>).</summary>
    public const string DefaultSchema = "aa";

    protected SqlDialect(string? schema)
    {
        if (schema is not null && !IsValidSchemaName(schema))
        {
            throw new ArgumentException(
                $"schema '{schema}' is not a plain lower-case identifier (letters a-z, digits, underscore; at most 63 characters)", nameof(schema));
        }

        Schema = schema;
    }

    public abstract string Name { get; }

    public string? Schema { get; }

    public virtual int MaxParameters => 30_000;

    public virtual int? CommandTimeoutSeconds => 0;

    public virtual string? UtcSessionSql => null;

    public virtual bool AggregatesAccessLogInProcess => false;

    /// <summary>Schema names are plain lower-case identifiers, so quoted and unquoted spellings agree in every database.</summary>
    public static bool IsValidSchemaName(string schema) => SchemaName().IsMatch(schema);

    public virtual string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public string Table(string name) => Schema is null ? Quote(name) : Quote(Schema) + "." + Quote(name);

    public string DisplayName(string table) => Schema is null ? table : Schema + "." + table;

    public abstract string ListRelationsSql { get; }

    public abstract string ListColumnsSql { get; }

    public virtual string ColumnsSql(string table) => $"SELECT * FROM {Table(table)} WHERE 1 = 0";

    public virtual string SelectAllSql(string table) => $"SELECT * FROM {Table(table)}";

    /// <summary>Length in characters of a text expression, trailing spaces included.</summary>
    protected abstract string Length(string expression);

    /// <summary>COUNT(*) as a 64-bit integer.</summary>
    protected virtual string CountAll => "COUNT(*)";

    public string CountRowsSql(string table) => $"SELECT {CountAll} FROM {Table(table)}";

    public string DuplicateFileIdSql =>
        $"SELECT CASE WHEN EXISTS (SELECT id FROM {Table("files")} GROUP BY id HAVING COUNT(*) > 1) THEN 1 ELSE 0 END";

    public abstract string FileIdDeclaredUniqueSql { get; }

    public string FileCountsSql => $"""
        SELECT unit_id, sensitive, closed, {CountAll} AS n,
               SUM(CASE WHEN id IS NULL OR {Length("id")} = 0 OR {Length("id")} > @max THEN 1 ELSE 0 END) AS bad_ids
        FROM {Table("files")} GROUP BY unit_id, sensitive, closed
        """;

    // DISTINCT first: caseload is a set, a repeated row counts once. LEFT JOIN keeps rows naming a missing file.
    // "found" is spelled as a CASE (not a boolean expression) and repeated in GROUP BY: SQL Server allows neither
    // boolean select items nor output aliases in GROUP BY.
    public string CaseloadCountsSql => $"""
        SELECT c.principal_id, CASE WHEN f.id IS NULL THEN 0 ELSE 1 END AS found, f.unit_id, f.sensitive, f.closed, {CountAll} AS n
        FROM (SELECT DISTINCT file_id, principal_id FROM {Table("caseload")}) AS c
        LEFT JOIN {Table("files")} AS f ON f.id = c.file_id
        GROUP BY c.principal_id, CASE WHEN f.id IS NULL THEN 0 ELSE 1 END, f.unit_id, f.sensitive, f.closed
        """;

    public string CaseloadFilesSql => $"""
        SELECT c.file_id, c.principal_id, f.unit_id, f.sensitive, f.closed
        FROM (SELECT DISTINCT file_id, principal_id FROM {Table("caseload")}) AS c
        JOIN {Table("files")} AS f ON f.id = c.file_id
        ORDER BY {Binary("c.file_id")}
        """;

    /// <summary>
    /// A text expression compared byte by byte: under a case-insensitive collation 'A' and 'a' sort as equals and their
    /// rows could interleave, and one file would get two numbers.
    /// </summary>
    protected virtual string Binary(string expression) => expression;

    // Shares are few; with the schema's caseload(file_id, principal_id) index each EXISTS is one index seek.
    // (A join to DISTINCT caseload instead would scan the whole caseload table for a handful of shares.)
    public string SharesSql(bool hasValidUntil) => $"""
        SELECT s.file_id, s.principal_id, {(hasValidUntil ? "s.valid_until" : "NULL")} AS valid_until,
               CASE WHEN f.id IS NULL THEN 0 ELSE 1 END AS found, f.unit_id, f.sensitive, f.closed,
               CASE WHEN EXISTS (SELECT 1 FROM {Table("caseload")} AS c WHERE c.file_id = s.file_id AND c.principal_id = s.principal_id) THEN 1 ELSE 0 END AS in_caseload
        FROM {Table("shares")} AS s LEFT JOIN {Table("files")} AS f ON f.id = s.file_id
        """;

    public abstract string? WritableTablesSql(IEnumerable<string> tables);

    /// <summary>The first ten characters of a timestamp or text column, as text: its calendar date as written.</summary>
    protected abstract string DayOf(string expression);

    /// <summary>Any column as text, to compare a stored boolean (true, 1, t) whatever its type.</summary>
    protected virtual string TextOf(string expression) => $"CAST({expression} AS VARCHAR(16))";

    // Whether an event's file is in its reader's caseload: one probe of the caseload(file_id, principal_id) index per
    // event. (Joining a DISTINCT of the whole caseload instead would rebuild millions of pairs.) Only events whose
    // principal and file exist are probed and kept: the others count in the totals only.
    private string ValidEvents => $"""
        WITH e AS (
            SELECT a.principal_id, a.file_id, {DayOf("a.at")} AS day, f.unit_id, CASE WHEN LOWER({TextOf("f.sensitive")}) IN ('true', '1', 't') THEN 1 ELSE 0 END AS sensitive,
                   CASE WHEN EXISTS (SELECT 1 FROM {Table("caseload")} AS k WHERE k.file_id = a.file_id AND k.principal_id = a.principal_id)
                        THEN 1 ELSE 0 END AS in_caseload
            FROM {Table("access_events")} AS a
            JOIN {Table("files")} AS f ON f.id = a.file_id JOIN {Table("principals")} AS p ON p.id = a.principal_id)
        """;

    // Principals are few: a hash of them makes this one scan of the log, without touching files.
    public string AccessEventCountsSql => $"""
        SELECT {CountAll} AS events, SUM(CASE WHEN p.id IS NULL THEN 1 ELSE 0 END) AS missing_principal
        FROM {Table("access_events")} AS a LEFT JOIN {Table("principals")} AS p ON p.id = a.principal_id
        """;

    // Three plain GROUP BYs over one CTE rather than GROUPING SETS, which Azure Synapse and Citus refuse.
    // PostgreSQL materializes a CTE named more than once: the join to files and the caseload probes run once.
    public string AccessEventsGroupedSql
    {
        get
        {
            var aggregates = $"""
                {CountAll} AS reads, COUNT(DISTINCT e.file_id) AS files,
                       COUNT(DISTINCT CASE WHEN e.in_caseload = 0 THEN e.file_id END) AS outside,
                       COUNT(DISTINCT CASE WHEN e.sensitive = 1 THEN e.file_id END) AS sensitive,
                       COUNT(DISTINCT CASE WHEN e.in_caseload = 0 AND e.sensitive = 1 THEN e.file_id END) AS sensitive_outside,
                       MIN(e.day) AS first_day, MAX(e.day) AS last_day, MAX(CASE WHEN e.in_caseload = 0 THEN e.day END) AS last_outside
                """;
            return $"""
                {ValidEvents}
                SELECT {(int)AccessLogGrouping.PrincipalDay} AS g, e.principal_id, e.day, NULL AS unit_id, {aggregates}
                FROM e GROUP BY e.principal_id, e.day
                UNION ALL
                SELECT {(int)AccessLogGrouping.Principal} AS g, e.principal_id, NULL AS day, NULL AS unit_id, {aggregates}
                FROM e GROUP BY e.principal_id
                UNION ALL
                SELECT {(int)AccessLogGrouping.PrincipalUnit} AS g, e.principal_id, NULL AS day, e.unit_id, {aggregates}
                FROM e GROUP BY e.principal_id, e.unit_id
                """;
        }
    }

    public string AccessEventsSortedSql => $"""
        {ValidEvents}
        SELECT e.principal_id, e.file_id, e.day, e.unit_id, e.sensitive, e.in_caseload
        FROM e
        ORDER BY e.principal_id, e.file_id, e.day
        """;

    public abstract object ToDbBoolean(bool value);

    public abstract object ToDbDate(DateOnly value);

    public abstract object ToDbTimestamp(DateTimeOffset value);

    public virtual object ToDbUuid(Guid value) => value;

    public virtual string Parameter(int index) => "@p" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>A list of canonical table names as SQL string literals (names are fixed identifiers, never user text).</summary>
    protected static string Literals(IEnumerable<string> names)
    {
        var list = names.ToList();
        foreach (var name in list)
        {
            if (!SchemaName().IsMatch(name))
            {
                throw new ArgumentException($"'{name}' is not a canonical table name", nameof(names));
            }
        }

        return string.Join(", ", list.Select(n => "'" + n + "'"));
    }

    [GeneratedRegex(@"\A[a-z_][a-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}

/// <summary>SQLite: no schema, booleans and dates stored as canonical text, no logins.</summary>
public sealed class SqliteDialect() : SqlDialect(null)
{
    public static SqliteDialect Instance { get; } = new();

    public override string Name => "sqlite";

    public override int MaxParameters => 999;

    public override int? CommandTimeoutSeconds => null;

    public override bool AggregatesAccessLogInProcess => true;

    public override string ListRelationsSql => "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')";

    public override string ListColumnsSql => "SELECT name FROM pragma_table_info(@table)";

    // A PRIMARY KEY on a text column is a unique autoindex; pragma_index_list lists nothing for a view. Trusted only
    // when index and table compare ids as bytes: no COLLATE anywhere in the table's definition, BINARY in the index.
    public override string FileIdDeclaredUniqueSql => """
        SELECT CASE WHEN EXISTS (
            SELECT 1 FROM pragma_index_list('files') AS il
            WHERE il."unique" = 1 AND il.partial = 0
              AND (SELECT COUNT(*) FROM pragma_index_info(il.name)) = 1
              AND (SELECT ii.name FROM pragma_index_info(il.name) AS ii) = 'id'
              AND (SELECT x.coll FROM pragma_index_xinfo(il.name) AS x WHERE x.key = 1) = 'BINARY')
          AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'files' AND upper(sql) LIKE '%COLLATE%')
        THEN 1 ELSE 0 END
        """;

    protected override string Length(string expression) => $"length({expression})";

    protected override string DayOf(string expression) => $"substr(CAST({expression} AS TEXT), 1, 10)";

    public override string? WritableTablesSql(IEnumerable<string> tables) => null;

    public override object ToDbBoolean(bool value) => value ? "true" : "false";

    public override object ToDbDate(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public override object ToDbTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public override object ToDbUuid(Guid value) => value.ToString("D");
}

/// <summary>PostgreSQL (and Citus): native boolean, date and timestamptz; the catalog lists every kind of relation.</summary>
public sealed class PostgresDialect(string? schema = SqlDialect.DefaultSchema) : SqlDialect(schema ?? DefaultSchema)
{
    public override string Name => "postgres";

    // A timestamptz has no "date as written": it renders in the session's zone.
    public override string? UtcSessionSql => "SET TIME ZONE 'UTC'";

    // Tables, views, materialized views, partitioned and foreign tables (a Citus distributed table is a table).
    public override string ListRelationsSql => """
        SELECT c.relname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = @schema AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
        """;

    // pg_attribute is readable by every login, whatever its privileges on the table.
    public override string ListColumnsSql => """
        SELECT a.attname FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = @schema AND c.relname = @table AND a.attnum > 0 AND NOT a.attisdropped
        """;

    // One key column, no predicate, no expression, valid: a table's primary key or unique index on id alone, comparing
    // ids as the column does (an index with another collation could call 'a' and 'A' distinct where joins do not).
    public override string FileIdDeclaredUniqueSql => """
        SELECT CASE WHEN EXISTS (
            SELECT 1 FROM pg_catalog.pg_index AS i
            JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid
            JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
            WHERE n.nspname = @schema AND c.relname = 'files' AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1
              AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = 'id'
              AND i.indcollation[0] = a.attcollation) THEN 1 ELSE 0 END
        """;

    protected override string Length(string expression) => $"char_length({expression})";

    protected override string Binary(string expression) => $"{expression} COLLATE \"C\"";

    // A timestamp renders as 'YYYY-MM-DD HH:…' and text as written: the first ten characters are the date either way.
    protected override string DayOf(string expression) => $"left(CAST({expression} AS text), 10)";

    public override string? WritableTablesSql(IEnumerable<string> tables) => $"""
        SELECT c.relname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = @schema AND c.relname IN ({Literals(tables)})
          AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
        ORDER BY c.relname
        """;

    public override object ToDbBoolean(bool value) => value;

    public override object ToDbDate(DateOnly value) => value;

    public override object ToDbTimestamp(DateTimeOffset value) => value.UtcDateTime;
}

/// <summary>
/// SQL Server (and Azure Synapse / Fabric warehouses): bracket quoting, <c>bit</c> booleans, COUNT_BIG, LEN ignoring
/// trailing spaces (hence the sentinel), and at most 2,100 parameters per statement.
/// </summary>
public sealed class SqlServerDialect(string? schema = SqlDialect.DefaultSchema) : SqlDialect(schema ?? DefaultSchema)
{
    public override string Name => "sqlserver";

    public override int MaxParameters => 2_000;

    public override string Quote(string identifier) => "[" + identifier.Replace("]", "]]", StringComparison.Ordinal) + "]";

    public override string ListRelationsSql => """
        SELECT o.name FROM sys.objects AS o JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        WHERE s.name = @schema AND o.type IN ('U', 'V')
        """;

    // sys.columns shows a table's columns to a login with any permission on it, INSERT included.
    public override string ListColumnsSql => """
        SELECT c.name FROM sys.columns AS c
        JOIN sys.objects AS o ON o.object_id = c.object_id JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        WHERE s.name = @schema AND o.name = @table AND o.type IN ('U', 'V')
        """;

    // One key column, unfiltered, enabled: a table's primary key or unique index on id alone.
    public override string FileIdDeclaredUniqueSql => """
        SELECT CASE WHEN EXISTS (
            SELECT 1 FROM sys.indexes AS i
            JOIN sys.objects AS o ON o.object_id = i.object_id
            JOIN sys.schemas AS s ON s.schema_id = o.schema_id
            WHERE s.name = @schema AND o.name = N'files' AND i.is_unique = 1 AND i.has_filter = 0 AND i.is_disabled = 0
              AND i.is_hypothetical = 0
              AND (SELECT COUNT(*) FROM sys.index_columns AS ic
                   WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0) = 1
              AND EXISTS (SELECT 1 FROM sys.index_columns AS ic JOIN sys.columns AS col ON col.object_id = ic.object_id AND col.column_id = ic.column_id
                          WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0 AND col.name = N'id')) THEN 1 ELSE 0 END
        """;

    // LEN ignores trailing spaces: measure the text with a sentinel appended.
    protected override string Length(string expression) => $"(LEN({expression} + N'.') - 1)";

    protected override string Binary(string expression) => $"{expression} COLLATE Latin1_General_BIN2";

    protected override string CountAll => "COUNT_BIG(*)";

    // Style 126 is ISO 8601 for datetime2 / datetimeoffset; a text column converts as written.
    protected override string DayOf(string expression) => $"LEFT(CONVERT(VARCHAR(40), {expression}, 126), 10)";

    public override string? WritableTablesSql(IEnumerable<string> tables) => $"""
        SELECT o.name FROM sys.objects AS o JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        WHERE s.name = @schema AND o.name IN ({Literals(tables)}) AND o.type IN ('U', 'V')
          AND (HAS_PERMS_BY_NAME(QUOTENAME(s.name) + N'.' + QUOTENAME(o.name), N'OBJECT', N'INSERT') = 1
            OR HAS_PERMS_BY_NAME(QUOTENAME(s.name) + N'.' + QUOTENAME(o.name), N'OBJECT', N'UPDATE') = 1
            OR HAS_PERMS_BY_NAME(QUOTENAME(s.name) + N'.' + QUOTENAME(o.name), N'OBJECT', N'DELETE') = 1)
        ORDER BY o.name
        """;

    public override object ToDbBoolean(bool value) => value;

    // SqlClient 2.1 has no DateOnly mapping: a date travels as a DateTime at midnight.
    public override object ToDbDate(DateOnly value) => value.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

    public override object ToDbTimestamp(DateTimeOffset value) => value;
}
