using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Usage;
using static AccessAnalyzer.Core.Reporting.ReportBuilder;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>
/// Whether one check ran on this source, and why (not). A check that could not run is not a clean result: every output
/// lists it, so that a deleted access log or account policy never reads as "nothing found".
/// </summary>
public sealed record CoverageItem(string Check, bool Ran, string Reason);

/// <summary>The checks that depend on an optional input, and what the source held of each.</summary>
public static class Coverage
{
    /// <summary>Usage rules and exercised excess, from access_events.</summary>
    public const string AccessLog = "access-log";

    /// <summary>Lockout thresholds and MFA requirements, from account_policy.</summary>
    public const string AccountPolicy = "account-policy";

    /// <summary>Dormancy by days since the last login, from principals.last_login.</summary>
    public const string LastLogin = "last-login";

    /// <summary>Files shared to single accounts, counted in reach, from shares.</summary>
    public const string Shares = "shares";

    /// <summary>Reach beyond the caseload that a recorded justification covers, from justifications.</summary>
    public const string Justifications = "justifications";

    /// <summary>The checks in the order every output lists them, each with what it covers (for SARIF's notification metadata).</summary>
    public static IReadOnlyList<(string Check, string Description)> Checks { get; } =
    [
        (AccessLog, "Usage rules and exercised excess, from the access_events table."),
        (AccountPolicy, "Lockout thresholds and MFA requirements per organisation, from the account_policy table."),
        (LastLogin, "Dormancy by days since the last login, from the principals.last_login column."),
        (Shares, "Files shared to single accounts, counted in reach, from the shares table."),
        (Justifications, "Reach beyond the caseload that a recorded justification in force covers, from the justifications table."),
    ];

    /// <summary>Coverage of the analysis of <paramref name="snapshot"/> on <paramref name="asOf"/> (justifications in force then).</summary>
    public static IReadOnlyList<CoverageItem> Of(Snapshot snapshot, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var inputs = snapshot.Inputs;

        var log = inputs.AccessEvents;
        var usageRules = string.Join(", ", UsageRules.Catalog.Select(r => r.Id));
        var accessLog = log.Presence == TablePresence.Rows && snapshot.UsageIndex is { } usage
            ? new CoverageItem(AccessLog, true,
                $"{log.Table}: {N(usage.Events)} events from {usage.FirstDay:yyyy-MM-dd} to {usage.LastDay:yyyy-MM-dd}; usage rules ran")
            : new CoverageItem(AccessLog, false,
                $"{Describe(snapshot, log)}: the usage rules ({usageRules}) did not run, and no exercised excess is shown");

        var policy = inputs.AccountPolicy;
        var policyRules = $"{FindingRules.LockoutThresholdTooHigh}, {FindingRules.MfaNotRequired}";
        var accountPolicy = policy.Presence == TablePresence.Rows
            ? new CoverageItem(AccountPolicy, true, $"{policy.Table}: {N(policy.Rows ?? 0)} row(s); {policyRules} ran")
            : new CoverageItem(AccountPolicy, false,
                $"{Describe(snapshot, policy)}: lockout thresholds and MFA requirements were not checked ({policyRules})");

        const string ActiveFlagOnly = "dormancy is judged on the active flag only";
        var lastLogin = !inputs.LastLoginColumn
            ? new CoverageItem(LastLogin, false, $"principals has no last_login column: {ActiveFlagOnly}")
            : inputs.LastLoginValues == 0
                ? new CoverageItem(LastLogin, false, $"principals.last_login is empty in every row: {ActiveFlagOnly}")
                : new CoverageItem(LastLogin, true,
                    $"principals.last_login is set for {N(inputs.LastLoginValues)} of {N(snapshot.Principals.Count)} accounts; dormancy counts days since the last login");

        var shares = inputs.Shares;
        var sharesItem = shares.Presence == TablePresence.Rows
            ? new CoverageItem(Shares, true, $"{shares.Table}: {N(shares.Rows ?? 0)} row(s); files shared to single accounts count in reach")
            : new CoverageItem(Shares, false, $"{Describe(snapshot, shares)}: files shared to single accounts are not counted in reach");

        var justifications = inputs.Justifications;
        const string AllExcess = "every reach beyond the caseload counts as excess";
        CoverageItem justificationsItem;
        if (justifications.Presence == TablePresence.Rows)
        {
            // Rows whose subject is missing are dangling references, reported with the others; they justify nothing.
            var inForce = snapshot.Justifications.Count(j => j.IsInForce(asOf));
            var expired = snapshot.Justifications.Length - inForce;
            var dangling = (justifications.Rows ?? 0) - snapshot.Justifications.Length;
            var unresolved = dangling > 0 ? $", {N(dangling)} naming no existing subject" : string.Empty;
            justificationsItem = new CoverageItem(Justifications, true,
                $"{justifications.Table}: {N(justifications.Rows ?? 0)} row(s), {N(inForce)} in force on {asOf:yyyy-MM-dd}, " +
                $"{N(expired)} expired{unresolved}; reach they cover is reported as justified, not excess");
        }
        else
        {
            justificationsItem = new CoverageItem(Justifications, false, justifications.Presence == TablePresence.Absent
                ? $"no justifications table: {AllExcess}"
                : $"{Describe(snapshot, justifications)}: {AllExcess}");
        }

        return [accessLog, accountPolicy, lastLogin, sharesItem, justificationsItem];
    }

    /// <summary>
    /// How an optional table stood, as a clause (<c>access_events is absent</c>). Tables go by their canonical names, so
    /// every source words the same state alike; only a file that is no regular file, which only a directory of CSV files
    /// can hold, is named as the source names it.
    /// </summary>
    public static string Describe(Snapshot snapshot, TableStatus status)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(status);
        return status.Presence switch
        {
            TablePresence.Absent => $"{status.Table} is absent",
            TablePresence.NotARegularFile => $"{snapshot.Lines.TableDisplayName(status.Table)} is not a regular file (a directory or special file)",
            TablePresence.Empty => $"{status.Table} is empty (no rows)",
            TablePresence.NotRead => $"{status.Table} is present but not read",
            _ => $"{status.Table} has {N(status.Rows ?? 0)} row(s)",
        };
    }
}
