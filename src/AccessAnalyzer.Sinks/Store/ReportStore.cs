using System.Data.Common;
using System.Text.Json;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;

namespace AccessAnalyzer.Sinks.Store;

/// <summary>One run to store: the report (every principal, not a --top cut), optionally the org tree and a plan.</summary>
public sealed record StoredRun
{
    /// <summary>The analysis. Its <see cref="AnalysisReport.Principals"/> must hold every principal (build it without Top).</summary>
    public required AnalysisReport Report { get; init; }

    /// <summary>The snapshot analyzed: its org tree fills <c>report_units</c> for the per-unit view. Null stores no units.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>A remediation plan computed on the same snapshot; fills <c>report_plan</c> and the run's plan columns.</summary>
    public RemediationPlan? Plan { get; init; }

    /// <summary>The command that produced the run: <c>analyze</c> or <c>plan</c>.</summary>
    public string Command { get; init; } = "analyze";

    /// <summary>The version of the tool that produced the run.</summary>
    public required string ToolVersion { get; init; }

    /// <summary>The command's outcome: <c>ok</c>, or <c>gate-failed</c>.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>When the analysis started.</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>An open report store and the connection it owns; <see cref="Name"/> names the database without credentials.</summary>
public sealed class ReportStoreSession(DbConnection connection, ReportStore store, string name) : IDisposable
{
    public ReportStore Store { get; } = store;

    public string Name { get; } = name;

    /// <summary>Writes one run in one transaction; a database error is bad input naming the database (exit 2).</summary>
    public Guid Write(StoredRun run, CancellationToken cancellationToken = default)
    {
        try
        {
            return Store.Write(run, cancellationToken);
        }
        catch (DbException ex)
        {
            throw new InputErrorException(Name, null, null, $"cannot store the run (nothing was written): {ex.Message}");
        }
    }

    public void Dispose() => connection.Dispose();
}

/// <summary>
/// Writes runs into the report tables (<c>sql/&lt;dialect&gt;/report-tables.sql</c>) of any database of the dialect
/// layer, each run in ONE transaction: the run row, its units, principals, findings, coverage, organisations and plan
/// rows become visible together or not at all; a failure or a cancellation midway rolls back and leaves the tables
/// exactly as they were.
/// Runs never overwrite each other: each gets a new run_id (a UUID) and the database numbers it (run_seq).
/// Needs INSERT on the report tables only (role aa_writer).
/// </summary>
public sealed class ReportStore
{
    private readonly DbConnection _connection;
    private readonly ISqlDialect _dialect;

    /// <param name="connection">An open connection; not owned.</param>
    /// <param name="dialect">The database's dialect, with the schema of the report tables.</param>
    public ReportStore(DbConnection connection, ISqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        _connection = connection;
        _dialect = dialect;
    }

    /// <summary>Rows per INSERT statement (fewer when the database limits parameters).</summary>
    public int BatchRows { get; init; } = 500;

    /// <summary>Told the number of rows written so far after each statement (synchronously, inside the transaction).</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>
    /// Creates the report tables and views when <c>report_runs</c> is missing, and brings those of an earlier version up
    /// to date when a table or column this version writes is missing (both need CREATE or ALTER on the schema). When
    /// everything is there nothing is run, so a writer-only login (INSERT on the report tables) passes.
    /// </summary>
    /// <exception cref="InputErrorException">The tables predate this version and could not be brought up to date.</exception>
    public void EnsureTables()
    {
        var relations = CanonicalLoader.RelationNames(_connection, _dialect);

        if (!relations.Contains("report_runs"))
        {
            CanonicalLoader.InitReports(_connection, _dialect);
            return;
        }

        var missing = Missing(relations);
        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            CanonicalLoader.InitReports(_connection, _dialect);
        }
        catch (DbException ex)
        {
            throw new InputErrorException(_dialect.DisplayName("report_runs"), null, null,
                $"the report tables predate this version (no {string.Join(", ", missing)}) and could not be brought up to date: {ex.Message}. " +
                $"Store once with a login that may alter them, or run sql/{_dialect.Name}/report-tables.sql and views.sql as their owner, then grants.sql");
        }
    }

    /// <summary>The tables and columns this version writes that the database lacks (a store made by an earlier version).</summary>
    private List<string> Missing(HashSet<string> relations)
    {
        var missing = new List<string>();
        foreach (var (table, columns) in Written)
        {
            if (!relations.Contains(table))
            {
                missing.Add(table);
                continue;
            }

            var present = CanonicalLoader.ColumnNames(_connection, _dialect, table);
            missing.AddRange(columns.Where(c => !present.Contains(c)).Select(c => $"{table}.{c}"));
        }

        return missing;
    }

