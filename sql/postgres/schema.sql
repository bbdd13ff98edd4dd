-- AccessAnalyzer canonical input schema for PostgreSQL (also Citus).
--
-- The table names and columns of the contract in docs/semantics.md ("The canonical tables"), in schema aa. The tool only ever
-- SELECTs from them (sql/postgres/grants.sql creates a reader role with exactly that). A real deployment usually
-- maps its own tables onto these names with views instead (sql/postgres/mapping-template.sql); this script is what
-- `accessanalyzer db init --dialect postgres` and `db load` run, with aa replaced by --schema when given.
--
-- Conventions:
--   * ids are text of at most 64 characters (the tool checks the length when it reads);
--   * booleans are boolean, dates are date, access times are timestamptz;
--   * an optional reference (parent_id, unit_id, scope_unit_id) or date (valid_until, last_login) is NULL when absent.
-- Only structural constraints are declared: the tool checks values itself and reports dangling references as
-- findings, so that a database and a CSV export with the same content give the same findings.
-- Link tables (memberships, caseload, shares) carry no uniqueness constraint: the contract treats them as sets.
--
-- Statements end with a semicolon at the end of a line and comments hold no semicolon: the tool splits the script
-- there, and creates the indexes after a bulk load.

CREATE SCHEMA IF NOT EXISTS aa;

CREATE TABLE IF NOT EXISTS aa.org_units (
    id        text NOT NULL PRIMARY KEY,
    parent_id text,                 -- NULL at a root
    kind      text NOT NULL,        -- national / region / department / agency (free text)
    name      text NOT NULL
);

CREATE TABLE IF NOT EXISTS aa.principals (
    id           text NOT NULL PRIMARY KEY,
    kind         text NOT NULL,     -- staff / partner / service
    organization text NOT NULL,     -- joins account_policy.organization
    unit_id      text,
    name         text NOT NULL,
    active       boolean NOT NULL,
    mfa          boolean NOT NULL,
    last_login   date
);

CREATE TABLE IF NOT EXISTS aa.groups (
    id   text NOT NULL PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE IF NOT EXISTS aa.memberships (
    group_id    text NOT NULL,
    member_id   text NOT NULL,
    member_type text NOT NULL       -- principal / group
);

CREATE TABLE IF NOT EXISTS aa.roles (
    id          text NOT NULL PRIMARY KEY,
    name        text NOT NULL,
    file_access boolean NOT NULL,   -- true when the role grants reading beneficiary files
    sensitive   boolean NOT NULL    -- true when it includes health / disability data
);

CREATE TABLE IF NOT EXISTS aa.assignments (
    id            text NOT NULL PRIMARY KEY,
    role_id       text NOT NULL,
    holder_id     text NOT NULL,
    holder_type   text NOT NULL,    -- principal / group
    scope         text NOT NULL,    -- unit / caseload
    scope_unit_id text,             -- required for scope = unit
    valid_until   date              -- in force unless this is before the as-of date
);

CREATE TABLE IF NOT EXISTS aa.files (
    id        text NOT NULL PRIMARY KEY,
    unit_id   text NOT NULL,
    sensitive boolean NOT NULL,
    closed    boolean NOT NULL
);

CREATE TABLE IF NOT EXISTS aa.caseload (
    file_id      text NOT NULL,
    principal_id text NOT NULL
);

CREATE TABLE IF NOT EXISTS aa.shares (
    file_id      text NOT NULL,
    principal_id text NOT NULL,
    valid_until  date
);

CREATE TABLE IF NOT EXISTS aa.access_events (
    principal_id text NOT NULL,
    file_id      text NOT NULL,
    at           timestamptz NOT NULL,
    action       text NOT NULL
);

CREATE TABLE IF NOT EXISTS aa.account_policy (
    organization      text NOT NULL,
    lockout_threshold integer NOT NULL,
    mfa_required      boolean NOT NULL
);

-- Recorded grounds for reach beyond a caseload. Not keyed: several rows may name the same subject.
CREATE TABLE IF NOT EXISTS aa.justifications (
    subject_type text NOT NULL,    -- role / assignment / principal
    subject_id   text NOT NULL,    -- id of the role, assignment or principal
    reason       text NOT NULL,
    owner        text NOT NULL,
    expires      date NOT NULL
);

-- Indexes. The tool never reads the big tables row by row: it pushes GROUP BYs down. Each index below lets one of
-- those aggregations run as an index-only scan (after VACUUM sets the visibility map) instead of a sort of the table.

-- Files counted per (unit, class): SELECT unit_id, sensitive, closed, count(*) FROM files GROUP BY 1, 2, 3.
CREATE INDEX IF NOT EXISTS ix_files_unit_class ON aa.files (unit_id, sensitive, closed);

-- Caseload is a set: DISTINCT (file_id, principal_id), each pair joined to files by its primary key. The index
-- delivers the pairs sorted and answers "is this shared file in the principal's caseload" for the shares query.
CREATE INDEX IF NOT EXISTS ix_caseload_file_principal ON aa.caseload (file_id, principal_id);

-- Caseload looked up per principal (explain, per-account drill-down) without scanning every caseload row.
CREATE INDEX IF NOT EXISTS ix_caseload_principal ON aa.caseload (principal_id);

-- Shares are joined to files and to caseload on file_id.
CREATE INDEX IF NOT EXISTS ix_shares_file ON aa.shares (file_id);

-- Access events are read per principal and time window (issue 5).
CREATE INDEX IF NOT EXISTS ix_access_events_principal_at ON aa.access_events (principal_id, at);
