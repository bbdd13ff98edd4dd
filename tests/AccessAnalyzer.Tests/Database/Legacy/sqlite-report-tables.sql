-- AccessAnalyzer report tables for SQLite: where `--store` writes each run, for dashboards and for the trend
-- that proves remediation progress run after run.
--
-- A run is written in ONE transaction (run row, units, principals, findings, plan): an interrupted or failed write
-- leaves no trace, so every run row that exists is complete. Runs never overwrite each other: each gets a fresh
-- run_id (a UUID made by the tool) and an increasing run_seq (made by the database), which orders the trend.
-- SQLite has no roles: see sql/sqlite/grants.sql for what stands in for them.
-- source_name is a path or host/database, never a connection string.

-- One row per run.
-- Conventions as in schema.sql: booleans TEXT 'true'/'false', dates 'YYYY-MM-DD', instants 'YYYY-MM-DDTHH:MM:SSZ'.
CREATE TABLE IF NOT EXISTS report_runs (
    run_seq                     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id                      TEXT NOT NULL UNIQUE,
    started_at                  TEXT NOT NULL,
    stored_at                   TEXT NOT NULL,
    as_of                       TEXT NOT NULL,
    source_name                 TEXT NOT NULL,
    tool_version                TEXT NOT NULL,
    command                     TEXT NOT NULL,      -- analyze / plan
    status                      TEXT NOT NULL,      -- outcome of the command: ok / gate-failed
    principals                  INTEGER NOT NULL,
    files                       INTEGER NOT NULL,
    exposure                    INTEGER NOT NULL,
    excess_exposure             INTEGER NOT NULL,
    sensitive_excess_exposure   INTEGER NOT NULL,
    caseload_files              INTEGER NOT NULL,
    caseload_in_reach           INTEGER NOT NULL,
    closed_files_in_reach       INTEGER NOT NULL,
    principals_with_excess      INTEGER NOT NULL,
    dangling_references         INTEGER NOT NULL,
    group_cycles                INTEGER NOT NULL,
    phishable_exposure          INTEGER NOT NULL,
    partner_phishable_exposure  INTEGER NOT NULL,
    dormant_accounts_with_reach INTEGER NOT NULL,
    findings                    INTEGER NOT NULL,
    plan_items                  INTEGER,            -- the plan columns are NULL when the run stored no plan
    plan_exposure_after         INTEGER,
    plan_excess_exposure_after  INTEGER,
    plan_sensitive_excess_exposure_after INTEGER
);

-- The org tree as the run saw it (dangling parents resolved to roots), so the per-unit views need nothing else.
CREATE TABLE IF NOT EXISTS report_units (
    run_id    TEXT NOT NULL REFERENCES report_runs (run_id),
    unit_id   TEXT NOT NULL,
    parent_id TEXT,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (run_id, unit_id)
);

-- One row per principal per run: the figures of the JSON output.
CREATE TABLE IF NOT EXISTS report_principals (
    run_id                 TEXT NOT NULL REFERENCES report_runs (run_id),
    principal_id           TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    organization           TEXT NOT NULL,
    unit_id                TEXT,
    active                 TEXT    NOT NULL,
    mfa                    TEXT    NOT NULL,
    last_login             TEXT,
    reachable_files        INTEGER NOT NULL,
    caseload_files         INTEGER NOT NULL,
    caseload_in_reach      INTEGER NOT NULL,
    excess_files           INTEGER NOT NULL,
    sensitive_excess_files INTEGER NOT NULL,
    closed_files_in_reach  INTEGER NOT NULL,
    grants_in_force        INTEGER NOT NULL,
    PRIMARY KEY (run_id, principal_id)
);

-- One row per assignment of the remediation plan, in rank order.
CREATE TABLE IF NOT EXISTS report_plan (
    run_id                              TEXT NOT NULL REFERENCES report_runs (run_id),
    rank                                INTEGER NOT NULL,
    assignment_id                       TEXT NOT NULL,
    role_id                             TEXT NOT NULL,
    holder_id                           TEXT NOT NULL,
    holder_type                         TEXT NOT NULL,
    scope_unit_id                       TEXT,
    change                              TEXT NOT NULL,   -- remove / narrow-to-caseload / narrow-to-unit
    new_scope_unit_id                   TEXT,
    holders                             INTEGER NOT NULL,
    excess_removed                      INTEGER NOT NULL,
    sensitive_excess_removed            INTEGER NOT NULL,
    cumulative_excess_removed           INTEGER NOT NULL,
    cumulative_sensitive_excess_removed INTEGER NOT NULL,
    PRIMARY KEY (run_id, rank)
);

-- One row per finding. subject_ids is a JSON array of ids (accounts, groups, assignments: never a file id).
CREATE TABLE IF NOT EXISTS report_findings (
    run_id       TEXT NOT NULL REFERENCES report_runs (run_id),
    finding_no   INTEGER NOT NULL,
    rule_id      TEXT NOT NULL,
    severity     TEXT NOT NULL,    -- critical / high / medium / low / info
    message      TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_ids  TEXT NOT NULL,
    PRIMARY KEY (run_id, finding_no)
);

CREATE INDEX IF NOT EXISTS ix_report_principals_principal ON report_principals (principal_id);
