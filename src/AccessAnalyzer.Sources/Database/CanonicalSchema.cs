namespace AccessAnalyzer.Sources.Database;

/// <summary>How a canonical column is typed when it is loaded into a database.</summary>
public enum ColumnKind
{
    /// <summary>Text (ids, references, names); an empty cell is NULL when the column is nullable, else empty text.</summary>
    Text,

    /// <summary><c>true</c>/<c>false</c> (also <c>1</c>/<c>0</c>).</summary>
    Boolean,

    /// <summary>An ISO 8601 date; a date-time keeps the calendar date as written.</summary>
    Date,

    /// <summary>An ISO 8601 date-time (access_events.at).</summary>
    Timestamp,

    /// <summary>A whole number.</summary>
    Integer,
}

/// <summary>One column of a canonical table.</summary>
public sealed record CanonicalColumn(string Name, ColumnKind Kind, bool Nullable = false, bool Required = true);

/// <summary>One canonical table: its name, its columns in schema order, and whether the contract requires it.</summary>
public sealed record CanonicalTableDefinition(string Name, IReadOnlyList<CanonicalColumn> Columns, bool Required)
{
    /// <summary>True for tables whose rows describe beneficiaries' files: their values never appear in messages.</summary>
    public bool Personal => TableCursorExtensions.IsPersonalTable(Name);
}

/// <summary>The canonical input tables of DESIGN.md, with the column types the <c>sql/&lt;dialect&gt;/schema.sql</c> scripts use.</summary>
public static class CanonicalSchema
{
    private static CanonicalColumn T(string name) => new(name, ColumnKind.Text);

    private static CanonicalColumn N(string name) => new(name, ColumnKind.Text, Nullable: true);

    private static CanonicalColumn B(string name) => new(name, ColumnKind.Boolean);

    private static CanonicalColumn D(string name) => new(name, ColumnKind.Date, Nullable: true, Required: false);

    public static IReadOnlyList<CanonicalTableDefinition> Tables { get; } =
    [
        new("org_units", [T("id"), N("parent_id"), T("kind"), T("name")], true),
        new("principals", [T("id"), T("kind"), T("organization"), N("unit_id"), T("name"), B("active"), B("mfa"), D("last_login")], true),
        new("groups", [T("id"), T("name")], true),
        new("memberships", [T("group_id"), T("member_id"), T("member_type")], true),
        new("roles", [T("id"), T("name"), B("file_access"), B("sensitive")], true),
        new("assignments", [T("id"), T("role_id"), T("holder_id"), T("holder_type"), T("scope"), N("scope_unit_id"), D("valid_until")], true),
        new("files", [T("id"), T("unit_id"), B("sensitive"), B("closed")], true),
        new("caseload", [T("file_id"), T("principal_id")], true),
        new("shares", [T("file_id"), T("principal_id"), D("valid_until")], false),
        new("access_events", [T("principal_id"), T("file_id"), new("at", ColumnKind.Timestamp), T("action")], false),
        new("account_policy", [T("organization"), new("lockout_threshold", ColumnKind.Integer), B("mfa_required")], false),
        new("justifications", [T("subject_type"), T("subject_id"), T("reason"), T("owner"), new("expires", ColumnKind.Date)], false),
    ];

    /// <summary>Names of every canonical table, in load order.</summary>
    public static IReadOnlyList<string> TableNames { get; } = Tables.Select(t => t.Name).ToArray();

    public static CanonicalTableDefinition Get(string name) =>
        Tables.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"'{name}' is not a canonical table", nameof(name));
}
