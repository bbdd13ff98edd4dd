-- AccessAnalyzer mapping template for SQL Server: define the canonical names as views over the agency's own tables,
-- so the tool reads the live data where it is, with no copy and no ETL.
--
-- How to use: copy this file, replace every name in angle-bracket comments (the agency_* schema, tables and
-- columns below are placeholders of an imaginary agency), drop the views of optional tables you do not have,
-- run it as the owner of schema aa, then run grants.sql. Check with:
--   accessanalyzer analyze --source sqlserver --require-read-only      (AA_CONNECTION holds the reader's connection)
--
-- Rules the views must keep (docs/semantics.md, "The canonical tables"):
--   * column names exactly as below; extra columns are ignored;
GO
--   * ids are text of at most 64 characters: cast integer keys with CAST(x AS nvarchar(64)), the SAME cast on both sides
--     (files.id and caseload.file_id must compare equal as text);
GO
--   * booleans are bit (or the text true/false); dates are date; a missing optional value is NULL;
GO
--   * ids compare exactly: give id expressions a binary collation (COLLATE Latin1_General_100_BIN2) when the
--     agency's columns are case-insensitive, or 'A1' and 'a1' would be counted as one;
GO
--   * kind is staff / partner / service; member_type and holder_type are principal / group; scope is unit / caseload;
GO
--   * a view over a big table must stay a plain projection (no DISTINCT, no ORDER BY): the tool pushes its
--     GROUP BYs through it, and the indexes of sql/sqlserver/schema.sql belong on the underlying columns.
--
-- Conversions agencies usually need (docs/mapping.md walks through a whole agency). Keep an unknown value as it is
-- where the type allows: check then reports it with its row, where a default would hide it.
--   * integer key to id:        CAST(matricule AS nvarchar(64))   (the same cast wherever the key appears)
--   * O/N, OUI/NON flag:         CASE UPPER(TRIM(actif)) WHEN 'O' THEN 'true' WHEN 'OUI' THEN 'true'
--                                  WHEN 'N' THEN 'false' WHEN 'NON' THEN 'false' ELSE actif END AS active
--   * French date DD/MM/YYYY:    TRY_CONVERT(date, date_fin, 103) AS valid_until   (NULL for a bad date: check it first)
--   * a caseload kept as follow-ups with an end date: WHERE fin_suivi IS NULL (only the follow-ups still running)

IF SCHEMA_ID(N'aa') IS NULL EXEC (N'CREATE SCHEMA aa');
GO
GO

-- <agency_ref.sites>: the org tree; parent NULL at the root.
CREATE OR ALTER VIEW aa.org_units AS
SELECT CAST(site_code AS nvarchar(64)) AS id, CAST(parent_site_code AS nvarchar(64)) AS parent_id, site_level AS kind, site_label AS name
FROM agency_ref.sites;
GO

-- <agency_iam.accounts>: staff, partner advisors and service accounts.
CREATE OR ALTER VIEW aa.principals AS
SELECT CAST(a.login AS nvarchar(64)) AS id,
       CASE WHEN a.is_service = 1 THEN 'service' WHEN a.employer <> 'agency' THEN 'partner' ELSE 'staff' END AS kind,
       a.employer AS organization,
       CAST(a.site_code AS nvarchar(64)) AS unit_id,
       a.display_name AS name,
       a.enabled AS active,
       a.mfa_enrolled AS mfa,
       CAST(a.last_logon_at AS date) AS last_login
FROM agency_iam.accounts AS a;
GO

-- <agency_iam.groups>
CREATE OR ALTER VIEW aa.groups AS
SELECT CAST(group_code AS nvarchar(64)) AS id, group_label AS name FROM agency_iam.groups;
GO

-- <agency_iam.group_members>: a member is an account or a nested group.
CREATE OR ALTER VIEW aa.memberships AS
SELECT CAST(group_code AS nvarchar(64)) AS group_id, CAST(member_code AS nvarchar(64)) AS member_id,
       CASE WHEN member_is_group = 1 THEN 'group' ELSE 'principal' END AS member_type
FROM agency_iam.group_members;
GO

-- <agency_iam.profiles>: file_access = the profile opens beneficiary files; sensitive = health / disability data.
CREATE OR ALTER VIEW aa.roles AS
SELECT CAST(profile_code AS nvarchar(64)) AS id, profile_label AS name, opens_files AS file_access, health_data AS sensitive
FROM agency_iam.profiles;
GO

-- <agency_iam.profile_grants>: scope 'unit' with the site it covers (and everything below), or 'caseload'.
CREATE OR ALTER VIEW aa.assignments AS
SELECT CAST(grant_id AS nvarchar(64)) AS id, CAST(profile_code AS nvarchar(64)) AS role_id, CAST(holder_code AS nvarchar(64)) AS holder_id,
       CASE WHEN holder_is_group = 1 THEN 'group' ELSE 'principal' END AS holder_type,
       CASE WHEN portfolio_only = 1 THEN 'caseload' ELSE 'unit' END AS scope,
       CASE WHEN portfolio_only = 1 THEN NULL ELSE CAST(site_code AS nvarchar(64)) END AS scope_unit_id,
       ends_on AS valid_until
FROM agency_iam.profile_grants;
GO

-- <agency_case.dossiers>: one row per beneficiary file (tens of millions: keep it a plain projection).
CREATE OR ALTER VIEW aa.files AS
SELECT CAST(dossier_id AS nvarchar(64)) AS id, CAST(site_code AS nvarchar(64)) AS unit_id, has_health_data AS sensitive, CAST(CASE WHEN closed_on IS NULL THEN 0 ELSE 1 END AS bit) AS closed
FROM agency_case.dossiers;
GO

-- <agency_case.portfolio>: which advisor follows which file.
CREATE OR ALTER VIEW aa.caseload AS
SELECT CAST(dossier_id AS nvarchar(64)) AS file_id, CAST(advisor_login AS nvarchar(64)) AS principal_id
FROM agency_case.portfolio;
GO

-- Optional: <agency_case.dossier_shares>, files opened to one more account until a date.
CREATE OR ALTER VIEW aa.shares AS
SELECT CAST(dossier_id AS nvarchar(64)) AS file_id, CAST(grantee_login AS nvarchar(64)) AS principal_id, until_date AS valid_until
FROM agency_case.dossier_shares;
GO

-- Optional: <agency_audit.reads>, who opened which file when.
CREATE OR ALTER VIEW aa.access_events AS
SELECT CAST(actor_login AS nvarchar(64)) AS principal_id, CAST(dossier_id AS nvarchar(64)) AS file_id, read_at AS at, operation AS action
FROM agency_audit.reads;
GO

-- Optional: <agency_iam.password_policies>, per organisation.
CREATE OR ALTER VIEW aa.account_policy AS
SELECT employer AS organization, max_failed_logins AS lockout_threshold, mfa_mandatory AS mfa_required
FROM agency_iam.password_policies;
GO

-- Optional: <agency_iam.access_exceptions>, approved exceptions to caseload-only access. The agency writes its end
-- dates as French text (31/08/2026): style 103 converts dd/mm/yyyy to date; its kinds (PROFIL, HABILITATION, COMPTE)
-- become role / assignment / principal. TRY_CONVERT gives NULL for a date that does not convert: the tool rejects it.
CREATE OR ALTER VIEW aa.justifications AS
SELECT CASE exception_kind WHEN 'PROFIL' THEN 'role' WHEN 'HABILITATION' THEN 'assignment' WHEN 'COMPTE' THEN 'principal' ELSE exception_kind END AS subject_type,
       CAST(subject_code AS nvarchar(64)) AS subject_id, motive AS reason, approved_by AS owner,
       TRY_CONVERT(date, end_date_fr, 103) AS expires
FROM agency_iam.access_exceptions;
GO
