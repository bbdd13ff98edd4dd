using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Gate;

/// <summary>
/// The small tables of a source (org units, principals, groups, memberships, roles, assignments): what a grant is made
/// of. The monitor keeps the previous run's to rebuild the "before" side of <see cref="SnapshotDiff"/> over today's
/// files and caseload: a grant's change is then measured alone, not mixed with the files that came and went.
/// </summary>
public sealed record ReferenceRows(
    IReadOnlyList<OrgUnitRow> OrgUnits, IReadOnlyList<PrincipalRow> Principals, IReadOnlyList<GroupRow> Groups,
    IReadOnlyList<MembershipRow> Memberships, IReadOnlyList<RoleRow> Roles, IReadOnlyList<AssignmentRow> Assignments)
{
    public static ReferenceRows Of(SourceTables tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return new(tables.OrgUnits, tables.Principals, tables.Groups, tables.Memberships, tables.Roles, tables.Assignments);
    }

    /// <summary><paramref name="tables"/> with these small tables in place of its own; its files, caseload and shares kept.</summary>
    public SourceTables Over(SourceTables tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return new SourceTables
        {
            SourceName = tables.SourceName,
            TableDisplayName = tables.TableDisplayName,
            OrgUnits = OrgUnits,
            Principals = Principals,
            Groups = Groups,
            Memberships = Memberships,
            Roles = Roles,
            Assignments = Assignments,
            FileCounts = tables.FileCounts,
            CaseloadCounts = tables.CaseloadCounts,
            FileLinks = tables.FileLinks,
            Shares = tables.Shares,
            AccountPolicies = tables.AccountPolicies,
            Justifications = tables.Justifications,
            OptionalTableStatus = tables.OptionalTableStatus,
            LastLoginColumn = tables.LastLoginColumn,
        };
    }
}

/// <summary>What the monitor keeps of one analysis run to compare the next one with: small, no file id.</summary>
/// <param name="Excess">Each account's files beyond its caseload.</param>
/// <param name="CriticalFindings">Keys (rule and subjects) of the critical findings.</param>
/// <param name="Violations">Fingerprints of the gate policy's violations (empty without a policy).</param>
public sealed record DriftRecord(IReadOnlyDictionary<string, long> Excess, IReadOnlySet<string> CriticalFindings, IReadOnlySet<string> Violations);

/// <summary>
/// Something new since the previous analysis run. <see cref="SubjectKind"/> and <see cref="SubjectId"/> name what it is
/// about (an account, an assignment, an organisation…); never a beneficiary file.
/// </summary>
public sealed record DriftAlert(string Rule, Severity Severity, string SubjectKind, string SubjectId, long Count, long Threshold, string Message)
{
    /// <summary>The grant, for <c>grant-widened</c>.</summary>
    public AssignmentChange? Assignment { get; init; }

    /// <summary>The gate rules the subject breaks (<c>grant-widened</c>: the policy's rules on that assignment; <c>policy-violation</c>: its rule).</summary>
    public IReadOnlyList<string> GateRules { get; init; } = [];
}

/// <summary>
/// Compares an analysis run with the previous one: <c>new-critical-finding</c> (a critical finding not there before),
/// <c>excess-grew</c> (an account's excess grew by more than a threshold), <c>grant-widened</c> (an assignment added or
/// given a wider scope, with the gate rules it breaks) and <c>policy-violation</c> (a gate rule broken that was not
/// before, or a change rule broken by this change). The gate's own rules and diff do the judging: a grant widened
/// straight in the production database is judged as the gate would have judged the change, had it been reviewed.
/// </summary>
public static class ExposureDrift
{
    public const string NewCriticalFinding = "new-critical-finding";
    public const string ExcessGrew = "excess-grew";
    public const string GrantWidened = "grant-widened";
    public const string PolicyViolation = "policy-violation";

    /// <summary>
    /// The default of <c>--excess-growth</c>: 500 files is a team's worth of caseloads, far above the day-to-day drift
    /// of new files in an account's units, and far below what a widened unit grant adds.
    /// </summary>
    public const long DefaultExcessGrowth = 500;

    /// <summary>Subject kinds whose ids are safe to put in an alert: no gate rule names a beneficiary file under these.</summary>
    private static readonly HashSet<string> NamedSubjects = new(StringComparer.Ordinal)
    {
        "principal", "assignment", "group", "organization", "change", "table", "org_units", "principals", "groups", "memberships", "roles", "assignments",
    };

    /// <summary>
    /// The monitor's version of a policy: without <c>failOnUsageFindings</c>, whose access-log rules the monitor
    /// already applies to each day as it happens (and which a CSV source's re-read, without the log, could not run).
    /// </summary>
    public static GatePolicy ForMonitor(GatePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy with { FailOnUsageFindings = [] };
    }

