using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>Where one regulator point stands: met, not met, or not verifiable on this source.</summary>
public enum EvidenceStatus
{
    Pass,
    Gap,
    NotChecked,
}

/// <summary>The points the regulator checked in the France Travail decision, in the order the pack lists them.</summary>
public static class EvidencePoints
{
    /// <summary>(a) Access beyond what the work needs.</summary>
    public const string AccessBeyondNeed = "access-beyond-need";

    /// <summary>(b) Multi-factor authentication.</summary>
    public const string Mfa = "mfa";

    /// <summary>(c) Account lockout after failed logins.</summary>
    public const string Lockout = "lockout";

    /// <summary>(d) Access logging and its proactive analysis.</summary>
    public const string Logging = "logging";

    /// <summary>(e) Remediation: what the plan removes and what it leaves.</summary>
    public const string Remediation = "remediation";

    public static IReadOnlyList<string> All { get; } = [AccessBeyondNeed, Mfa, Lockout, Logging, Remediation];

    /// <summary>
    /// Which point each finding rule gives evidence for. Every rule of <see cref="FindingRules.Catalog"/> and
    /// <see cref="UsageRules.Catalog"/> is here (a test checks it), so no finding is left out of the pack.
    /// </summary>
    public static IReadOnlyList<(string RuleId, string Point)> RuleToPoint { get; } =
    [
        (FindingRules.PartnerExcess, AccessBeyondNeed),
        (FindingRules.DormantAccountWithReach, AccessBeyondNeed),
        (FindingRules.GroupCycle, AccessBeyondNeed),
        (FindingRules.JustificationExpired, AccessBeyondNeed),
        (FindingRules.DanglingReference, AccessBeyondNeed),
        (FindingRules.MfaNotRequired, Mfa),
        (FindingRules.NoMfaWithReach, Mfa),
        (FindingRules.LockoutThresholdTooHigh, Lockout),
        (UsageRules.LogRetentionTooShort, Logging),
        (UsageRules.MassRead, Logging),
        (UsageRules.ReadSpike, Logging),
        (UsageRules.SensitiveReadsOutsideCaseload, Logging),
        (UsageRules.ReadsOutsideCaseload, Logging),
        (UsageRules.ActivityFromDormantAccount, Logging),
        (UsageRules.NoActivityLogged, Logging),
    ];
}

/// <summary>
/// One figure of a point: its current value and, with a history, its value in the first stored run
/// (<see cref="First"/>; null when there is no history or the store does not keep this figure).
/// </summary>
public sealed record EvidenceFigure(string Id, long Value, long? First = null)
{
    /// <summary>Current minus first stored run, when both are known.</summary>
    public long? Change => First is { } first ? Value - first : null;
}

/// <summary>
/// One rule applied to a point: its threshold (null when it has none), how many findings it raised and whom they name
/// (accounts, groups, organisations, assignments; never a beneficiary file). <see cref="Subjects"/> is empty for rules
/// whose subjects are rows rather than names (dangling references).
/// </summary>
public sealed record EvidenceRule(string RuleId, Severity Severity, long? Threshold, int Findings, IReadOnlyList<string> Subjects);

/// <summary>One regulator point: status, figures and the rules applied.</summary>
public sealed record EvidencePoint(string Id, EvidenceStatus Status, IReadOnlyList<EvidenceFigure> Figures, IReadOnlyList<EvidenceRule> Rules)
{
    public EvidenceFigure Figure(string id) => Figures.First(f => string.Equals(f.Id, id, StringComparison.Ordinal));
}

/// <summary>An organisation: its accounts, distinct figures, and its account policy when account_policy names it.</summary>
public sealed record EvidenceOrganization(
    string Organization, int Principals, bool Partner, long DistinctExcessFiles, long DistinctSensitiveExcessFiles, long DistinctPhishableFiles,
    int AccountsWithoutMfa, int? LockoutThreshold, bool? MfaRequired);

