using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Usage;

namespace AccessAnalyzer.Core.Reporting;

/// <summary>
/// One unit of the org tree with the excess of the accounts whose home unit lies in its subtree (itself and every unit
/// below): Σ of those accounts' excess files, a sum over accounts like excess exposure, so a file two accounts can open
/// counts twice. <see cref="Parent"/> is the row index of the parent unit (-1 for a root); rows are in pre-order, so a
/// unit's children follow it.
/// </summary>
public sealed record UnitExcess(
    string UnitId, string Name, string Kind, int Depth, int Parent, bool HasChildren, long Excess, long SensitiveExcess, int Accounts, int AccountsWithExcess);

/// <summary>The org tree's excess, and the accounts that have no (known) home unit, which no unit row counts.</summary>
public sealed record UnitExcessTree(IReadOnlyList<UnitExcess> Rows, long UnplacedExcess, int UnplacedAccounts);

/// <summary>
/// Accounts of one kind by reach ÷ caseload: <see cref="Counts"/>[i] is the number of accounts whose ratio is at most
/// <see cref="RatioHistogram.UpperBounds"/>[i] and above the bound before it (the first bin holds every ratio up to 1:
/// no reach beyond the caseload's size). Accounts without caseload have no ratio and are counted apart.
/// </summary>
public sealed record RatioSeries(PrincipalKind Kind, IReadOnlyList<int> Counts, int NoCaseload);

/// <summary>The distribution of reach ÷ caseload over accounts, on 1-2-5 bins (a log scale), one series per account kind.</summary>
public sealed record RatioHistogram(IReadOnlyList<double> UpperBounds, IReadOnlyList<RatioSeries> Series);

/// <summary>The distinct files an account read each day it read (days up to the analysis date), and the days the daily rules flag.</summary>
public sealed record DailyReads(
    string PrincipalId, PrincipalKind Kind, string Organization, IReadOnlyList<string> Rules,
    IReadOnlyList<DateOnly> Days, IReadOnlyList<int> DistinctFiles, IReadOnlyList<DateOnly> Flagged);

/// <summary>What the access log shows of the accounts the usage rules flag: the first of them, and how many there are.</summary>
public sealed record UsageView(DateOnly? FirstDay, DateOnly? LastDay, IReadOnlyList<DailyReads> Accounts, int FlaggedAccounts);

