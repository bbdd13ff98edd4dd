using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources;

/// <summary>Reads one canonical table through a cursor; null when an optional table is absent.</summary>
internal interface ICanonicalTables
{
    List<T>? ReadTable<T>(string table, Func<ITableCursor, List<T>> read, bool required);
}

/// <summary>
/// The small canonical tables, read whole and in the same order by every source, and the <see cref="SourceTables"/>
/// they make once the source has aggregated the big ones.
/// </summary>
internal sealed record SmallTables(
    List<OrgUnitRow> OrgUnits,
    List<PrincipalRow> Principals,
    List<GroupRow> Groups,
    List<MembershipRow> Memberships,
    List<RoleRow> Roles,
    List<AssignmentRow> Assignments,
    List<AccountPolicyRow>? Policies,
    List<JustificationRow>? Justifications,
    bool LastLoginColumn)
{
    public static SmallTables Read(ICanonicalTables source)
    {
        var orgUnits = source.ReadTable("org_units", CanonicalTableReader.OrgUnits, required: true)!;
        var lastLoginColumn = false;
        var principals = source.ReadTable("principals", t =>
        {
            lastLoginColumn = CanonicalTableReader.HasColumn(t, "last_login");
            return CanonicalTableReader.Principals(t);
        }, required: true)!;
        var groups = source.ReadTable("groups", CanonicalTableReader.Groups, required: true)!;
        var memberships = source.ReadTable("memberships", CanonicalTableReader.Memberships, required: true)!;
        var roles = source.ReadTable("roles", CanonicalTableReader.Roles, required: true)!;
        var assignments = source.ReadTable("assignments", CanonicalTableReader.Assignments, required: true)!;
        var policies = source.ReadTable("account_policy", CanonicalTableReader.AccountPolicies, required: false);
        var justifications = source.ReadTable(OptionalTables.Justifications, CanonicalTableReader.Justifications, required: false);
        return new(orgUnits, principals, groups, memberships, roles, assignments, policies, justifications, lastLoginColumn);
    }

    /// <summary>
    /// These tables with the big ones. <paramref name="presence"/> says what the source saw of an optional table when it
    /// can tell (absent, not a regular file…); otherwise the table is judged from its rows.
    /// </summary>
    public SourceTables With(
        string sourceName,
        Func<string, string> tableDisplayName,
        IReadOnlyList<FileCount> fileCounts,
        IReadOnlyList<CaseloadCount> caseloadCounts,
        FileLinks fileLinks,
        IReadOnlyList<ShareRow> shares,
        Core.Usage.UsageTables? usage,
        Func<string, TablePresence?> presence)
    {
        TableStatus Status(string table, bool hasRows) =>
            new(table, presence(table) ?? (hasRows ? TablePresence.Rows : TablePresence.Empty));

        return new SourceTables
        {
            SourceName = sourceName,
            TableDisplayName = tableDisplayName,
            OrgUnits = OrgUnits,
            Principals = Principals,
            Groups = Groups,
            Memberships = Memberships,
            Roles = Roles,
            Assignments = Assignments,
            FileCounts = fileCounts,
            CaseloadCounts = caseloadCounts,
            FileLinks = fileLinks,
            Shares = shares,
            AccountPolicies = Policies,
            Justifications = Justifications,
            Usage = usage,
            LastLoginColumn = LastLoginColumn,
            OptionalTableStatus =
            [
                Status(OptionalTables.AccessEvents, usage is not null),
                Status(OptionalTables.AccountPolicy, Policies is { Count: > 0 }),
                Status(OptionalTables.Shares, shares.Count > 0),
                Status(OptionalTables.Justifications, Justifications is { Count: > 0 }),
            ],
        };
    }
}
