-- AccessAnalyzer least-privilege roles for PostgreSQL.
--
--   aa_reader: SELECT on the canonical names, nothing else. This is all `analyze` needs; the tool checks at start
--              whether its login can modify them and warns (or exits 2 with --require-read-only).
--   aa_writer: INSERT on the report tables, nothing else (no UPDATE, no DELETE: runs are only ever added).
--              Dashboards get SELECT on the report views through a role of their own.
--
-- Roles are cluster-wide in PostgreSQL; run this once per schema (it is idempotent). Then give a login the role:
--   CREATE ROLE analyzer LOGIN PASSWORD '...' IN ROLE aa_reader, aa_writer;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'aa_reader') THEN
        CREATE ROLE aa_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'aa_writer') THEN
        CREATE ROLE aa_writer NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA aa TO aa_reader, aa_writer;

-- The canonical names (tables or mapping views). access_events, shares, account_policy and justifications are
-- optional: grant on the ones that exist.
GRANT SELECT ON aa.org_units, aa.principals, aa.groups, aa.memberships, aa.roles, aa.assignments,
                aa.files, aa.caseload, aa.shares, aa.access_events, aa.account_policy, aa.justifications TO aa_reader;

GRANT INSERT ON aa.report_runs, aa.report_units, aa.report_principals, aa.report_plan, aa.report_findings,
                aa.report_coverage, aa.report_organizations TO aa_writer;
