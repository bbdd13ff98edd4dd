-- AccessAnalyzer mapping template for PostgreSQL: define the canonical names as views over the agency's own tables,
-- so the tool reads the live data where it is, with no copy and no ETL.
--
-- How to use: copy this file, replace every name in angle-bracket comments (the agency_* schema, tables and
-- columns below are placeholders of an imaginary agency), drop the views of optional tables you do not have,
-- run it as the owner of schema aa, then run grants.sql. Check with:
--   accessanalyzer analyze --source postgres --require-read-only      (AA_CONNECTION holds the reader's connection)
--
-- Rules the views must keep (docs/semantics.md, "The canonical tables"):
--   * column names exactly as below; extra columns are ignored;
--   * ids are text of at most 64 characters: cast integer keys with ::text, and use the SAME cast on both sides
--     (files.id and caseload.file_id must compare equal as text);
--   * booleans are boolean (or the text true/false, or 1/0); dates are date; a missing optional value is NULL;
--   * kind is staff / partner / service; member_type and holder_type are principal / group; scope is unit / caseload;
--   * a view over a big table must stay a plain projection (no DISTINCT, no ORDER BY): the tool pushes its
--     GROUP BYs through it, and the indexes of sql/postgres/schema.sql belong on the underlying columns.
--
-- Conversions agencies usually need (docs/mapping.md walks through a whole agency). Keep an unknown value as it is
-- (ELSE x): check then reports it with its row, where a default would hide it.
--   * integer key to id:        matricule::text            (the same cast wherever the key appears)
--   * O/N, OUI/NON flag:         CASE upper(trim(actif)) WHEN 'O' THEN 'true' WHEN 'OUI' THEN 'true'
--                                  WHEN 'N' THEN 'false' WHEN 'NON' THEN 'false' ELSE actif END AS active
--   * French date DD/MM/YYYY:    CASE WHEN date_fin ~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$'
--                                  THEN substr(date_fin, 7, 4) || '-' || substr(date_fin, 4, 2) || '-' || substr(date_fin, 1, 2)
--                                  ELSE date_fin END AS valid_until
--                                (to_date(date_fin, 'DD/MM/YYYY') also works, but stops the query at the first bad date)
--   * a caseload kept as follow-ups with an end date: WHERE fin_suivi IS NULL (only the follow-ups still running)

CREATE SCHEMA IF NOT EXISTS aa;

-- <agency_ref.sites>: the org tree; parent NULL at the root.
CREATE OR REPLACE VIEW aa.org_units AS
SELECT site_code::text AS id, parent_site_code::text AS parent_id, site_level AS kind, site_label AS name
FROM agency_ref.sites;

-- <agency_iam.accounts>: staff, partner advisors and service accounts.
CREATE OR REPLACE VIEW aa.principals AS
SELECT a.login::text AS id,
       CASE WHEN a.is_service THEN 'service' WHEN a.employer <> 'agency' THEN 'partner' ELSE 'staff' END AS kind,
       a.employer AS organization,
       a.site_code::text AS unit_id,
       a.display_name AS name,
       a.enabled AS active,
       a.mfa_enrolled AS mfa,
       a.last_logon_at::date AS last_login
FROM agency_iam.accounts AS a;

-- <agency_iam.groups>
CREATE OR REPLACE VIEW aa.groups AS
SELECT group_code::text AS id, group_label AS name FROM agency_iam.groups;

-- <agency_iam.group_members>: a member is an account or a nested group.
CREATE OR REPLACE VIEW aa.memberships AS
SELECT group_code::text AS group_id, member_code::text AS member_id,
       CASE WHEN member_is_group THEN 'group' ELSE 'principal' END AS member_type
FROM agency_iam.group_members;

-- <agency_iam.profiles>: file_access = the profile opens beneficiary files; sensitive = health / disability data.
CREATE OR REPLACE VIEW aa.roles AS
SELECT profile_code::text AS id, profile_label AS name, opens_files AS file_access, health_data AS sensitive
FROM agency_iam.profiles;

-- <agency_iam.profile_grants>: scope 'unit' with the site it covers (and everything below), or 'caseload'.
CREATE OR REPLACE VIEW aa.assignments AS
SELECT grant_id::text AS id, profile_code::text AS role_id, holder_code::text AS holder_id,
       CASE WHEN holder_is_group THEN 'group' ELSE 'principal' END AS holder_type,
       CASE WHEN portfolio_only THEN 'caseload' ELSE 'unit' END AS scope,
       CASE WHEN portfolio_only THEN NULL ELSE site_code::text END AS scope_unit_id,
       ends_on AS valid_until
FROM agency_iam.profile_grants;

-- <agency_case.dossiers>: one row per beneficiary file (tens of millions: keep it a plain projection).
CREATE OR REPLACE VIEW aa.files AS
SELECT dossier_id::text AS id, site_code::text AS unit_id, has_health_data AS sensitive, (closed_on IS NOT NULL) AS closed
FROM agency_case.dossiers;

-- <agency_case.portfolio>: which advisor follows which file.
CREATE OR REPLACE VIEW aa.caseload AS
SELECT dossier_id::text AS file_id, advisor_login::text AS principal_id
FROM agency_case.portfolio;

-- Optional: <agency_case.dossier_shares>, files opened to one more account until a date.
CREATE OR REPLACE VIEW aa.shares AS
SELECT dossier_id::text AS file_id, grantee_login::text AS principal_id, until_date AS valid_until
FROM agency_case.dossier_shares;

-- Optional: <agency_audit.reads>, who opened which file when.
CREATE OR REPLACE VIEW aa.access_events AS
SELECT actor_login::text AS principal_id, dossier_id::text AS file_id, read_at AS at, operation AS action
FROM agency_audit.reads;

-- Optional: <agency_iam.password_policies>, per organisation.
CREATE OR REPLACE VIEW aa.account_policy AS
SELECT employer AS organization, max_failed_logins AS lockout_threshold, mfa_mandatory AS mfa_required
FROM agency_iam.password_policies;

-- Optional: <agency_iam.access_exceptions>, approved exceptions to caseload-only access. The agency writes its end
-- dates as French text (31/08/2026): convert them to date, and its kinds (PROFIL, HABILITATION, COMPTE) to
-- role / assignment / principal. An end date that is not DD/MM/YYYY makes to_date, and so the read, fail.
CREATE OR REPLACE VIEW aa.justifications AS
SELECT CASE exception_kind WHEN 'PROFIL' THEN 'role' WHEN 'HABILITATION' THEN 'assignment' WHEN 'COMPTE' THEN 'principal' ELSE exception_kind END AS subject_type,
       subject_code::text AS subject_id, motive AS reason, approved_by AS owner,
       to_date(end_date_fr, 'DD/MM/YYYY') AS expires
FROM agency_iam.access_exceptions;