/// <summary>The access log as the analysis saw it: present or not, and the days it covers against the retention expected.</summary>
public sealed record LogEvidence(bool Present, long Events, DateOnly? FirstDay, DateOnly? LastDay, int DaysCovered, int RetentionDays);

/// <summary>A ranked change of the plan, without its alternatives.</summary>
public sealed record PlanChangeEvidence(int Rank, string AssignmentId, string RoleId, string? ScopeUnitId, RemediationChange Change, string? NewScopeUnitId,
    int Holders, long ExcessRemoved, long CumulativeExcessRemoved);

/// <summary>The remediation plan's effect, its first changes, and the justified grants it leaves alone.</summary>
public sealed record PlanEvidence(PlanTotals Totals, int Changes, int Removals, int NarrowingsToUnit, int NarrowingsToCaseload,
    IReadOnlyList<PlanChangeEvidence> FirstChanges, IReadOnlyList<JustifiedReach> LeftAlone);

/// <summary>The stored runs the trend is read from: how many, and the first one's date. Null in the pack: no history given.</summary>
public sealed record EvidenceHistory(int Runs, DateOnly? FirstAsOf, DateOnly? LastAsOf);

/// <summary>A file of a CSV directory source and its SHA-256 (lower-case hex, as <c>sha256sum</c> prints it).</summary>
public sealed record FileFingerprint(string Name, long Bytes, string Sha256);

/// <summary>The rows of one canonical table of a database source, counted in the database.</summary>
public sealed record TableRowCount(string Table, long Rows);

/// <summary>
/// What identifies the input: the SHA-256 of every input file (CSV directory, SQLite file), and for a database the row
/// count of each canonical table and <see cref="RowsDigest"/>, the SHA-256 of the rows the tool read (docs/reports.md: evidence pack).
/// </summary>
public sealed record InputFingerprints(string SourceKind, IReadOnlyList<FileFingerprint> Files, IReadOnlyList<TableRowCount> Tables, string? RowsDigest);

/// <summary>The header of the pack: what was analyzed, when, with which tool and command.</summary>
public sealed record EvidenceHeader(string Source, DateOnly AsOf, string ToolVersion, string CommandLine);

/// <summary>
/// The regulator's evidence pack as plain data: for each point of the decision, the current figures, the rules and
/// thresholds applied, the change since the first stored run, and whether a gap remains; then what identifies the
/// input, what was not checked, and room for sign-off. Sinks render it; nothing in it depends on the wall clock.
/// </summary>
public sealed record EvidencePack(
    EvidenceHeader Header,
    IReadOnlyList<EvidencePoint> Points,
    IReadOnlyList<EvidenceOrganization> Organizations,
    LogEvidence Log,
    PlanEvidence Plan,
    EvidenceHistory? History,
    InputFingerprints Inputs,
    IReadOnlyList<CoverageItem> Coverage)
{
    public EvidencePoint Point(string id) => Points.First(p => string.Equals(p.Id, id, StringComparison.Ordinal));

    /// <summary>The checks that could not run (<see cref="Coverage"/> items with <c>ran</c> false).</summary>
    public IReadOnlyList<CoverageItem> NotChecked => [.. Coverage.Where(c => !c.Ran)];
}