    /// <summary>A diff that changes nothing: what the gate's change rules see when no small table changed.</summary>
    public static DiffReport NoChange(Analysis analysis, IReadOnlyList<PrincipalFigures> figures)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var totals = ReportBuilder.Totals(analysis, figures, ReportOptions.DefaultDormantAfterDays);
        var coverage = Coverage.Of(analysis.Snapshot, analysis.AsOf);
        return new DiffReport(new ReportHeader(analysis.Snapshot.SourceName, analysis.AsOf), analysis.Snapshot.SourceName,
            totals, totals, [], [], [], coverage, coverage);
    }

    public static DriftRecord Record(IReadOnlyList<PrincipalFigures> figures, IReadOnlyList<Finding> findings, GateOutcome? outcome)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(findings);
        return new DriftRecord(
            figures.ToDictionary(f => f.PrincipalId, f => f.ExcessFiles, StringComparer.Ordinal),
            findings.Where(f => f.Severity == Severity.Critical).Select(Key).ToHashSet(StringComparer.Ordinal),
            (outcome?.Violations ?? []).Select(v => v.Fingerprint).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>What is new in this run since <paramref name="previous"/>, in a stable order.</summary>
    /// <param name="previous">The previous run.</param>
    /// <param name="figures">This run's figures.</param>
    /// <param name="findings">This run's findings.</param>
    /// <param name="diff">The small tables' change since the previous run, over today's files.</param>
    /// <param name="outcome">The gate policy applied to this run with <paramref name="diff"/>; null without a policy.</param>
    /// <param name="policy">That policy (to tell change rules, which judge this run's change only); null without one.</param>
    /// <param name="excessGrowth">An account's excess must grow by more than this for <c>excess-grew</c>.</param>
    public static IReadOnlyList<DriftAlert> Compare(DriftRecord previous, IReadOnlyList<PrincipalFigures> figures, IReadOnlyList<Finding> findings,
        DiffReport diff, GateOutcome? outcome, GatePolicy? policy, long excessGrowth)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(diff);
        var alerts = new List<DriftAlert>();

        foreach (var finding in findings.Where(f => f.Severity == Severity.Critical && !previous.CriticalFindings.Contains(Key(f))))
        {
            alerts.Add(new DriftAlert(NewCriticalFinding, Severity.Critical, finding.SubjectKind, string.Join(",", finding.SubjectIds), 1, 0,
                $"{finding.RuleId}: {finding.Message}")
            { GateRules = [finding.RuleId] });
        }

        foreach (var f in figures)
        {
            var before = previous.Excess.TryGetValue(f.PrincipalId, out var b) ? b : 0;
            if (f.ExcessFiles - before > excessGrowth)
            {
                alerts.Add(new DriftAlert(ExcessGrew, f.Kind == PrincipalKind.Partner ? Severity.Critical : Severity.High, "principal", f.PrincipalId,
                    f.ExcessFiles - before, excessGrowth,
                    $"Account '{f.PrincipalId}' ({f.Organization}) can open {N(f.ExcessFiles - before)} more files beyond its caseload than at the previous run " +
                    $"({N(before)} → {N(f.ExcessFiles)}; threshold {N(excessGrowth)})."));
            }
        }

        // Change rules judge this run's change alone: each of their violations is new. The others are new when the
        // previous run did not have them.
        var changeRules = policy is null ? [] : GateRules.All
            .Where(r => r.Info(policy, comparing: false) is null && r.Info(policy, comparing: true) is not null)
            .Select(r => r.Info(policy, comparing: true)!.Id).ToHashSet(StringComparer.Ordinal);
        var violations = (outcome?.Violations ?? [])
            .Where(v => changeRules.Contains(v.RuleId) || !previous.Violations.Contains(v.Fingerprint)).ToList();
        var widened = diff.Assignments.Where(a => a.GrantsMoreAlone).ToList();
        var allViolations = outcome?.Violations ?? [];
        foreach (var grant in widened)
        {
            // One alert per grant: the gate rules it breaks are named in it rather than alerted apart.
            var broken = allViolations.Where(v => v.SubjectKind == "assignment" && v.SubjectId == grant.AssignmentId).ToList();
            var severity = broken.Any(v => v.Critical) ? Severity.Critical
                : broken.Any(v => v.Fails) || grant.SensitiveExcessGrantedAlone > 0 ? Severity.High
                : Severity.Medium;
            var what = grant.Kind == AssignmentChangeKind.Added ? "added" : "widened";
            var rules = broken.Count == 0 ? string.Empty : $"; breaks {string.Join(", ", broken.Select(v => v.RuleId).Distinct(StringComparer.Ordinal))}";
            alerts.Add(new DriftAlert(GrantWidened, severity, "assignment", grant.AssignmentId, grant.ExcessGrantedAlone, grant.ExcessGrantedAloneBefore,
                $"Assignment '{grant.AssignmentId}' {what} outside any reviewed change: {grant.Before ?? "(none)"} → {grant.After}; " +
                $"alone it gives its {N(grant.Holders)} holder(s) {N(grant.ExcessGrantedAlone)} files beyond their caseload " +
                $"({N(grant.SensitiveExcessGrantedAlone)} sensitive; {N(grant.ExcessGrantedAloneBefore)} before){rules}.")
            {
                Assignment = grant,
                GateRules = [.. broken.Select(v => v.RuleId).Distinct(StringComparer.Ordinal)],
            });
        }

        var grantIds = widened.Select(a => a.AssignmentId).ToHashSet(StringComparer.Ordinal);
        foreach (var v in violations.Where(v => !(v.SubjectKind == "assignment" && grantIds.Contains(v.SubjectId))))
        {
            var named = NamedSubjects.Contains(v.SubjectKind);
            alerts.Add(new DriftAlert(PolicyViolation, v.Critical ? Severity.Critical : v.Fails ? Severity.High : Severity.Medium,
                v.SubjectKind, named ? v.SubjectId : "<withheld>", v.Value, v.Limit,
                named ? v.Message : $"{v.RuleId} on {v.SubjectKind} (subject withheld: it may name a beneficiary file)")
            {
                GateRules = [v.RuleId],
            });
        }

        return alerts;
    }

    private static string Key(Finding f) => f.RuleId + "\n" + string.Join("\n", f.SubjectIds);

    private static string N(long value) => Numbers.Grouped(value);
}