/// <summary>
/// Everything one report document shows of one source: the analysis (every account), the plan, and the figures its
/// charts draw, shaped here so the writers only render. <see cref="Usage"/> is null without an access log.
/// </summary>
public sealed record ReportDocument(
    AnalysisReport Report,
    RemediationPlan Plan,
    UnitExcessTree Units,
    RatioHistogram Ratios,
    UsageView? Usage)
{
    /// <summary>Accounts whose daily reads are drawn: enough to show every extraction pattern, few enough to read.</summary>
    public const int MaxUsageAccounts = 12;

    /// <summary>The analysis, the plan and the charts' figures of one analysis.</summary>
    public static ReportDocument Build(Analysis analysis, ReportOptions options, PlanOptions planOptions)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(planOptions);
        var report = ReportBuilder.Build(analysis, options with { Top = null });
        var plan = RemediationPlanner.Plan(analysis, planOptions);
        var snapshot = analysis.Snapshot;
        var all = ReportBuilder.AllFigures(analysis);
        return new ReportDocument(report, plan, ExcessByUnit(snapshot, all), RatiosOf(all),
            snapshot.UsageIndex is { } usage ? UsageOf(analysis, report, all, usage, options.Usage) : null);
    }

    /// <summary>
    /// Σ excess per subtree: each account adds to its home unit, then pre-order positions walked backwards add each
    /// unit to its parent, so every unit holds its whole subtree in one pass.
    /// </summary>
    public static UnitExcessTree ExcessByUnit(Model.Snapshot snapshot, IReadOnlyList<PrincipalFigures> all)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(all);
        var units = snapshot.Units;
        var excess = new long[units.Count];
        var sensitive = new long[units.Count];
        var accounts = new int[units.Count];
        var withExcess = new int[units.Count];
        long unplacedExcess = 0;
        var unplaced = 0;
        foreach (var f in all)
        {
            var unit = snapshot.TryGetPrincipal(f.PrincipalId, out var p) ? snapshot.Principals.Units[p] : -1;
            if (unit < 0)
            {
                unplacedExcess += f.ExcessFiles;
                unplaced++;
                continue;
            }

            excess[unit] += f.ExcessFiles;
            sensitive[unit] += f.SensitiveExcessFiles;
            accounts[unit]++;
            withExcess[unit] += f.ExcessFiles > 0 ? 1 : 0;
        }

        for (var position = units.Count - 1; position >= 0; position--)
        {
            var unit = units.UnitAtPosition[position];
            if (units.Parent[unit] is var parent and >= 0)
            {
                excess[parent] += excess[unit];
                sensitive[parent] += sensitive[unit];
                accounts[parent] += accounts[unit];
                withExcess[parent] += withExcess[unit];
            }
        }

        var rowOf = new int[units.Count];
        var depth = new int[units.Count];
        var rows = new UnitExcess[units.Count];
        for (var position = 0; position < units.Count; position++)
        {
            var unit = units.UnitAtPosition[position];
            var parent = units.Parent[unit];
            depth[unit] = parent >= 0 ? depth[parent] + 1 : 0;
            rowOf[unit] = position;
            rows[position] = new UnitExcess(units.Ids[unit], units.Names[unit], units.Kinds[unit], depth[unit], parent >= 0 ? rowOf[parent] : -1,
                units.End[unit] - units.Pre[unit] > 1, excess[unit], sensitive[unit], accounts[unit], withExcess[unit]);
        }

        return new UnitExcessTree(rows, unplacedExcess, unplaced);
    }

    /// <summary>Reach ÷ caseload of every account on 1-2-5 bins up to the largest ratio, one series per kind present (partner first).</summary>
    public static RatioHistogram RatiosOf(IReadOnlyList<PrincipalFigures> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        var max = 1.0;
        foreach (var f in all)
        {
            if (f.CaseloadFiles > 0)
            {
                max = Math.Max(max, f.ReachableFiles / (double)f.CaseloadFiles);
            }
        }

        var bounds = new List<double> { 1 };
        for (var decade = 1.0; bounds[^1] < max; decade *= 10)
        {
            bounds.AddRange([2 * decade, 5 * decade, 10 * decade]);
        }

        while (bounds.Count > 1 && bounds[^2] >= max)
        {
            bounds.RemoveAt(bounds.Count - 1);
        }

        var series = new List<RatioSeries>();
        foreach (var kind in new[] { PrincipalKind.Partner, PrincipalKind.Staff, PrincipalKind.Service })
        {
            var counts = new int[bounds.Count];
            var noCaseload = 0;
            var any = false;
            foreach (var f in all.Where(f => f.Kind == kind))
            {
                any = true;
                if (f.CaseloadFiles == 0)
                {
                    noCaseload++;
                    continue;
                }

                var ratio = f.ReachableFiles / (double)f.CaseloadFiles;
                var bin = 0;
                while (bin < bounds.Count - 1 && ratio > bounds[bin])
                {
                    bin++;
                }

                counts[bin]++;
            }

            if (any)
            {
                series.Add(new RatioSeries(kind, counts, noCaseload));
            }
        }

        return new RatioHistogram(bounds, series);
    }

    /// <summary>
    /// The accounts usage findings name, those with days the daily rules flag first (most files in a day first),
    /// then the others by id; the first <see cref="MaxUsageAccounts"/> with their daily reads.
    /// </summary>
    private static UsageView UsageOf(Analysis analysis, AnalysisReport report, PrincipalFigures[] all, UsageIndex usage, UsageOptions options)
    {
        var snapshot = analysis.Snapshot;
        var usageRules = UsageRules.Catalog.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var rulesOf = new Dictionary<int, SortedSet<string>>();
        foreach (var finding in report.Findings.Where(f => usageRules.Contains(f.RuleId) && f.SubjectKind == "principal" && f.RuleId != UsageRules.NoActivityLogged))
        {
            foreach (var id in finding.SubjectIds)
            {
                if (snapshot.TryGetPrincipal(id, out var p))
                {
                    if (!rulesOf.TryGetValue(p, out var rules))
                    {
                        rulesOf[p] = rules = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    rules.Add(finding.RuleId);
                }
            }
        }

        var flaggedDays = UsageRules.FlaggedDays(analysis.AsOf, all, usage, options);
        int Peak(int p)
        {
            var files = usage.DistinctFilesOf(p);
            var peak = 0;
            foreach (var n in files)
            {
                peak = Math.Max(peak, n);
            }

            return peak;
        }

        var chosen = rulesOf.Keys
            .OrderByDescending(p => flaggedDays.ContainsKey(p))
            .ThenByDescending(Peak)
            .ThenBy(p => snapshot.Principals.Ids[p], StringComparer.Ordinal)
            .Take(MaxUsageAccounts)
            .Select(p =>
            {
                var days = usage.DaysOf(p);
                var found = days.BinarySearch(analysis.AsOf);
                var logged = found >= 0 ? found + 1 : ~found;
                return new DailyReads(snapshot.Principals.Ids[p], snapshot.Principals.Kinds[p], snapshot.Principals.Organizations[p], [.. rulesOf[p]],
                    days[..logged].ToArray(), usage.DistinctFilesOf(p)[..logged].ToArray(), flaggedDays.TryGetValue(p, out var marked) ? marked : []);
            })
            .ToArray();
        return new UsageView(usage.FirstDay, usage.LastDay is { } last && last > analysis.AsOf ? analysis.AsOf : usage.LastDay, chosen, rulesOf.Count);
    }
}