/// <summary>Figure ids, shared by the builder, the writers' labels and the JSON.</summary>
public static class EvidenceFigures
{
    public const string ExcessExposure = "excessExposure";
    public const string SensitiveExcessExposure = "sensitiveExcessExposure";
    public const string PrincipalsWithExcess = "principalsWithExcess";
    public const string PartnerAccountsWithExcess = "partnerAccountsWithExcess";
    public const string DistinctReachableFiles = "distinctReachableFiles";
    public const string DistinctExcessFiles = "distinctExcessFiles";
    public const string DistinctSensitiveExcessFiles = "distinctSensitiveExcessFiles";
    public const string JustifiedFiles = "justifiedFiles";
    public const string AccountsWithoutMfa = "accountsWithoutMfa";
    public const string AccountsWithoutMfaWithReach = "accountsWithoutMfaWithReach";
    public const string PhishableExposure = "phishableExposure";
    public const string PartnerPhishableExposure = "partnerPhishableExposure";
    public const string DistinctPhishableFiles = "distinctPhishableFiles";
    public const string OrganizationsWithoutMfaRequired = "organizationsWithoutMfaRequired";
    public const string OrganizationsAboveLockoutThreshold = "organizationsAboveLockoutThreshold";
    public const string HighestLockoutThreshold = "highestLockoutThreshold";
    public const string AccessEvents = "accessEvents";
    public const string LogDaysCovered = "logDaysCovered";
    public const string UsageFindings = "usageFindings";
    public const string PlanChanges = "planChanges";
    public const string ExcessAfterPlan = "excessAfterPlan";
    public const string SensitiveExcessAfterPlan = "sensitiveExcessAfterPlan";
    public const string JustificationsLeftAlone = "justificationsLeftAlone";

    /// <summary>The figure's value in a stored run, for the figures the report store keeps; null otherwise.</summary>
    public static long? Stored(string id, TrendPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return id switch
        {
            ExcessExposure => point.ExcessExposure,
            SensitiveExcessExposure => point.SensitiveExcessExposure,
            PrincipalsWithExcess => point.PrincipalsWithExcess,
            DistinctReachableFiles => point.DistinctReachableFiles,
            DistinctExcessFiles => point.DistinctExcessFiles,
            DistinctSensitiveExcessFiles => point.DistinctSensitiveExcessFiles,
            DistinctPhishableFiles => point.DistinctPhishableFiles,
            _ => null,
        };
    }
}

/// <summary>What the evidence pack is built from: one analysis, its plan, the stored runs and the input's fingerprints.</summary>
public sealed record EvidenceInput
{
    /// <summary>The report, built without a top limit (every principal).</summary>
    public required AnalysisReport Report { get; init; }

    public required RemediationPlan Plan { get; init; }

    /// <summary>The snapshot analyzed: account policies and the access log's span.</summary>
    public required Snapshot Snapshot { get; init; }

    /// <summary>The stored runs, oldest first; null when no history was given.</summary>
    public IReadOnlyList<TrendPoint>? History { get; init; }

    public required InputFingerprints Inputs { get; init; }

    public required string ToolVersion { get; init; }

    /// <summary>The command line, already redacted (<see cref="CommandLineText.Redact"/>).</summary>
    public required string CommandLine { get; init; }

    /// <summary>The thresholds the report was built with.</summary>
    public ReportOptions Options { get; init; } = new();

    /// <summary>How many of the plan's first changes the pack lists.</summary>
    public int PlanChangesListed { get; init; } = 10;
}

/// <summary>Builds the evidence pack from an analysis: pure, deterministic, the same input gives the same pack.</summary>
public static class EvidenceBuilder
{
    /// <summary>Subject kinds whose ids are names of accounts, groups, organisations or grants: listed in the pack.</summary>
    private static readonly HashSet<string> NamedSubjects = new(StringComparer.Ordinal)
    {
        "principal", "group", "organization", "role", "assignment", "table",
    };