    /// <summary>
    /// Opens the report tables of <paramref name="target"/> (a source's own database, <see cref="ISource.Store"/>, or
    /// the one <c>--store-to</c> names, <see cref="SourceResolver.ResolveStoreTarget"/>), creating them if they are
    /// not there yet.
    /// </summary>
    public static ReportStoreSession Open(StoreTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var connection = target.Open();
        try
        {
            var store = new ReportStore(connection, target.Dialect);
            store.EnsureTables();
            return new ReportStoreSession(connection, store, target.Name);
        }
        catch (DbException ex)
        {
            connection.Dispose();
            throw new InputErrorException(target.Name, null, null, $"cannot prepare the report tables: {ex.Message}");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Writes one run in one transaction and returns its run_id.</summary>
    /// <exception cref="OperationCanceledException">Cancelled: nothing was written.</exception>
    public Guid Write(StoredRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var report = run.Report;
        if (report.Principals.Count != report.Totals.Principals)
        {
            throw new ArgumentException(
                $"the report holds {report.Principals.Count} of {report.Totals.Principals} principals: store a report built without --top", nameof(run));
        }

        var runId = Guid.NewGuid();
        var id = _dialect.ToDbUuid(runId);
        cancellationToken.ThrowIfCancellationRequested();
        using var transaction = _connection.BeginTransaction();
        var written = 0L;
        void Insert(string table, string[] columns, IEnumerable<object?[]> rows) =>
            written = InsertRows(transaction, table, columns, rows, written, cancellationToken);

        var t = report.Totals;
        var plan = run.Plan;
        Insert("report_runs", RunColumns,
        [
            [
                id, _dialect.ToDbTimestamp(run.StartedAt), _dialect.ToDbTimestamp(DateTimeOffset.UtcNow), _dialect.ToDbDate(report.Header.AsOf),
                report.Header.Source, run.ToolVersion, run.Command, run.Status,
                t.Principals, t.Files, t.Exposure, t.ExcessExposure, t.SensitiveExcessExposure, t.CaseloadFiles, t.CaseloadInReach,
                t.ClosedFilesInReach, t.PrincipalsWithExcess, t.DanglingReferences, t.GroupCycles, t.PhishableExposure,
                t.PartnerPhishableExposure, t.DormantAccountsWithReach, report.Findings.Count,
                plan?.Items.Count, plan?.Totals.ExposureAfter, plan?.Totals.ExcessExposureAfter, plan?.Totals.SensitiveExcessExposureAfter,
                t.JustifiedFiles, t.Distinct.Reachable, t.Distinct.Excess, t.Distinct.SensitiveExcess, t.Distinct.Phishable,
            ],
        ]);

        if (run.Snapshot is { } snapshot)
        {
            var u = snapshot.Units;
            Insert("report_units", UnitColumns,
                Enumerable.Range(0, u.Count).Select(i => new object?[] { id, u.Ids[i], u.Parent[i] >= 0 ? u.Ids[u.Parent[i]] : null, u.Kinds[i], u.Names[i] }));
        }

        Insert("report_principals", PrincipalColumns, report.Principals.Select(p => new object?[]
        {
            id, p.PrincipalId, Kind(p.Kind), p.Organization, p.UnitId, _dialect.ToDbBoolean(p.Active), _dialect.ToDbBoolean(p.Mfa),
            p.LastLogin is { } login ? _dialect.ToDbDate(login) : null,
            p.ReachableFiles, p.CaseloadFiles, p.CaseloadInReach, p.ExcessFiles, p.SensitiveExcessFiles, p.ClosedFilesInReach, p.GrantsInForce,
            p.JustifiedFiles,
        }));

        Insert("report_findings", FindingColumns,
            report.Findings.Select((f, i) => new object?[]
            {
                id, i + 1, f.RuleId, Severity(f.Severity), f.Message, f.SubjectKind, JsonSerializer.Serialize(f.SubjectIds),
            }));

        Insert("report_coverage", CoverageColumns,
            report.Coverage.Select(c => new object?[] { id, c.Check, _dialect.ToDbBoolean(c.Ran), c.Reason }));

        Insert("report_organizations", OrganizationColumns, report.Organizations.Select(o => new object?[]
        {
            id, o.Organization, o.Principals, _dialect.ToDbBoolean(o.Partner),
            o.Figures.Reachable, o.Figures.Excess, o.Figures.SensitiveExcess, o.Figures.Phishable,
        }));

        if (plan is not null)
        {
            Insert("report_plan", PlanColumns, plan.Items.Select(p => new object?[]
            {
                id, p.Rank, p.AssignmentId, p.RoleId, p.HolderId, p.HolderType, p.ScopeUnitId, Change(p.Change), p.NewScopeUnitId,
                p.Holders, p.ExcessRemoved, p.SensitiveExcessRemoved, p.CumulativeExcessRemoved, p.CumulativeSensitiveExcessRemoved,
            }));
        }

        cancellationToken.ThrowIfCancellationRequested();
        transaction.Commit();
        return runId;
    }

    private static readonly string[] RunColumns =
    [
        "run_id", "started_at", "stored_at", "as_of", "source_name", "tool_version", "command", "status",
        "principals", "files", "exposure", "excess_exposure", "sensitive_excess_exposure", "caseload_files", "caseload_in_reach",
        "closed_files_in_reach", "principals_with_excess", "dangling_references", "group_cycles", "phishable_exposure",
        "partner_phishable_exposure", "dormant_accounts_with_reach", "findings",
        "plan_items", "plan_exposure_after", "plan_excess_exposure_after", "plan_sensitive_excess_exposure_after",
        "justified_files", "distinct_reachable_files", "distinct_excess_files", "distinct_sensitive_excess_files", "distinct_phishable_files",
    ];

    private static readonly string[] UnitColumns = ["run_id", "unit_id", "parent_id", "kind", "name"];

    private static readonly string[] PrincipalColumns =
    [
        "run_id", "principal_id", "kind", "organization", "unit_id", "active", "mfa", "last_login",
        "reachable_files", "caseload_files", "caseload_in_reach", "excess_files", "sensitive_excess_files", "closed_files_in_reach", "grants_in_force",
        "justified_files",
    ];

    private static readonly string[] FindingColumns = ["run_id", "finding_no", "rule_id", "severity", "message", "subject_kind", "subject_ids"];

    private static readonly string[] CoverageColumns = ["run_id", "check_id", "ran", "reason"];

    private static readonly string[] OrganizationColumns =
    [
        "run_id", "organization", "principals", "partner",
        "distinct_reachable_files", "distinct_excess_files", "distinct_sensitive_excess_files", "distinct_phishable_files",
    ];

    private static readonly string[] PlanColumns =
    [
        "run_id", "rank", "assignment_id", "role_id", "holder_id", "holder_type", "scope_unit_id", "change", "new_scope_unit_id",
        "holders", "excess_removed", "sensitive_excess_removed", "cumulative_excess_removed", "cumulative_sensitive_excess_removed",
    ];

    /// <summary>Every table a run is written into, with the columns written: what <see cref="EnsureTables"/> checks.</summary>
    private static readonly (string Table, string[] Columns)[] Written =
    [
        ("report_runs", RunColumns), ("report_units", UnitColumns), ("report_principals", PrincipalColumns),
        ("report_findings", FindingColumns), ("report_coverage", CoverageColumns), ("report_organizations", OrganizationColumns),
        ("report_plan", PlanColumns),
    ];

    /// <summary>Multi-row INSERTs within the transaction; the token is checked before every statement.</summary>
    private long InsertRows(
        DbTransaction transaction, string table, string[] columns, IEnumerable<object?[]> rows, long written, CancellationToken cancellationToken)
    {
        var perStatement = Math.Max(1, Math.Min(BatchRows, _dialect.MaxParameters / columns.Length));
        var head = $"INSERT INTO {_dialect.Table(table)} ({string.Join(", ", columns.Select(_dialect.Quote))}) VALUES ";
        foreach (var chunk in rows.Chunk(perStatement))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            var values = new List<string>(chunk.Length);
            var n = 0;
            foreach (var row in chunk)
            {
                var markers = new string[row.Length];
                for (var c = 0; c < row.Length; c++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = _dialect.Parameter(n);
                    parameter.Value = row[c] ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                    markers[c] = _dialect.Parameter(n++);
                }

                values.Add("(" + string.Join(", ", markers) + ")");
            }

            command.CommandText = head + string.Join(", ", values);
            command.ExecuteNonQuery();
            written += chunk.Length;
            Progress?.Report(written);
        }

        return written;
    }

    private static string Kind(PrincipalKind kind) => Spellings.Of(kind);

    private static string Severity(Severity severity) => severity switch
    {
        Core.Reporting.Severity.Critical => "critical",
        Core.Reporting.Severity.High => "high",
        Core.Reporting.Severity.Medium => "medium",
        Core.Reporting.Severity.Low => "low",
        _ => "info",
    };

    private static string Change(RemediationChange change) => change switch
    {
        RemediationChange.Remove => "remove",
        RemediationChange.NarrowToCaseload => "narrow-to-caseload",
        RemediationChange.NarrowToUnit => "narrow-to-unit",
        _ => change.ToString(),
    };
}
