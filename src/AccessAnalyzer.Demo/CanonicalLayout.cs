using System.Globalization;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Demo;

/// <summary>The canonical tables in the order and with the column names both writers use.</summary>
internal enum CanonicalTable
{
    OrgUnits,
    Principals,
    Groups,
    Memberships,
    Roles,
    Assignments,
    Files,
    Caseload,
    Shares,
    AccessEvents,
    AccountPolicy,
    Justifications,
}

/// <summary>Names, columns and value spellings of the canonical tables, shared by the CSV and SQLite writers.</summary>
internal static class CanonicalLayout
{
    public static readonly string[] TableNames =
    [
        "org_units", "principals", "groups", "memberships", "roles", "assignments",
        "files", "caseload", "shares", "access_events", "account_policy", "justifications",
    ];

    public static readonly string[][] Columns =
    [
        ["id", "parent_id", "kind", "name"],
        ["id", "kind", "organization", "unit_id", "name", "active", "mfa", "last_login"],
        ["id", "name"],
        ["group_id", "member_id", "member_type"],
        ["id", "name", "file_access", "sensitive"],
        ["id", "role_id", "holder_id", "holder_type", "scope", "scope_unit_id", "valid_until"],
        ["id", "unit_id", "sensitive", "closed"],
        ["file_id", "principal_id"],
        ["file_id", "principal_id", "valid_until"],
        ["principal_id", "file_id", "at", "action"],
        ["organization", "lockout_threshold", "mfa_required"],
        ["subject_type", "subject_id", "reason", "owner", "expires"],
    ];

    public static string Boolean(bool value) => value ? "true" : "false";

    public static string? Date(DateOnly? value) =>
        value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTime value) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Kind(PrincipalKind kind) => Spellings.Of(kind);

    public static string Member(MemberType type) => Spellings.Of(type);

    public static string Holder(HolderType type) => Spellings.Of(type);

    public static string Scope(AssignmentScope scope) => Spellings.Of(scope);

    public static string Subject(JustificationSubject subject) => Spellings.Of(subject);
}
