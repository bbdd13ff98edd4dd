-- AccessAnalyzer mapping template for SQLite: define the canonical names as views over the agency's own tables,
-- so the tool reads the live data where it is, with no copy and no ETL.
--
-- How to use: copy this file, replace every name in angle-bracket comments (the agency_* tables and columns below
-- are placeholders of an imaginary agency), drop the views of optional tables you do not have, and run it in the
-- database that holds the agency's tables (or ATTACH that database and prefix the table names). Check with:
--   accessanalyzer analyze --source agency.db
--
-- Rules the views must keep (docs/semantics.md, "The canonical tables"):
--   * column names exactly as below; extra columns are ignored;
--   * ids are text of at most 64 characters: cast integer keys with CAST(x AS TEXT), the SAME cast on both sides
--     (files.id and caseload.file_id must compare equal as text);
--   * booleans are the text true/false or 1/0; dates are ISO 8601 text (YYYY-MM-DD); a missing optional value is NULL;
--   * kind is staff / partner / service; member_type and holder_type are principal / group; scope is unit / caseload;
--   * a view over a big table must stay a plain projection (no DISTINCT, no ORDER BY): the tool pushes its
--     GROUP BYs through it, and the indexes of sql/sqlite/schema.sql belong on the underlying columns.
--
-- Conversions agencies usually need (docs/mapping.md walks through a whole agency). Keep an unknown value as it is
-- (ELSE x): check then reports it with its row, where a default would hide it.
--   * integer key to id:        CAST(matricule AS TEXT)    (a REAL key cast to text gives 1001.0, not the id 1001)
--   * O/N, OUI/NON flag:         CASE upper(trim(actif)) WHEN 'O' THEN 'true' WHEN 'OUI' THEN 'true'
--                                  WHEN 'N' THEN 'false' WHEN 'NON' THEN 'false' ELSE actif END AS active
--   * French date DD/MM/YYYY:    CASE WHEN date_fin GLOB '[0-9][0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]'
--                                  THEN substr(date_fin, 7, 4) || '-' || substr(date_fin, 4, 2) || '-' || substr(date_fin, 1, 2)
--                                  ELSE date_fin END AS valid_until
--   * a caseload kept as follow-ups with an end date: WHERE fin_suivi IS NULL (only the follow-ups still running)

-- <agency_ref_sites>: the org tree; parent NULL at the root.
DROP VIEW IF EXISTS org_units;
CREATE VIEW org_units AS
SELECT CAST(site_code AS TEXT) AS id, CAST(parent_site_code AS TEXT) AS parent_id, site_level AS kind, site_label AS name
FROM agency_ref_sites;

-- <agency_iam_accounts>: staff, partner advisors and service accounts.
DROP VIEW IF EXISTS principals;
CREATE VIEW principals AS
SELECT CAST(a.login AS TEXT) AS id,
       CASE WHEN a.is_service THEN 'service' WHEN a.employer <> 'agency' THEN 'partner' ELSE 'staff' END AS kind,
       a.employer AS organization,
       CAST(a.site_code AS TEXT) AS unit_id,
       a.display_name AS name,
       a.enabled AS active,
       a.mfa_enrolled AS mfa,
       date(a.last_logon_at) AS last_login
FROM agency_iam_accounts AS a;

-- <agency_iam_groups>
DROP VIEW IF EXISTS groups;
CREATE VIEW groups AS
SELECT CAST(group_code AS TEXT) AS id, group_label AS name FROM agency_iam_groups;

-- <agency_iam_group_members>: a member is an account or a nested group.
DROP VIEW IF EXISTS memberships;
CREATE VIEW memberships AS
SELECT CAST(group_code AS TEXT) AS group_id, CAST(member_code AS TEXT) AS member_id,
       CASE WHEN member_is_group THEN 'group' ELSE 'principal' END AS member_type
FROM agency_iam_group_members;

-- <agency_iam_profiles>: file_access = the profile opens beneficiary files; sensitive = health / disability data.
DROP VIEW IF EXISTS roles;
CREATE VIEW roles AS
SELECT CAST(profile_code AS TEXT) AS id, profile_label AS name, opens_files AS file_access, health_data AS sensitive
FROM agency_iam_profiles;

-- <agency_iam_profile_grants>: scope 'unit' with the site it covers (and everything below), or 'caseload'.
DROP VIEW IF EXISTS assignments;
CREATE VIEW assignments AS
SELECT CAST(grant_id AS TEXT) AS id, CAST(profile_code AS TEXT) AS role_id, CAST(holder_code AS TEXT) AS holder_id,
       CASE WHEN holder_is_group THEN 'group' ELSE 'principal' END AS holder_type,
       CASE WHEN portfolio_only THEN 'caseload' ELSE 'unit' END AS scope,
       CASE WHEN portfolio_only THEN NULL ELSE CAST(site_code AS TEXT) END AS scope_unit_id,
       ends_on AS valid_until
FROM agency_iam_profile_grants;

-- <agency_case_dossiers>: one row per beneficiary file (tens of millions: keep it a plain projection).
DROP VIEW IF EXISTS files;
CREATE VIEW files AS
SELECT CAST(dossier_id AS TEXT) AS id, CAST(site_code AS TEXT) AS unit_id, has_health_data AS sensitive, (closed_on IS NOT NULL) AS closed
FROM agency_case_dossiers;

-- <agency_case_portfolio>: which advisor follows which file.
DROP VIEW IF EXISTS caseload;
CREATE VIEW caseload AS
SELECT CAST(dossier_id AS TEXT) AS file_id, CAST(advisor_login AS TEXT) AS principal_id
FROM agency_case_portfolio;

-- Optional: <agency_case_dossier_shares>, files opened to one more account until a date.
DROP VIEW IF EXISTS shares;
CREATE VIEW shares AS
SELECT CAST(dossier_id AS TEXT) AS file_id, CAST(grantee_login AS TEXT) AS principal_id, until_date AS valid_until
FROM agency_case_dossier_shares;

-- Optional: <agency_audit_reads>, who opened which file when.
DROP VIEW IF EXISTS access_events;
CREATE VIEW access_events AS
SELECT CAST(actor_login AS TEXT) AS principal_id, CAST(dossier_id AS TEXT) AS file_id, read_at AS at, operation AS action
FROM agency_audit_reads;

-- Optional: <agency_iam_password_policies>, per organisation.
DROP VIEW IF EXISTS account_policy;
CREATE VIEW account_policy AS
SELECT employer AS organization, max_failed_logins AS lockout_threshold, mfa_mandatory AS mfa_required
FROM agency_iam_password_policies;

-- Optional: <agency_iam_access_exceptions>, approved exceptions to caseload-only access. The agency writes its end
-- dates as French text (31/08/2026): rewrite them as YYYY-MM-DD, and its kinds (PROFIL, HABILITATION, COMPTE) as
-- role / assignment / principal. A date that is not DD/MM/YYYY becomes no date, which the tool rejects with its row.
DROP VIEW IF EXISTS justifications;
CREATE VIEW justifications AS
SELECT CASE exception_kind WHEN 'PROFIL' THEN 'role' WHEN 'HABILITATION' THEN 'assignment' WHEN 'COMPTE' THEN 'principal' ELSE exception_kind END AS subject_type,
       CAST(subject_code AS TEXT) AS subject_id, motive AS reason, approved_by AS owner,
       CASE WHEN end_date_fr GLOB '[0-9][0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]'
            THEN substr(end_date_fr, 7, 4) || '-' || substr(end_date_fr, 4, 2) || '-' || substr(end_date_fr, 1, 2) END AS expires
FROM agency_iam_access_exceptions;
