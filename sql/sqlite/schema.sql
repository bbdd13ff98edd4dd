-- AccessAnalyzer canonical input schema for SQLite.
--
-- These are the table names and columns of the contract in docs/semantics.md ("The canonical tables"). The tool only
-- ever SELECTs from them. A real deployment usually maps its own tables onto these names with views
-- instead of copying data; this script is what the demo generator and the tests use to build a database.
--
-- Conventions:
--   * ids are TEXT of at most 64 characters;
--   * booleans are TEXT 'true' / 'false' (the loader also accepts 0 / 1, as other tools store them);
--   * dates are ISO 8601 text: 'YYYY-MM-DD', or 'YYYY-MM-DDTHH:MM:SSZ' for access_events.at;
--   * an optional reference (parent_id, unit_id, scope_unit_id) or date (valid_until, last_login) is NULL or '' when absent.
--
-- Only structural constraints are declared here: the loader checks values itself (booleans, dates, dangling
-- references) and reports bad rows with table, rowid, column and value, so that a database and a CSV
-- directory with the same content give the same findings and the same errors.
-- Link tables (memberships, caseload, shares) carry no uniqueness constraint: the contract treats them as
-- sets, and a repeated row is counted once by the loader rather than rejected at insert.
--
-- Statements are separated by semicolons at the end of a line; comments contain no semicolon, so that the
-- demo writer can split this script and create the indexes after its bulk insert.

CREATE TABLE IF NOT EXISTS org_units (
    id        TEXT NOT NULL PRIMARY KEY,
    parent_id TEXT,                -- NULL or '' at the root
    kind      TEXT NOT NULL,       -- national / region / department / agency (free text, reported as is)
    name      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS principals (
    id           TEXT NOT NULL PRIMARY KEY,
    kind         TEXT NOT NULL,    -- staff / partner / service
    organization TEXT NOT NULL,    -- joins account_policy.organization
    unit_id      TEXT,
    name         TEXT NOT NULL,
    active       TEXT NOT NULL,    -- boolean
    mfa          TEXT NOT NULL,    -- boolean
    last_login   TEXT              -- optional date
);

CREATE TABLE IF NOT EXISTS groups (
    id   TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS memberships (
    group_id    TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    member_type TEXT NOT NULL      -- principal / group
);

CREATE TABLE IF NOT EXISTS roles (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    file_access TEXT NOT NULL,     -- boolean: true when the role grants reading beneficiary files
    sensitive   TEXT NOT NULL      -- boolean: true when it includes health / disability data
);

CREATE TABLE IF NOT EXISTS assignments (
    id            TEXT NOT NULL PRIMARY KEY,
    role_id       TEXT NOT NULL,
    holder_id     TEXT NOT NULL,
    holder_type   TEXT NOT NULL,   -- principal / group
    scope         TEXT NOT NULL,   -- unit / caseload
    scope_unit_id TEXT,            -- required for scope = unit
    valid_until   TEXT             -- optional date: the assignment is in force unless this is before the as-of date
);

CREATE TABLE IF NOT EXISTS files (
    id        TEXT NOT NULL PRIMARY KEY,
    unit_id   TEXT NOT NULL,
    sensitive TEXT NOT NULL,       -- boolean
    closed    TEXT NOT NULL        -- boolean
);

CREATE TABLE IF NOT EXISTS caseload (
    file_id      TEXT NOT NULL,
    principal_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS shares (
    file_id      TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    valid_until  TEXT              -- optional date
);

CREATE TABLE IF NOT EXISTS access_events (
    principal_id TEXT NOT NULL,
    file_id      TEXT NOT NULL,
    at           TEXT NOT NULL,    -- ISO 8601 date-time
    action       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS account_policy (
    organization      TEXT NOT NULL,
    lockout_threshold INTEGER NOT NULL,
    mfa_required      TEXT NOT NULL -- boolean
);

-- Recorded grounds for reach beyond a caseload. Not keyed: several rows may name the same subject.
CREATE TABLE IF NOT EXISTS justifications (
    subject_type TEXT NOT NULL,    -- role / assignment / principal
    subject_id   TEXT NOT NULL,    -- id of the role, assignment or principal
    reason       TEXT NOT NULL,
    owner        TEXT NOT NULL,
    expires      TEXT NOT NULL     -- date
);

-- Indexes. The loader never reads the big tables row by row: it pushes GROUP BYs down to SQLite. Each index
-- below turns one of those aggregations into an ordered scan of a covering index instead of a full table
-- scan followed by a temporary B-tree sort, which is what keeps a 37-million-file table tractable.

-- Files counted per (unit, class): SELECT unit_id, sensitive, closed, COUNT(*) FROM files GROUP BY 1, 2, 3.
-- The index holds exactly the grouped columns in grouping order, so SQLite streams it without touching the table.
CREATE INDEX IF NOT EXISTS ix_files_unit_class ON files (unit_id, sensitive, closed);

-- Caseload is a set: the loader takes DISTINCT (file_id, principal_id) and joins each pair to files by its
-- primary key to get the file's unit and class. This covering index delivers the pairs already sorted and
-- de-duplicated, and also answers "is this shared file in the principal's caseload" for the shares join.
CREATE INDEX IF NOT EXISTS ix_caseload_file_principal ON caseload (file_id, principal_id);

-- Caseload counted per principal (GROUP BY principal_id, unit, class) and looked up per principal
-- (explain, per-account drill-down) without scanning every caseload row.
CREATE INDEX IF NOT EXISTS ix_caseload_principal ON caseload (principal_id);

-- Shares are joined to files and to caseload on file_id.
CREATE INDEX IF NOT EXISTS ix_shares_file ON shares (file_id);
