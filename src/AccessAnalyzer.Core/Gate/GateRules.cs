using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using static AccessAnalyzer.Core.Gate.GateEvaluator;

namespace AccessAnalyzer.Core.Gate;

/// <summary>The built-in gate rules, one small class each. Ids are stable: baselines and CI systems key on them.</summary>
public static class GateRules
{
    /// <summary>
    /// The rules whose violations are critical, in one place. A critical violation stands for what <c>analyze</c> calls
    /// critical: a partner account reaching files beyond its caseload (<c>max-partner-sensitive-excess</c>;
    /// <c>max-excess-per-principal</c> and <c>forbidden-scope-level</c> when partner accounts are concerned) and what the
    /// access log shows was taken (<c>usage-finding</c>: mass reads, read spikes and the other usage findings a policy
    /// fails on). <c>gate --write-baseline</c> refuses to accept them without <c>--accept-critical</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, GateCriticality> Criticality { get; } = new Dictionary<string, GateCriticality>(StringComparer.Ordinal)
    {
        ["max-partner-sensitive-excess"] = GateCriticality.Always,
        ["max-excess-per-principal"] = GateCriticality.WhenPartnersReached,
        ["forbidden-scope-level"] = GateCriticality.WhenPartnersReached,
        ["usage-finding"] = GateCriticality.Always,
    };

    /// <summary>How critical a rule's violations are (<see cref="GateCriticality.None"/> for a rule not in <see cref="Criticality"/>).</summary>
    public static GateCriticality CriticalityOf(string ruleId) =>
        Criticality.TryGetValue(ruleId, out var criticality) ? criticality : GateCriticality.None;

    // Declared before All: static fields initialize in textual order.
    private static readonly PrincipalThresholdRule MaxExcessPerPrincipal = new(
        "max-excess-per-principal", "MaxExcessPerPrincipal", "An account can open more files beyond its caseload than policy allows.",
        "Narrow the assignments that give this account reach outside its caseload: `accessanalyzer explain --principal ID` lists them, `accessanalyzer plan` ranks the changes.",
        policy => policy.MaxExcessPerPrincipal,
        f => f.ExcessFiles,
        (f, limit) => $"Account '{f.PrincipalId}' ({f.Organization}) can open {N(f.ExcessFiles)} files beyond its caseload (limit {N(limit)}).");

    private static readonly PrincipalThresholdRule MaxPartnerSensitiveExcess = new(
        "max-partner-sensitive-excess", "MaxPartnerSensitiveExcess", "A partner-organisation account reaches sensitive files beyond its caseload.",
        "Partner advisors should read health and disability data of their own caseload only: remove or narrow the sensitive role.",
        policy => policy.MaxPartnerSensitiveExcess,
        f => f.Kind == PrincipalKind.Partner ? f.SensitiveExcessFiles : null,
        (f, limit) => $"Partner account '{f.PrincipalId}' ({f.Organization}) can open {N(f.SensitiveExcessFiles)} sensitive files beyond its caseload (limit {N(limit)}).");

    private static readonly PrincipalThresholdRule MfaRequiredAboveReach = new(
        "mfa-required-above-reach", "MfaRequiredAboveReach", "An account without multi-factor authentication reaches more files than policy allows.",
        "Enrol the account in MFA, or reduce its reach: a phished password must not open many files.",
        policy => policy.MfaRequiredAboveReach,
        f => f.Mfa ? null : f.ReachableFiles,
        (f, limit) => $"Account '{f.PrincipalId}' ({f.Organization}) has no MFA and reaches {N(f.ReachableFiles)} files (limit {N(limit)}).");

    public static IReadOnlyList<IGateRule> All { get; } =
    [
        MaxExcessPerPrincipal, new MaxReachToCaseloadRatio(), MaxPartnerSensitiveExcess, new ForbiddenScopeLevel(),
        MfaRequiredAboveReach, new MaxLockoutThreshold(), new NoGroupCycles(), new NoDanglingReferences(),
        new NoDormantAccountWithReach(), new UsageFindings(), new RequiredInputMissing(), new MaxGrantExcess(), new MaxExcessIncrease(),
        new MaxPrincipalExcessIncrease(),
    ];

