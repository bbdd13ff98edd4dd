-- AccessAnalyzer report tables for PostgreSQL: where `--store` writes each run, for dashboards and for the trend
-- that proves remediation progress run after run.
--
-- A run is written in ONE transaction (run row, units, principals, findings, plan): an interrupted or failed write
-- leaves no trace, so every run row that exists is complete. Runs never overwrite each other: each gets a fresh
-- run_id (a UUID made by the tool) and an increasing run_seq (made by the database), which orders the trend.
-- The tool only INSERTs here (sql/postgres/grants.sql: the writer role has INSERT on these tables and nothing else).
-- source_name is a path or host/database, never a connection string.

CREATE SCHEMA IF NOT EXISTS aa;

-- One row per run.
CREATE TABLE IF NOT EXISTS aa.report_runs (
    run_seq                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id                      uuid NOT NULL UNIQUE,
    started_at                  timestamptz NOT NULL,
    stored_at                   timestamptz NOT NULL,
    as_of                       date NOT NULL,
    source_name                 text NOT NULL,
    tool_version                text NOT NULL,
    command                     text NOT NULL,      -- analyze / plan
    status                      text NOT NULL,      -- outcome of the command: ok / gate-failed
    principals                  integer NOT NULL,
    files                       bigint NOT NULL,
    exposure                    bigint NOT NULL,
    excess_exposure             bigint NOT NULL,
    sensitive_excess_exposure   bigint NOT NULL,
    caseload_files              bigint NOT NULL,
    caseload_in_reach           bigint NOT NULL,
    closed_files_in_reach       bigint NOT NULL,
    principals_with_excess      integer NOT NULL,
    dangling_references         bigint NOT NULL,
    group_cycles                integer NOT NULL,
    phishable_exposure          bigint NOT NULL,
    partner_phishable_exposure  bigint NOT NULL,
    dormant_accounts_with_reach integer NOT NULL,
    findings                    integer NOT NULL,
    plan_items                  integer,            -- the plan columns are NULL when the run stored no plan
    plan_exposure_after         bigint,
    plan_excess_exposure_after  bigint,
    plan_sensitive_excess_exposure_after bigint
);

-- The org tree as the run saw it (dangling parents resolved to roots), so the per-unit views need nothing else.
CREATE TABLE IF NOT EXISTS aa.report_units (
    run_id    uuid NOT NULL REFERENCES aa.report_runs (run_id),
    unit_id   text NOT NULL,
    parent_id text,
    kind      text NOT NULL,
    name      text NOT NULL,
    PRIMARY KEY (run_id, unit_id)
);

-- One row per principal per run: the figures of the JSON output.
CREATE TABLE IF NOT EXISTS aa.report_principals (
    run_id                 uuid NOT NULL REFERENCES aa.report_runs (run_id),
    principal_id           text NOT NULL,
    kind                   text NOT NULL,
    organization           text NOT NULL,
    unit_id                text,
    active                 boolean NOT NULL,
    mfa                    boolean NOT NULL,
    last_login             date,
    reachable_files        bigint NOT NULL,
    caseload_files         bigint NOT NULL,
    caseload_in_reach      bigint NOT NULL,
    excess_files           bigint NOT NULL,
    sensitive_excess_files bigint NOT NULL,
    closed_files_in_reach  bigint NOT NULL,
    grants_in_force        integer NOT NULL,
    PRIMARY KEY (run_id, principal_id)
);

-- One row per assignment of the remediation plan, in rank order.
CREATE TABLE IF NOT EXISTS aa.report_plan (
    run_id                              uuid NOT NULL REFERENCES aa.report_runs (run_id),
    rank                                integer NOT NULL,
    assignment_id                       text NOT NULL,
    role_id                             text NOT NULL,
    holder_id                           text NOT NULL,
    holder_type                         text NOT NULL,
    scope_unit_id                       text,
    change                              text NOT NULL,   -- remove / narrow-to-caseload / narrow-to-unit
    new_scope_unit_id                   text,
    holders                             integer NOT NULL,
    excess_removed                      bigint NOT NULL,
    sensitive_excess_removed            bigint NOT NULL,
    cumulative_excess_removed           bigint NOT NULL,
    cumulative_sensitive_excess_removed bigint NOT NULL,
    PRIMARY KEY (run_id, rank)
);

-- One row per finding. subject_ids is a JSON array of ids (accounts, groups, assignments: never a file id).
CREATE TABLE IF NOT EXISTS aa.report_findings (
    run_id       uuid NOT NULL REFERENCES aa.report_runs (run_id),
    finding_no   integer NOT NULL,
    rule_id      text NOT NULL,
    severity     text NOT NULL,    -- critical / high / medium / low / info
    message      text NOT NULL,
    subject_kind text NOT NULL,
    subject_ids  text NOT NULL,
    PRIMARY KEY (run_id, finding_no)
);

CREATE INDEX IF NOT EXISTS ix_report_principals_principal ON aa.report_principals (principal_id);
