-- AccessAnalyzer report tables for SQLite: where `--store` writes each run, for dashboards and for the trend
-- that proves remediation progress run after run.
--
-- A run is written in ONE transaction (run row, units, principals, findings, coverage, organisations, plan): an
-- interrupted or failed write leaves no trace, so every run row that exists is complete. Runs never overwrite each
-- other: each gets a fresh run_id (a UUID made by the tool) and an increasing run_seq (made by the database), which
-- orders the trend.
-- SQLite has no roles: see sql/sqlite/grants.sql for what stands in for them.
-- Columns added after the tables were first released are nullable: a store made by an earlier version keeps its
-- runs, which have NULL there. SQLite has no ADD COLUMN IF NOT EXISTS, so the tool adds what such a store lacks
-- (ALTER TABLE ... ADD COLUMN) before it runs this script, and the new tables are created here as for a new store.
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
    plan_sensitive_excess_exposure_after INTEGER,
    -- Added later (NULL in runs stored before). justified_files sums the principals' justified reach, the distinct
    -- figures count each file once over all accounts (unions: the sums above count a file once per account).
    justified_files                 INTEGER,
    distinct_reachable_files        INTEGER,
    distinct_excess_files           INTEGER,
    distinct_sensitive_excess_files INTEGER,
    distinct_phishable_files        INTEGER
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
    justified_files        INTEGER,            -- added later: NULL in runs stored before
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

-- Which checks ran on the source, and why (not): a check that could not run is not a clean result, so "not checked"
-- stays visible beside the figures. One row per check: access-log / account-policy / last-login / shares /
-- justifications. Runs stored before this table existed have no rows here.
CREATE TABLE IF NOT EXISTS report_coverage (
    run_id   TEXT NOT NULL REFERENCES report_runs (run_id),
    check_id TEXT NOT NULL,
    ran      TEXT NOT NULL,    -- 'true' / 'false'
    reason   TEXT NOT NULL,
    PRIMARY KEY (run_id, check_id)
);

-- One row per organisation (principals.organization) per run: the distinct files its accounts reach together.
-- partner is 'true' when every account of the organisation is of kind partner. Unions, so organisations do not add
-- up to the run's distinct figures where their reaches overlap.
CREATE TABLE IF NOT EXISTS report_organizations (
    run_id                          TEXT NOT NULL REFERENCES report_runs (run_id),
    organization                    TEXT NOT NULL,
    principals                      INTEGER NOT NULL,
    partner                         TEXT NOT NULL,
    distinct_reachable_files        INTEGER NOT NULL,
    distinct_excess_files           INTEGER NOT NULL,
    distinct_sensitive_excess_files INTEGER NOT NULL,
    distinct_phishable_files        INTEGER NOT NULL,
    PRIMARY KEY (run_id, organization)
);

CREATE INDEX IF NOT EXISTS ix_report_principals_principal ON report_principals (principal_id);
