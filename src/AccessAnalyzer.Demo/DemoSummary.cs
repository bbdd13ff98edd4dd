namespace AccessAnalyzer.Demo;

/// <summary>Rows written per canonical table.</summary>
public sealed record DemoTableCounts(
    int OrgUnits, int Principals, int Groups, int Memberships, int Roles, int Assignments,
    long Files, long Caseload, int Shares, long AccessEvents, int AccountPolicies, int Justifications)
{
    /// <summary>The counts keyed by canonical table name (<c>org_units</c>, <c>principals</c>, …).</summary>
    public IReadOnlyDictionary<string, long> ByTable() => new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["org_units"] = OrgUnits,
        ["principals"] = Principals,
        ["groups"] = Groups,
        ["memberships"] = Memberships,
        ["roles"] = Roles,
        ["assignments"] = Assignments,
        ["files"] = Files,
        ["caseload"] = Caseload,
        ["shares"] = Shares,
        ["access_events"] = AccessEvents,
        ["account_policy"] = AccountPolicies,
        ["justifications"] = Justifications,
    };
}

/// <summary>
/// What the demo generator wrote, and where it planted the failures of the France Travail breach so that a report
/// can be checked against them. Every id listed here exists in the written data.
/// </summary>
public sealed record DemoSummary
{
    public required DemoOptions Options { get; init; }

    public required DemoTableCounts Counts { get; init; }

    /// <summary>Id of the national root unit.</summary>
    public required string NationalUnitId { get; init; }

    // (a) A region-wide read role (regional-consultation, sensitive) granted at region scope to a partner group.

    /// <summary>Region whose partner group holds the region-wide role.</summary>
    public required string PartnerRegionId { get; init; }

    /// <summary>The partner group (<c>grp-partners-capemploi-&lt;region&gt;</c>) holding the region-wide role.</summary>
    public required string PartnerRegionalGroupId { get; init; }

    /// <summary>The assignment of <c>regional-consultation</c> to that group.</summary>
    public required string PartnerRegionalAssignmentId { get; init; }

    /// <summary>The partner advisors, members of that group, who get region-wide reach.</summary>
    public required IReadOnlyList<string> PartnerRegionalMemberIds { get; init; }

    // (b) A national consultation role reached only through three levels of nested groups.

    /// <summary>The nested groups, innermost first: [0] is a member of [1], which is a member of [2], which holds the role.</summary>
    public required IReadOnlyList<string> NestedConsultationGroupIds { get; init; }

    /// <summary>The assignment of <c>national-consultation</c> at the national root to the outermost group.</summary>
    public required string NationalConsultationAssignmentId { get; init; }

    /// <summary>Principals, direct members of the innermost group, who get national reach through it.</summary>
    public required IReadOnlyList<string> NationalConsultationMemberIds { get; init; }

    // (c) A membership cycle of three groups that holds an assignment.

    /// <summary>The cycle: [0] is a member of [1], [1] of [2], [2] of [0].</summary>
    public required IReadOnlyList<string> CycleGroupIds { get; init; }

    /// <summary>The assignment (department scope) held by the last group of the cycle.</summary>
    public required string CycleAssignmentId { get; init; }

    /// <summary>Principals, direct members of the first group of the cycle.</summary>
    public required IReadOnlyList<string> CycleMemberIds { get; init; }

    // (d) Dormant accounts that keep a unit-scope assignment.

    /// <summary>Inactive accounts (old last login) that still hold a unit-scope assignment: each has reach.</summary>
    public required IReadOnlyList<string> DormantAccountIds { get; init; }

    /// <summary>Inactive accounts whose access was removed: no assignment, no group, no caseload, so no reach.</summary>
    public required IReadOnlyList<string> InactiveWithoutAccessIds { get; init; }

    // (e) Partner accounts without MFA.

    /// <summary>Every partner account with <c>mfa = false</c>.</summary>
    public required IReadOnlyList<string> PartnerAccountsWithoutMfaIds { get; init; }

    // (f) Validity dates.

    /// <summary>A former national grant to the partner group, with <c>valid_until</c> before the as-of date: it must not count.</summary>
    public required string ExpiredAssignmentId { get; init; }

    /// <summary>A temporary department-scope grant (acting manager) with <c>valid_until</c> after the as-of date: it counts.</summary>
    public required string FutureAssignmentId { get; init; }

    /// <summary>The advisor holding the temporary grant.</summary>
    public required string FutureAssignmentHolderId { get; init; }

    // (g) Shares to advisors outside the file's agency.

    /// <summary>Shares whose <c>valid_until</c> is before the as-of date (they must not count).</summary>
    public required int ExpiredShares { get; init; }

    /// <summary>Shares in force (no date, or a date on or after the as-of date).</summary>
    public required int SharesInForce { get; init; }

    // (h) Justifications: recorded grounds for reach beyond a caseload, each subject existing, dated from the as-of date.

    /// <summary>The regional director's <c>regional-supervision</c> assignment (first region), justified until well after the as-of date.</summary>
    public required string JustifiedAssignmentId { get; init; }

    /// <summary>The statistics batch account (<see cref="NationalServiceAccountId"/>), justified as a principal until after the as-of date.</summary>
    public required string JustifiedPrincipalId { get; init; }

    /// <summary>
    /// The assignment whose justification expired before the as-of date: the former national grant to the partners
    /// (<see cref="ExpiredAssignmentId"/>), justified only as long as it lasted.
    /// </summary>
    public required string ExpiredJustificationAssignmentId { get; init; }

    // Other accounts worth knowing.

    /// <summary>The batch service account with national read (sensitive included).</summary>
    public required string NationalServiceAccountId { get; init; }

    /// <summary>A partner account of the region above that read many files outside its caseload in one day (access_events).</summary>
    public required string BulkReaderId { get; init; }

    /// <summary>Access events written for the bulk reader's day.</summary>
    public required int BulkReadEvents { get; init; }

    /// <summary>The day of the bulk read (three days before the as-of date).</summary>
    public required DateOnly BulkReadDay { get; init; }

    /// <summary>A partner account of the same region leaking a few hundred files a day: below the absolute threshold, far above its peers.</summary>
    public required string LeakerId { get; init; }

    /// <summary>The working days of the slow leak.</summary>
    public required IReadOnlyList<DateOnly> LeakDays { get; init; }

    /// <summary>A dormant account with a burst of activity (reads late at night ten days before the as-of date).</summary>
    public string? DormantReaderId { get; init; }
}
