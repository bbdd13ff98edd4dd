-- AccessAnalyzer dashboard views for SQLite, over the report tables (sql/sqlite/report-tables.sql).
-- Runs are ordered by run_seq; "latest" means the highest run_seq. Views return rows unordered: order in the query.

-- Each principal's figures from the latest run that analyzed it.
DROP VIEW IF EXISTS report_latest_principals;
CREATE VIEW report_latest_principals AS
SELECT run_seq, run_id, started_at, as_of, source_name, principal_id, kind, organization, unit_id, active, mfa, last_login,
       reachable_files, caseload_files, caseload_in_reach, excess_files, sensitive_excess_files, closed_files_in_reach, grants_in_force
FROM (
    SELECT r.run_seq, r.started_at, r.as_of, r.source_name, p.run_id, p.principal_id, p.kind, p.organization, p.unit_id, p.active, p.mfa, p.last_login,
           p.reachable_files, p.caseload_files, p.caseload_in_reach, p.excess_files, p.sensitive_excess_files, p.closed_files_in_reach, p.grants_in_force,
           row_number() OVER (PARTITION BY p.principal_id ORDER BY r.run_seq DESC) AS newest
    FROM report_principals AS p JOIN report_runs AS r ON r.run_id = p.run_id
) AS ranked
WHERE newest = 1;

-- Excess of the latest run by unit, at every level of the org tree: a unit's row sums the principals placed in it
-- or anywhere below it. level is the unit's depth (0 at a root).
DROP VIEW IF EXISTS report_excess_by_unit;
CREATE VIEW report_excess_by_unit AS
WITH RECURSIVE latest AS (
    SELECT run_id, run_seq FROM report_runs WHERE run_seq = (SELECT max(run_seq) FROM report_runs)
), tree (run_id, unit_id, ancestor_id, hops) AS (
    SELECT u.run_id, u.unit_id, u.unit_id, 0 FROM report_units AS u JOIN latest AS l ON l.run_id = u.run_id
    UNION ALL
    SELECT t.run_id, t.unit_id, u.parent_id, t.hops + 1
    FROM tree AS t JOIN report_units AS u ON u.run_id = t.run_id AND u.unit_id = t.ancestor_id
    WHERE u.parent_id IS NOT NULL
), depth AS (
    SELECT unit_id, max(hops) AS level FROM tree GROUP BY unit_id
)
SELECT l.run_seq, a.run_id, a.unit_id, a.kind, a.name, d.level,
       count(*) AS principals,
       sum(CASE WHEN p.excess_files > 0 THEN 1 ELSE 0 END) AS principals_with_excess,
       sum(p.reachable_files) AS exposure,
       sum(p.excess_files) AS excess_exposure,
       sum(p.sensitive_excess_files) AS sensitive_excess_exposure
FROM tree AS t
JOIN latest AS l ON l.run_id = t.run_id
JOIN report_principals AS p ON p.run_id = t.run_id AND p.unit_id = t.unit_id
JOIN report_units AS a ON a.run_id = t.run_id AND a.unit_id = t.ancestor_id
JOIN depth AS d ON d.unit_id = a.unit_id
GROUP BY l.run_seq, a.run_id, a.unit_id, a.kind, a.name, d.level;

-- Totals of every run, with the change since the previous run of the same source: the remediation trend.
DROP VIEW IF EXISTS report_totals_trend;
CREATE VIEW report_totals_trend AS
SELECT run_seq, run_id, started_at, as_of, source_name, command, status, principals, files, exposure, excess_exposure,
       sensitive_excess_exposure, principals_with_excess, phishable_exposure, partner_phishable_exposure,
       dormant_accounts_with_reach, findings,
       excess_exposure - lag(excess_exposure) OVER (PARTITION BY source_name ORDER BY run_seq) AS excess_exposure_change,
       sensitive_excess_exposure - lag(sensitive_excess_exposure) OVER (PARTITION BY source_name ORDER BY run_seq) AS sensitive_excess_exposure_change
FROM report_runs;

-- The remediation plan of the latest run that stored one, by rank (ORDER BY rank LIMIT n for the top n).
DROP VIEW IF EXISTS report_top_remediations;
CREATE VIEW report_top_remediations AS
SELECT r.run_seq, p.run_id, r.started_at, r.as_of, p.rank, p.assignment_id, p.role_id, p.holder_id, p.holder_type,
       p.scope_unit_id, p.change, p.new_scope_unit_id, p.holders, p.excess_removed, p.sensitive_excess_removed,
       p.cumulative_excess_removed, p.cumulative_sensitive_excess_removed
FROM report_plan AS p JOIN report_runs AS r ON r.run_id = p.run_id
WHERE r.run_seq = (SELECT max(r2.run_seq) FROM report_runs AS r2 WHERE r2.plan_items IS NOT NULL);
