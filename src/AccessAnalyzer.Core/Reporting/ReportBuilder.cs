using System.Globalization;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>Report settings that change what is shown, never the figures.</summary>
public sealed record ReportOptions
{
    /// <summary>Show only the N principals with the most excess (totals still cover all).</summary>
    public int? Top { get; init; }

    /// <summary><c>no-mfa-with-reach</c> fires when an account without MFA reaches more files than this.</summary>
    public long NoMfaReachThreshold { get; init; }

    /// <summary>An active account whose last login is more than this many days before the analysis date is dormant.</summary>
    public int DormantAfterDays { get; init; } = DefaultDormantAfterDays;

    /// <summary>The dormancy period when none is given.</summary>
    public const int DefaultDormantAfterDays = 90;

    /// <summary><c>lockout-threshold-too-high</c> fires for an organisation that allows more failed logins than this.</summary>
    public int MaxLockoutThreshold { get; init; } = 10;

    /// <summary>Thresholds of the usage rules (applied only when the source has access events).</summary>
    public Usage.UsageOptions Usage { get; init; } = new();

}

/// <summary>Turns the engine's figures into a report: sorting, totals, and the finding rules.</summary>
public static class ReportBuilder
{
    public static AnalysisReport Build(Analysis analysis, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = analysis.Snapshot;
        var all = AllFigures(analysis);
        var sorted = all
            .OrderByDescending(f => f.ExcessFiles)
            .ThenByDescending(f => f.ReachableFiles)
            .ThenBy(f => f.PrincipalId, StringComparer.Ordinal)
            .ToArray();

        var findings = snapshot.UsageIndex is { } usage
            ? FindingRules.Order(FindingRules.Evaluate(analysis, all, options).Concat(UsageRules.Evaluate(analysis.AsOf, all, usage, options.Usage)))
            : FindingRules.Evaluate(analysis, all, options);
        var totals = Totals(analysis, all, options.DormantAfterDays);
        var shown = options.Top is { } top ? sorted.Take(Math.Max(0, top)).ToArray() : sorted;
        return new AnalysisReport(new ReportHeader(snapshot.SourceName, analysis.AsOf), totals, shown, findings, Coverage.Of(snapshot, analysis.AsOf),
            analysis.Distinct.Organizations);
    }

    /// <summary>Every principal's figures, in snapshot order, with the exercised excess when the source has an access log.</summary>
    public static PrincipalFigures[] AllFigures(Analysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var snapshot = analysis.Snapshot;
        var all = new PrincipalFigures[snapshot.Principals.Count];
        var usage = snapshot.UsageIndex;
        for (var p = 0; p < all.Length; p++)
        {
            all[p] = Figures(snapshot, analysis.Principals[p], p);
            if (usage is not null)
            {
                // Granted excess next to exercised excess: what the account could open beyond its caseload, and what it did.
                all[p] = all[p] with { ExercisedExcessFiles = usage.ActivityOf(p)?.DistinctOutsideCaseload ?? 0 };
            }
        }

        return all;
    }

    /// <summary>Sums over every principal; dormancy counted with the given period.</summary>
    public static ReportTotals Totals(Analysis analysis, IReadOnlyList<PrincipalFigures> all, int dormantAfterDays)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(all);
        var snapshot = analysis.Snapshot;
        return new ReportTotals(
            Principals: all.Count,
            Files: snapshot.FileCount,
            Exposure: all.Sum(f => f.ReachableFiles),
            ExcessExposure: all.Sum(f => f.ExcessFiles),
            SensitiveExcessExposure: all.Sum(f => f.SensitiveExcessFiles),
            CaseloadFiles: all.Sum(f => f.CaseloadFiles),
            CaseloadInReach: all.Sum(f => f.CaseloadInReach),
            ClosedFilesInReach: all.Sum(f => f.ClosedFilesInReach),
            PrincipalsWithExcess: all.Count(f => f.ExcessFiles > 0),
            DanglingReferences: snapshot.DanglingReferences.Sum(d => d.Count),
            GroupCycles: analysis.Closure.Cycles.Length,
            PhishableExposure: all.Where(f => !f.Mfa).Sum(f => f.ReachableFiles),
            PartnerPhishableExposure: all.Where(f => !f.Mfa && f.Kind == PrincipalKind.Partner).Sum(f => f.ReachableFiles),
            DormantAccountsWithReach: all.Count(f => f.ReachableFiles > 0 && FindingRules.IsDormant(f, analysis.AsOf, dormantAfterDays)),
            JustifiedFiles: all.Sum(f => f.JustifiedFiles),
            Distinct: analysis.Distinct.All);
    }

    internal static PrincipalFigures Figures(Snapshot snapshot, PrincipalExposure e, int p)
    {
        var principals = snapshot.Principals;
        var unit = principals.Units[p];
        return new PrincipalFigures(
            principals.Ids[p], principals.Kinds[p], principals.Organizations[p],
            unit >= 0 ? snapshot.Units.Ids[unit] : null, principals.Active[p], principals.Mfa[p], principals.LastLogin[p],
            e.ReachableFiles, e.CaseloadFiles, e.CaseloadInReach, e.ExcessFiles, e.SensitiveExcessFiles,
            e.ClosedFilesInReach, e.GrantsInForce, UnitName: unit >= 0 ? snapshot.Units.Names[unit] : null, JustifiedFiles: e.JustifiedFiles);
    }

    internal static string N(long value) => Numbers.Grouped(value);
}
