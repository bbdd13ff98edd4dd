using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources;

/// <summary>
/// Types and validates the small canonical tables row by row, identically for every source: the same
/// spellings parse, the same values are rejected with the same message.
/// </summary>
internal static class CanonicalTableReader
{
    /// <summary>Whether an optional column is in the table (it may still be empty in every row).</summary>
    public static bool HasColumn(ITableCursor t, string column) => t.Column(column, required: false) >= 0;

    /// <summary>Every remaining row of <paramref name="t"/>, made by <paramref name="row"/> from the current one.</summary>
    private static List<T> ReadRows<T>(ITableCursor t, Func<T> row)
    {
        var rows = new List<T>();
        while (t.Read())
        {
            rows.Add(row());
        }

        return rows;
    }

    public static List<OrgUnitRow> OrgUnits(ITableCursor t)
    {
        int id = t.Column("id"), parent = t.Column("parent_id"), kind = t.Column("kind"), name = t.Column("name");
        return ReadRows(t, () => new OrgUnitRow(t.Id(id), t.OptionalReference(parent), t.Text(kind), t.Text(name), t.Line));
    }

    public static List<PrincipalRow> Principals(ITableCursor t)
    {
        int id = t.Column("id"), kind = t.Column("kind"), org = t.Column("organization"), unit = t.Column("unit_id"),
            name = t.Column("name"), active = t.Column("active"), mfa = t.Column("mfa"),
            lastLogin = t.Column("last_login", required: false);
        return ReadRows(t, () => new PrincipalRow(
            t.Id(id),
            t.Enum<PrincipalKind>(kind, CanonicalValues.TryParsePrincipalKind, "staff, partner, service"),
            t.Text(org), t.OptionalReference(unit), t.Text(name), t.Boolean(active), t.Boolean(mfa),
            t.OptionalDate(lastLogin), t.Line));
    }

    public static List<GroupRow> Groups(ITableCursor t)
    {
        int id = t.Column("id"), name = t.Column("name");
        return ReadRows(t, () => new GroupRow(t.Id(id), t.Text(name), t.Line));
    }

    public static List<MembershipRow> Memberships(ITableCursor t)
    {
        int group = t.Column("group_id"), member = t.Column("member_id"), type = t.Column("member_type");
        return ReadRows(t, () => new MembershipRow(t.Reference(group), t.Reference(member),
            t.Enum<MemberType>(type, CanonicalValues.TryParseMemberType, "principal, group"), t.Line));
    }

    public static List<RoleRow> Roles(ITableCursor t)
    {
        int id = t.Column("id"), name = t.Column("name"), fileAccess = t.Column("file_access"), sensitive = t.Column("sensitive");
        return ReadRows(t, () => new RoleRow(t.Id(id), t.Text(name), t.Boolean(fileAccess), t.Boolean(sensitive), t.Line));
    }

    public static List<AssignmentRow> Assignments(ITableCursor t)
    {
        int id = t.Column("id"), role = t.Column("role_id"), holder = t.Column("holder_id"), holderType = t.Column("holder_type"),
            scope = t.Column("scope"), scopeUnit = t.Column("scope_unit_id"), validUntil = t.Column("valid_until", required: false);
        return ReadRows(t, () => new AssignmentRow(
            t.Id(id), t.Reference(role), t.Reference(holder),
            t.Enum<HolderType>(holderType, CanonicalValues.TryParseHolderType, "principal, group"),
            t.Enum<AssignmentScope>(scope, CanonicalValues.TryParseScope, "unit, caseload"),
            t.OptionalReference(scopeUnit), t.OptionalDate(validUntil), t.Line));
    }