    public static EvidencePack Build(EvidenceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var report = input.Report;
        if (report.Principals.Count != report.Totals.Principals)
        {
            throw new ArgumentException("the evidence pack needs every principal: build the report without a top limit", nameof(input));
        }

        var snapshot = input.Snapshot;
        var t = report.Totals;
        var d = t.Distinct;
        var options = input.Options;
        var first = input.History is { Count: > 0 } history ? history[0] : null;
        EvidenceFigure F(string id, long value) => new(id, value, first is null ? null : EvidenceFigures.Stored(id, first));

        var policies = snapshot.AccountPolicies is { } rows ? rows.ToArray() : [];
        var policyRan = report.Coverage.Any(c => c.Check == Coverage.AccountPolicy && c.Ran);
        var logRan = report.Coverage.Any(c => c.Check == Coverage.AccessLog && c.Ran);

        var rules = EvidencePoints.RuleToPoint.ToDictionary(r => r.RuleId, r => r.Point, StringComparer.Ordinal);
        IReadOnlyList<EvidenceRule> RulesOf(string point) =>
        [
            .. FindingRules.Catalog.Concat(UsageRules.Catalog)
                .Where(r => rules.TryGetValue(r.Id, out var p) && p == point)
                .Select(r =>
                {
                    var findings = report.Findings.Where(f => string.Equals(f.RuleId, r.Id, StringComparison.Ordinal)).ToArray();
                    var subjects = findings
                        .Where(f => r.Id != FindingRules.DanglingReference && NamedSubjects.Contains(f.SubjectKind))
                        .SelectMany(f => f.SubjectIds)
                        .Distinct(StringComparer.Ordinal)
                        .Order(StringComparer.Ordinal)
                        .ToArray();
                    return new EvidenceRule(r.Id, r.Severity, Threshold(r.Id, options), findings.Length, subjects);
                }),
        ];

        var principals = report.Principals;
        var access = RulesOf(EvidencePoints.AccessBeyondNeed);
        var accessPoint = new EvidencePoint(EvidencePoints.AccessBeyondNeed,
            t.ExcessExposure > 0 || access.Any(r => r.Findings > 0) ? EvidenceStatus.Gap : EvidenceStatus.Pass,
            [
                F(EvidenceFigures.ExcessExposure, t.ExcessExposure),
                F(EvidenceFigures.SensitiveExcessExposure, t.SensitiveExcessExposure),
                F(EvidenceFigures.PrincipalsWithExcess, t.PrincipalsWithExcess),
                F(EvidenceFigures.PartnerAccountsWithExcess, principals.Count(p => p.Kind == PrincipalKind.Partner && p.ExcessFiles > 0)),
                F(EvidenceFigures.DistinctReachableFiles, d.Reachable),
                F(EvidenceFigures.DistinctExcessFiles, d.Excess),
                F(EvidenceFigures.DistinctSensitiveExcessFiles, d.SensitiveExcess),
                F(EvidenceFigures.JustifiedFiles, t.JustifiedFiles),
            ],
            access);

        var mfaRules = RulesOf(EvidencePoints.Mfa);
        var withoutMfaWithReach = principals.Count(p => !p.Mfa && p.ReachableFiles > 0);
        var orgsWithoutMfa = policies.Count(p => !p.MfaRequired);
        var mfaPoint = new EvidencePoint(EvidencePoints.Mfa,
            withoutMfaWithReach > 0 || orgsWithoutMfa > 0 || mfaRules.Any(r => r.Findings > 0) ? EvidenceStatus.Gap
            : policyRan ? EvidenceStatus.Pass : EvidenceStatus.NotChecked,
            [
                F(EvidenceFigures.AccountsWithoutMfa, principals.Count(p => !p.Mfa)),
                F(EvidenceFigures.AccountsWithoutMfaWithReach, withoutMfaWithReach),
                F(EvidenceFigures.PhishableExposure, t.PhishableExposure),
                F(EvidenceFigures.PartnerPhishableExposure, t.PartnerPhishableExposure),
                F(EvidenceFigures.DistinctPhishableFiles, d.Phishable),
                F(EvidenceFigures.OrganizationsWithoutMfaRequired, orgsWithoutMfa),
            ],
            mfaRules);

        var lockoutRules = RulesOf(EvidencePoints.Lockout);
        var above = policies.Count(p => p.LockoutThreshold > options.MaxLockoutThreshold);
        var lockoutPoint = new EvidencePoint(EvidencePoints.Lockout,
            !policyRan ? EvidenceStatus.NotChecked : above > 0 ? EvidenceStatus.Gap : EvidenceStatus.Pass,
            [
                F(EvidenceFigures.OrganizationsAboveLockoutThreshold, above),
                F(EvidenceFigures.HighestLockoutThreshold, policies.Length == 0 ? 0 : policies.Max(p => p.LockoutThreshold)),
            ],
            lockoutRules);

        var usage = snapshot.UsageIndex;
        var days = usage is { FirstDay: { } firstDay, LastDay: { } lastDay } ? lastDay.DayNumber - firstDay.DayNumber + 1 : 0;
        var log = new LogEvidence(logRan, logRan ? usage?.Events ?? 0 : 0, logRan ? usage?.FirstDay : null, logRan ? usage?.LastDay : null,
            logRan ? days : 0, options.Usage.RetentionDays);
        var loggingRules = RulesOf(EvidencePoints.Logging);
        var loggingPoint = new EvidencePoint(EvidencePoints.Logging,
            // No log is itself the gap the regulator found: nothing to analyse.
            !logRan || loggingRules.Any(r => r.Findings > 0) ? EvidenceStatus.Gap : EvidenceStatus.Pass,
            [
                F(EvidenceFigures.AccessEvents, log.Events),
                F(EvidenceFigures.LogDaysCovered, log.DaysCovered),
                F(EvidenceFigures.UsageFindings, loggingRules.Where(r => r.RuleId != UsageRules.LogRetentionTooShort).Sum(r => r.Findings)),
            ],
            loggingRules);

        var plan = input.Plan;
        var planEvidence = new PlanEvidence(plan.Totals, plan.Items.Count,
            plan.Items.Count(i => i.Change == RemediationChange.Remove),
            plan.Items.Count(i => i.Change == RemediationChange.NarrowToUnit),
            plan.Items.Count(i => i.Change == RemediationChange.NarrowToCaseload),
            [.. plan.Items.Take(Math.Max(0, input.PlanChangesListed)).Select(i => new PlanChangeEvidence(
                i.Rank, i.AssignmentId, i.RoleId, i.ScopeUnitId, i.Change, i.NewScopeUnitId, i.Holders, i.ExcessRemoved, i.CumulativeExcessRemoved))],
            plan.LeftAlone);
        var remediationPoint = new EvidencePoint(EvidencePoints.Remediation,
            plan.Items.Count > 0 || plan.Totals.ExcessExposureAfter > 0 ? EvidenceStatus.Gap : EvidenceStatus.Pass,
            [
                F(EvidenceFigures.PlanChanges, plan.Items.Count),
                F(EvidenceFigures.ExcessAfterPlan, plan.Totals.ExcessExposureAfter),
                F(EvidenceFigures.SensitiveExcessAfterPlan, plan.Totals.SensitiveExcessExposureAfter),
                F(EvidenceFigures.JustificationsLeftAlone, plan.LeftAlone.Count),
            ],
            []);

        var policyByOrg = policies.GroupBy(p => p.Organization, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var withoutMfa = principals.Where(p => !p.Mfa).GroupBy(p => p.Organization, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var organizations = report.Organizations
            .Select(o => new EvidenceOrganization(o.Organization, o.Principals, o.Partner, o.Figures.Excess, o.Figures.SensitiveExcess, o.Figures.Phishable,
                withoutMfa.GetValueOrDefault(o.Organization),
                policyByOrg.TryGetValue(o.Organization, out var p) ? p.LockoutThreshold : null,
                policyByOrg.TryGetValue(o.Organization, out var q) ? q.MfaRequired : null))
            .Concat(policyByOrg.Keys.Where(k => report.Organizations.All(o => o.Organization != k))
                .Select(k => new EvidenceOrganization(k, 0, false, 0, 0, 0, 0, policyByOrg[k].LockoutThreshold, policyByOrg[k].MfaRequired)))
            .OrderBy(o => o.Organization, StringComparer.Ordinal)
            .ToArray();

        var historyInfo = input.History is { } h
            ? new EvidenceHistory(h.Count, h.Count > 0 ? h[0].AsOf : null, h.Count > 0 ? h[^1].AsOf : null)
            : null;

        return new EvidencePack(
            new EvidenceHeader(report.Header.Source, report.Header.AsOf, input.ToolVersion, input.CommandLine),
            [accessPoint, mfaPoint, lockoutPoint, loggingPoint, remediationPoint],
            organizations, log, planEvidence, historyInfo, input.Inputs, report.Coverage);
    }

    /// <summary>The threshold a rule applies, as the report was built; null for rules without one.</summary>
    public static long? Threshold(string ruleId, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var u = options.Usage;
        return ruleId switch
        {
            FindingRules.LockoutThresholdTooHigh => options.MaxLockoutThreshold,
            FindingRules.NoMfaWithReach => options.NoMfaReachThreshold,
            FindingRules.DormantAccountWithReach => options.DormantAfterDays,
            UsageRules.LogRetentionTooShort => u.RetentionDays,
            UsageRules.MassRead => u.MassReadThreshold,
            UsageRules.ReadSpike => (long)u.SpikeFactor,
            UsageRules.SensitiveReadsOutsideCaseload => u.SensitiveOutsideThreshold,
            UsageRules.ReadsOutsideCaseload => (long)Math.Round(u.OutsideShareThreshold * 100),
            _ => null,
        };
    }
}

/// <summary>The command line as the pack records it: every argument, with anything that looks like a secret withheld.</summary>
public static class CommandLineText
{
    public const string Redacted = "[redacted]";

    /// <summary>Options whose value is withheld whatever it is.</summary>
    private static readonly string[] SecretOptions = ["--password", "--connection", "--connection-string", "--token", "--secret", "--key"];

    /// <summary>Fragments that make an argument look like a connection string or a credential.</summary>
    private static readonly string[] SecretFragments =
    [
        "password", "pwd=", "secret", "token", "apikey", "api_key", "user id=", "userid=", "username=", "uid=",
        "host=", "server=", "data source=", "database=", "initial catalog=", "://", "accountkey=", "sharedaccesssignature",
    ];

    /// <summary>The arguments joined by spaces (quoted when they hold a space or a quote), secrets withheld.</summary>
    public static string Redact(string program, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parts = new List<string> { program };
        var withholdNext = false;
        foreach (var arg in args)
        {
            if (withholdNext)
            {
                parts.Add(Redacted);
                withholdNext = false;
                continue;
            }

            var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            var name = equals > 0 ? arg[..equals] : arg;
            if (SecretOptions.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                if (equals > 0)
                {
                    parts.Add(name + "=" + Redacted);
                }
                else
                {
                    parts.Add(arg);
                    withholdNext = true;
                }

                continue;
            }

            parts.Add(LooksSecret(arg) ? Redacted : Quote(arg));
        }

        return string.Join(' ', parts);
    }

    /// <summary>An argument that reads like a connection string or a credential (<c>key=value;…</c>, a URL with a login…).</summary>
    public static bool LooksSecret(string arg)
    {
        ArgumentNullException.ThrowIfNull(arg);
        return SecretFragments.Any(f => arg.Contains(f, StringComparison.OrdinalIgnoreCase))
            || (arg.Contains('=', StringComparison.Ordinal) && arg.Contains(';', StringComparison.Ordinal));
    }

    private static string Quote(string arg)
    {
        if (arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' || char.IsControl(c)))
        {
            return arg;
        }

        var text = new StringBuilder("'");
        foreach (var c in arg)
        {
            _ = c switch
            {
                '\'' => text.Append("'\\''"),
                _ when char.IsControl(c) => text.Append('?'),
                _ => text.Append(c),
            };
        }

        return text.Append('\'').ToString();
    }
}