    /// <summary>A per-account limit: the account's value (null: the rule does not apply to it) must not exceed the threshold.</summary>
    private sealed class PrincipalThresholdRule(
        string id, string name, string description, string help,
        Func<GatePolicy, ThresholdRule> rule, Func<PrincipalFigures, long?> value, Func<PrincipalFigures, long, string> message) : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => GateRules.Info(rule(policy), id, name, description, help);

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            var threshold = rule(c.Policy);
            for (var p = 0; p < c.Figures.Count; p++)
            {
                var f = c.Figures[p];
                if (value(f) is { } v && v > threshold.Threshold)
                {
                    yield return new(id, threshold.Level, message(f, threshold.Threshold), "principal", f.PrincipalId, v, threshold.Threshold, c.PrincipalLocation(p))
                    {
                        ReachesPartners = f.Kind == PrincipalKind.Partner,
                    };
                }
            }
        }
    }

    private sealed class UsageFindings : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => policy.FailOnUsageFindings.Count == 0 ? null
            : new GateRuleInfo("usage-finding", "UsageFinding", policy.UsageFindingsLevel,
                "The access log shows what the policy forbids: " + string.Join(", ", policy.FailOnUsageFindings) + ".",
                "Investigate the account's reads (`accessanalyzer analyze` lists the days and volumes), then narrow its access or disable it.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            if (c.Snapshot.UsageIndex is null)
            {
                yield break; // no access log: required-input-missing says so, and fails the gate
            }

            var wanted = c.Policy.FailOnUsageFindings.ToHashSet(StringComparer.Ordinal);
            foreach (var finding in c.UsageFindings.Where(f => wanted.Contains(f.RuleId)))
            {
                var subject = finding.SubjectIds.FirstOrDefault() ?? "access_events";
                var known = c.Snapshot.TryGetPrincipal(subject, out var p);
                yield return new("usage-finding", c.Policy.UsageFindingsLevel, $"{finding.RuleId}: {finding.Message}",
                    finding.RuleId, subject, 1, 0,
                    known ? c.PrincipalLocation(p) : c.TableLocation("access_events", subject))
                {
                    ReachesPartners = known && c.Snapshot.Principals.Kinds[p] == PrincipalKind.Partner,
                };
            }
        }
    }

    /// <summary>
    /// A rule the policy enables depends on an optional table that the source lacks, holds empty or cannot read: that
    /// rule found nothing because it could not look, which must not pass as a clean result. One violation per table,
    /// at the level of the rules it disables (error unless the policy lowered them all to warning).
    /// </summary>
    private sealed class RequiredInputMissing : IGateRule
    {
        private const string Id = "required-input-missing";

        public GateRuleInfo? Info(GatePolicy policy, bool comparing)
        {
            var needs = Needs(policy).ToList();
            return needs.Count == 0 ? null : new GateRuleInfo(Id, "RequiredInputMissing", needs.Max(n => n.Level),
                "A rule the policy enables needs an optional table that the source lacks, holds empty, or cannot read.",
                "Restore the table (a change that deletes access_events or account_policy must not pass unnoticed), or take the rules that need it out of the policy.");
        }

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            foreach (var (table, rules, level) in Needs(c.Policy))
            {
                var status = c.Snapshot.Inputs.Of(table);
                if (status.Presence == TablePresence.Rows)
                {
                    continue;
                }

                yield return new(Id, level,
                    $"{Coverage.Describe(c.Snapshot, status)}: {rules} could not run.",
                    "table", table, 1, 0, c.TableLocation(table, table));
            }
        }

        /// <summary>Each optional table an enabled rule reads, with the rules it disables and their level.</summary>
        private static IEnumerable<(string Table, string Rules, GateLevel Level)> Needs(GatePolicy policy)
        {
            if (policy.FailOnUsageFindings.Count > 0)
            {
                var ids = string.Join(", ", policy.FailOnUsageFindings);
                yield return (OptionalTables.AccessEvents,
                    $"the rule{(policy.FailOnUsageFindings.Count == 1 ? string.Empty : "s")} {ids} of failOnUsageFindings", policy.UsageFindingsLevel);
            }

            if (policy.MaxLockoutThreshold.Enabled)
            {
                yield return (OptionalTables.AccountPolicy, "the rule max-lockout-threshold (maxLockoutThreshold)", policy.MaxLockoutThreshold.Level);
            }
        }
    }

    private static GateRuleInfo? Info(ThresholdRule rule, string id, string name, string description, string help) =>
        rule.Enabled ? new GateRuleInfo(id, name, rule.Level, description, help) : null;

    private static GateRuleInfo? Info(GateLevel? level, string id, string name, string description, string help) =>
        level is { } l ? new GateRuleInfo(id, name, l, description, help) : null;

    private sealed class MaxReachToCaseloadRatio : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => GateRules.Info(policy.MaxReachToCaseloadRatio,
            "max-reach-caseload-ratio", "MaxReachToCaseloadRatio", "An account reaches many times more files than its caseload.",
            "Reach should stay close to need: an account with no caseload but reach, or reach far above its caseload, usually holds a grant meant for someone else.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            var rule = c.Policy.MaxReachToCaseloadRatio;
            for (var p = 0; p < c.Figures.Count; p++)
            {
                var f = c.Figures[p];
                if (f.ReachableFiles == 0 || f.ReachableFiles < c.Policy.RatioMinReach)
                {
                    continue;
                }

                // Integer comparison, no rounding: reach > threshold × caseload, without forming the product (a
                // threshold near long.MaxValue would overflow it): reach / caseload > threshold, exactly, in integers.
                if (f.CaseloadFiles == 0 || (f.ReachableFiles - 1) / f.CaseloadFiles >= rule.Threshold)
                {
                    var ratio = f.CaseloadFiles == 0 ? "no caseload" : $"{f.ReachableFiles / f.CaseloadFiles}× its caseload";
                    yield return new("max-reach-caseload-ratio", rule.Level,
                        $"Account '{f.PrincipalId}' reaches {N(f.ReachableFiles)} files, {ratio} (limit {rule.Threshold}×).",
                        "principal", f.PrincipalId, f.CaseloadFiles == 0 ? f.ReachableFiles : f.ReachableFiles / f.CaseloadFiles, rule.Threshold,
                        c.PrincipalLocation(p));
                }
            }
        }
    }

    private sealed class ForbiddenScopeLevel : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => policy.ForbiddenScopes.Count == 0 ? null
            : new GateRuleInfo("forbidden-scope-level", "ForbiddenScopeLevel",
                policy.ForbiddenScopes.Any(f => f.Level == GateLevel.Error) ? GateLevel.Error : GateLevel.Warning,
                "A unit-scope grant reaches accounts of a kind or organisation above the level policy allows them.",
                "Grant such accounts at the allowed level or below (for example an agency), or on their caseload only.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            var s = c.Snapshot;
            var levels = c.Policy.Levels;
            for (var a = 0; a < s.Assignments.Length; a++)
            {
                var assignment = s.Assignments[a];
                if (assignment.Scope != AssignmentScope.Unit || !c.Analysis.Grants(a))
                {
                    continue;
                }

                var kind = s.Units.Kinds[assignment.ScopeUnit];
                var level = IndexOf(levels, kind);
                var unknown = level < 0 ? " (a kind the policy's levels do not name: above them all)" : string.Empty;
                foreach (var forbidden in c.Policy.ForbiddenScopes)
                {
                    // An unknown unit kind cannot be shown to be low enough: fail closed (reached only with
                    // unknownLevels "highest"; by default the evaluator refuses such a policy up front).
                    if (level >= 0 && level <= IndexOf(levels, forbidden.MaxLevel))
                    {
                        continue;
                    }

                    var matching = c.Analysis.HoldersOf(a).ToArray().Where(p =>
                        (forbidden.PrincipalKind is not { } k || s.Principals.Kinds[p] == k) &&
                        (forbidden.Organization is not { } o || string.Equals(s.Principals.Organizations[p], o, StringComparison.Ordinal))).ToList();
                    if (matching.Count == 0)
                    {
                        continue;
                    }

                    var who = forbidden.PrincipalKind is { } pk ? $"{Spellings.Of(pk)} account(s)" : $"account(s) of {forbidden.Organization}";
                    var excess = c.Analysis.ExcessThrough(a, [.. matching]);
                    var alone = c.Analysis.GrantedAlone(a, [.. matching]).Excess;
                    var holder = SnapshotDiff.HolderId(s, assignment);
                    yield return new("forbidden-scope-level", forbidden.Level,
                        $"Assignment '{assignment.Id}' grants {Labels.Role(s, assignment.Role)} on {kind} {UnitQuoted(s, assignment.ScopeUnit)}{unknown} to " +
                        $"{Spellings.Of(assignment.HolderType)} '{holder}': {matching.Count} {who} reach above " +
                        $"{forbidden.MaxLevel} level, {N(alone)} files beyond their caseload as if it were their only grant " +
                        $"({N(excess)} given every other grant).",
                        "assignment", assignment.Id, alone, 0, c.AssignmentLocation(a))
                    {
                        ReachesPartners = matching.Any(p => s.Principals.Kinds[p] == PrincipalKind.Partner),
                    };
                    break; // one violation per assignment, under the first rule it breaks
                }
            }
        }

        private static string UnitQuoted(Model.Snapshot s, int unit) => $"'{s.Units.Ids[unit]}'{Labels.NameSuffix(s.Units.Ids[unit], s.Units.Names[unit])}";

        private static int IndexOf(IReadOnlyList<string> levels, string kind)
        {
            for (var i = 0; i < levels.Count; i++)
            {
                if (string.Equals(levels[i], kind, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    private sealed class MaxLockoutThreshold : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => GateRules.Info(policy.MaxLockoutThreshold,
            "max-lockout-threshold", "MaxLockoutThreshold", "An organisation locks accounts only after more failed logins than policy allows.",
            "Lower account_policy.lockout_threshold (the breach's partner accounts locked after 50 failures).");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            var rule = c.Policy.MaxLockoutThreshold;
            foreach (var policy in c.Snapshot.Lines.Policies)
            {
                if (policy.LockoutThreshold > rule.Threshold)
                {
                    yield return new("max-lockout-threshold", rule.Level,
                        $"Organisation '{policy.Organization}' locks an account after {policy.LockoutThreshold} failed logins (limit {rule.Threshold}).",
                        "organization", policy.Organization, policy.LockoutThreshold, rule.Threshold,
                        c.TableLocation("account_policy", policy.Organization, policy.Line));
                }
            }
        }
    }

    private sealed class NoGroupCycles : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => GateRules.Info(policy.NoGroupCycles,
            "no-group-cycles", "NoGroupCycles", "Groups contain each other.",
            "Break the cycle: in a membership cycle every member of one group is a member of all, which is rarely intended.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            foreach (var cycle in c.Analysis.Closure.Cycles)
            {
                var ids = cycle.Select(g => c.Snapshot.GroupIds[g]).ToArray();
                yield return new("no-group-cycles", c.Policy.NoGroupCycles!.Value,
                    $"Groups {string.Join(", ", ids.Select(i => $"'{i}'"))} form a membership cycle.",
                    "group", string.Join("+", ids), ids.Length, 0, c.GroupLocation(cycle[0]));
            }
        }
    }

    private sealed class NoDanglingReferences : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => GateRules.Info(policy.NoDanglingReferences,
            "no-dangling-references", "NoDanglingReferences", "A row names a unit, role, group, principal or file that does not exist.",
            "Fix or delete the row: a reference to nothing hides a mistake, and may start granting when the missing id appears.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            foreach (var d in c.Snapshot.DanglingReferences)
            {
                yield return new("no-dangling-references", c.Policy.NoDanglingReferences!.Value,
                    $"{d.Table}.{d.Column}: {N(d.Count)} row(s) ({d.Subject}) name '{d.Value}', missing from {d.ReferencedTable}.",
                    d.Table, $"{d.Column}:{d.Value}:{d.Subject}", d.Count, 0, c.TableLocation(d.Table, d.Subject));
            }
        }
    }

    private sealed class NoDormantAccountWithReach : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => GateRules.Info(policy.NoDormantAccountWithReach,
            "no-dormant-account-with-reach", "NoDormantAccountWithReach", "An inactive or long-unused account still reaches files.",
            "Remove the account's assignments and group memberships, or disable the account: a dormant account with reach is an attacker's favourite.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            for (var p = 0; p < c.Figures.Count; p++)
            {
                var f = c.Figures[p];
                if (f.ReachableFiles > 0 && FindingRules.IsDormant(f, c.AsOf, c.Policy.DormantDays))
                {
                    yield return new("no-dormant-account-with-reach", c.Policy.NoDormantAccountWithReach!.Value,
                        $"{(f.Active ? "Unused" : "Inactive")} account '{f.PrincipalId}' ({f.Organization}) still reaches {N(f.ReachableFiles)} files.",
                        "principal", f.PrincipalId, f.ReachableFiles, 0, c.PrincipalLocation(p));
                }
            }
        }
    }

    private sealed class MaxExcessIncrease : IGateRule
    {
        private const int MaxNamed = 5;

        private static string Signed(long value) => value > 0 ? "+" + N(value) : N(value);

        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => !comparing ? null : GateRules.Info(policy.MaxExcessIncrease,
            "max-excess-increase", "MaxExcessIncrease", "The change adds more excess exposure than policy allows.",
            "Review the assignments and memberships the change adds or widens: `accessanalyzer diff` shows the excess each adds.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            var diff = c.Diff!;
            var rule = c.Policy.MaxExcessIncrease;
            var delta = diff.TotalsAfter.ExcessExposure - diff.TotalsBefore.ExcessExposure;
            if (delta <= rule.Threshold)
            {
                yield break;
            }

            // Every part is named so that the parts sum exactly to the increase: each changed assignment's added excess,
            // then what no single changed grant adds alone (reachable through more than one of them, or a membership).
            var changed = diff.Assignments.Where(a => a.ExcessAdded != 0)
                .OrderByDescending(a => Math.Abs(a.ExcessAdded)).ThenBy(a => a.AssignmentId, StringComparer.Ordinal).ToList();
            var causes = changed.Take(MaxNamed)
                .Select(a => $"assignment '{a.AssignmentId}' ({a.After ?? a.Before}) adds {Signed(a.ExcessAdded)} (grants {N(a.ExcessGrantedAlone)} alone)")
                .ToList();
            if (changed.Count > MaxNamed)
            {
                causes.Add($"{changed.Count - MaxNamed} other assignment(s) add {Signed(changed.Skip(MaxNamed).Sum(a => a.ExcessAdded))}");
            }

            var rest = delta - changed.Sum(a => a.ExcessAdded);
            if (rest != 0)
            {
                var memberships = diff.Memberships.Count;
                causes.Add($"{Signed(rest)} reachable through more than one changed grant" + (memberships > 0 ? $" or the {memberships} membership change(s)" : string.Empty));
            }

            var location = diff.Assignments.FirstOrDefault(a => a.ExcessAdded > 0) is { } top && c.Snapshot.TryGetAssignment(top.AssignmentId, out var i)
                ? c.AssignmentLocation(i)
                : c.TableLocation("assignments", "*");
            yield return new("max-excess-increase", rule.Level,
                $"The change adds {N(delta)} files of excess exposure (limit {N(rule.Threshold)}): {string.Join("; ", causes)}.",
                "change", "excess-exposure", delta, rule.Threshold, location);
        }
    }

    private sealed class MaxGrantExcess : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => GateRules.Info(policy.MaxExcessPerGrant,
            "max-grant-excess", "MaxGrantExcess",
            "One grant gives its holders more files beyond their caseload than policy allows, counted as if it were their only grant.",
            "Narrow the grant's scope or its holders: other grants that overlap it do not make it smaller, and it stays when they go.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            var rule = c.Policy.MaxExcessPerGrant;
            var s = c.Snapshot;
            for (var a = 0; a < s.Assignments.Length; a++)
            {
                // With a change under review, only what it adds or widens; without one, every grant in force.
                if (c.Diff is { } diff && !diff.Assignments.Any(x => x.GrantsMoreAlone && x.AssignmentId == s.Assignments[a].Id))
                {
                    continue;
                }

                var alone = c.Analysis.GrantedAlone(a);
                if (alone.Excess > rule.Threshold)
                {
                    var assignment = s.Assignments[a];
                    yield return new("max-grant-excess", rule.Level,
                        $"Assignment '{assignment.Id}' ({SnapshotDiff.Describe(s, assignment)}) gives its {N(alone.Holders)} holder(s) {N(alone.Excess)} files " +
                        $"beyond their caseload as if it were their only grant ({N(alone.SensitiveExcess)} sensitive; limit {N(rule.Threshold)}); " +
                        $"removing it would remove {N(c.Analysis.Contribution(a).Excess)} given every other grant.",
                        "assignment", assignment.Id, alone.Excess, rule.Threshold, c.AssignmentLocation(a));
                }
            }
        }
    }

    private sealed class MaxPrincipalExcessIncrease : IGateRule
    {
        public GateRuleInfo? Info(GatePolicy policy, bool comparing) => !comparing ? null : GateRules.Info(policy.MaxPrincipalExcessIncrease,
            "max-principal-excess-increase", "MaxPrincipalExcessIncrease", "The change widens one account's excess more than policy allows.",
            "Check why this account gains reach: `accessanalyzer explain --principal ID --source <after>`.");

        public IEnumerable<GateViolation> Evaluate(GateContext c)
        {
            var rule = c.Policy.MaxPrincipalExcessIncrease;
            foreach (var change in c.Diff!.Principals)
            {
                if (change.ExcessDelta > rule.Threshold)
                {
                    yield return new("max-principal-excess-increase", rule.Level,
                        $"Account '{change.PrincipalId}' gains {N(change.ExcessDelta)} files of excess ({N(change.ExcessBefore)} → {N(change.ExcessAfter)}; limit {N(rule.Threshold)}).",
                        "principal", change.PrincipalId, change.ExcessDelta, rule.Threshold,
                        c.Snapshot.TryGetPrincipal(change.PrincipalId, out var p) ? c.PrincipalLocation(p) : c.TableLocation("principals", change.PrincipalId));
                }
            }
        }
    }
}
