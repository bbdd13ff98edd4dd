-- AccessAnalyzer least-privilege roles for SQL Server.
--
--   aa_reader: SELECT on the canonical names, nothing else. This is all `analyze` needs; the tool checks at start
--              (HAS_PERMS_BY_NAME) whether its login can modify them and warns, or exits 2 with --require-read-only.
--   aa_writer: INSERT on the report tables, nothing else (no UPDATE, no DELETE: runs are only ever added).
--
-- Run once per database and schema (idempotent). Then add a database user to the roles:
--   ALTER ROLE aa_reader ADD MEMBER [analyzer];  ALTER ROLE aa_writer ADD MEMBER [analyzer];

IF DATABASE_PRINCIPAL_ID(N'aa_reader') IS NULL CREATE ROLE aa_reader;
GO
IF DATABASE_PRINCIPAL_ID(N'aa_writer') IS NULL CREATE ROLE aa_writer;
GO

-- The canonical names (tables or mapping views). shares, access_events, account_policy and justifications are
-- optional: grant on the ones that exist.
GRANT SELECT ON aa.org_units TO aa_reader;
GRANT SELECT ON aa.principals TO aa_reader;
GRANT SELECT ON aa.groups TO aa_reader;
GRANT SELECT ON aa.memberships TO aa_reader;
GRANT SELECT ON aa.roles TO aa_reader;
GRANT SELECT ON aa.assignments TO aa_reader;
GRANT SELECT ON aa.files TO aa_reader;
GRANT SELECT ON aa.caseload TO aa_reader;
GRANT SELECT ON aa.shares TO aa_reader;
GRANT SELECT ON aa.access_events TO aa_reader;
GRANT SELECT ON aa.account_policy TO aa_reader;
GRANT SELECT ON aa.justifications TO aa_reader;
GO

GRANT INSERT ON aa.report_runs TO aa_writer;
GRANT INSERT ON aa.report_units TO aa_writer;
GRANT INSERT ON aa.report_principals TO aa_writer;
GRANT INSERT ON aa.report_plan TO aa_writer;
GRANT INSERT ON aa.report_findings TO aa_writer;
GRANT INSERT ON aa.report_coverage TO aa_writer;
GRANT INSERT ON aa.report_organizations TO aa_writer;
GO