    /// <summary>
    /// Not keyed, so subject_id is a reference: a subject that does not exist is a dangling reference, not bad input.
    /// An empty one names nothing at all, and a justification without an end date would never lapse: both are bad input.
    /// </summary>
    public static List<JustificationRow> Justifications(ITableCursor t)
    {
        int type = t.Column("subject_type"), subject = t.Column("subject_id"), reason = t.Column("reason"),
            owner = t.Column("owner"), expires = t.Column("expires");
        return ReadRows(t, () =>
        {
            var subjectType = t.Enum<JustificationSubject>(type, CanonicalValues.TryParseJustificationSubject, "role, assignment, principal");
            var subjectId = t.Reference(subject);
            if (subjectId.Length == 0)
            {
                t.Bad(subject, null, "empty subject_id", "empty subject_id");
            }

            return new JustificationRow(subjectType, subjectId, t.Text(reason), t.Text(owner), t.RequiredDate(expires), t.Line);
        });
    }

    public static List<AccountPolicyRow> AccountPolicies(ITableCursor t)
    {
        int org = t.Column("organization"), lockout = t.Column("lockout_threshold"), mfa = t.Column("mfa_required");
        var rows = new List<AccountPolicyRow>();
        while (t.Read())
        {
            var text = t.Get(lockout);
            if (!CanonicalValues.TryParseInt(text, out var threshold))
            {
                t.Bad(lockout, text, "not a whole number", $"'{text}' is not a whole number");
            }

            rows.Add(new(t.Text(org), threshold, t.Boolean(mfa), t.Line));
        }

        return rows;
    }

    // The big tables are read on fast paths (CSV) or aggregated by SQL (databases), which stop at the first bad value.
    // check reads them row by row through the same validators instead, so that every bad value is counted.

    /// <summary>Checks files: ids (empty, too long, repeated when <paramref name="isNewId"/> is given), sensitive, closed.</summary>
    public static long CheckFiles(ITableCursor t, Func<string, bool>? isNewId)
    {
        int id = t.Column("id"), unit = t.Column("unit_id"), sensitive = t.Column("sensitive"), closed = t.Column("closed");
        long rows = 0;
        while (t.Read())
        {
            rows++;
            var fileId = t.Id(id, personal: true);
            if (isNewId is not null && id >= 0 && CanonicalValues.IsValidId(fileId) && !isNewId(fileId))
            {
                t.Bad(id, null, "duplicate id", $"duplicate id {CanonicalValues.RedactedFileId}");
            }

            _ = t.Reference(unit);
            _ = t.Boolean(sensitive);
            _ = t.Boolean(closed);
        }

        return rows;
    }

    /// <summary>Checks caseload: both references are there (a missing file or principal is a dangling reference, not bad input).</summary>
    public static long CheckCaseload(ITableCursor t)
    {
        _ = t.Column("file_id");
        _ = t.Column("principal_id");
        long rows = 0;
        while (t.Read())
        {
            rows++;
        }

        return rows;
    }

    /// <summary>Checks shares: the references are there, valid_until is a date when given.</summary>
    public static long CheckShares(ITableCursor t)
    {
        _ = t.Column("file_id");
        _ = t.Column("principal_id");
        var validUntil = t.Column("valid_until", required: false);
        long rows = 0;
        while (t.Read())
        {
            rows++;
            _ = t.OptionalDate(validUntil);
        }

        return rows;
    }

    /// <summary>Checks access_events: at is an ISO 8601 date-time within the days the aggregation can hold.</summary>
    public static long CheckAccessEvents(ITableCursor t)
    {
        _ = t.Column("principal_id");
        _ = t.Column("file_id");
        var at = t.Column("at");
        var (first, last) = Usage.AccessEventAggregator.DayRange;
        long rows = 0;
        while (t.Read())
        {
            rows++;
            var text = t.Get(at);
            if (at < 0)
            {
                continue;
            }

            if (!CanonicalValues.TryParseOptionalDate(text, out var day) || day is null)
            {
                t.Bad(at, text, "not an ISO 8601 date-time", $"{t.Show(text)} is not an ISO 8601 date-time");
            }
            else if (day < first || day > last)
            {
                var range = $"outside the supported range {first:yyyy-MM-dd} to {last:yyyy-MM-dd}";
                t.Bad(at, text, range, $"<value withheld> is {range}");
            }
        }

        return rows;
    }
}
