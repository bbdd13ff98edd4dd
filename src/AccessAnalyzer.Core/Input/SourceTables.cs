namespace AccessAnalyzer.Core.Input;

/// <summary>
/// Everything a source read, in canonical form: small tables as typed rows, big tables aggregated.
/// Every source fills the same shape, and one <see cref="Model.SnapshotBuilder"/> turns it into a Snapshot,
/// so CSV, SQLite and the databases cannot drift apart in how they resolve ids or report dangling rows.
/// </summary>
public sealed class SourceTables
{
    /// <summary>Human-readable name of the source (a directory or database file), never a connection string.</summary>
    public required string SourceName { get; init; }

    /// <summary>How a table is named in error messages: <c>files.csv</c> for CSV, <c>files</c> for databases.</summary>
    public required Func<string, string> TableDisplayName { get; init; }

    public required IReadOnlyList<OrgUnitRow> OrgUnits { get; init; }
    public required IReadOnlyList<PrincipalRow> Principals { get; init; }
    public required IReadOnlyList<GroupRow> Groups { get; init; }
    public required IReadOnlyList<MembershipRow> Memberships { get; init; }
    public required IReadOnlyList<RoleRow> Roles { get; init; }
    public required IReadOnlyList<AssignmentRow> Assignments { get; init; }
    public required IReadOnlyList<FileCount> FileCounts { get; init; }
    public required IReadOnlyList<CaseloadCount> CaseloadCounts { get; init; }

    /// <summary>Caseload and shared files by anonymous number, for the distinct figures.</summary>
    public required FileLinks FileLinks { get; init; }

    /// <summary>Rows of the optional shares table; empty when the table is absent.</summary>
    public IReadOnlyList<ShareRow> Shares { get; init; } = [];

    /// <summary>The optional access_events table, aggregated; null when the table is absent.</summary>
    public Usage.UsageTables? Usage { get; init; }

    /// <summary>Rows of the optional account_policy table; null when the table is absent.</summary>
    public IReadOnlyList<AccountPolicyRow>? AccountPolicies { get; init; }

    /// <summary>Rows of the optional justifications table, in source order; null when the table is absent.</summary>
    public IReadOnlyList<JustificationRow>? Justifications { get; init; }

    /// <summary>
    /// What the source saw for each of <see cref="OptionalTables.All"/>. A table left out is judged from what was read
    /// (<see cref="Usage"/>, <see cref="AccountPolicies"/>, <see cref="Shares"/>, <see cref="Justifications"/>), which cannot tell absent from empty.
    /// </summary>
    public IReadOnlyList<TableStatus> OptionalTableStatus { get; init; } = [];

    /// <summary>Whether principals has a last_login column; null when the source did not say (then: whether any value is set).</summary>
    public bool? LastLoginColumn { get; init; }
}
