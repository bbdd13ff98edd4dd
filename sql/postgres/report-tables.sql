-- AccessAnalyzer report tables for PostgreSQL: where `--store` writes each run, for dashboards and for the trend
-- that proves remediation progress run after run.
--
-- A run is written in ONE transaction (run row, units, principals, findings, coverage, organisations, plan): an
-- interrupted or failed write leaves no trace, so every run row that exists is complete. Runs never overwrite each
-- other: each gets a fresh run_id (a UUID made by the tool) and an increasing run_seq (made by the database), which
-- orders the trend.
-- The tool only INSERTs here (sql/postgres/grants.sql: the writer role has INSERT on these tables and nothing else).
-- source_name is a path or host/database, never a connection string.
-- Columns added after the tables were first released are nullable: a store made by an earlier version keeps its
-- runs, which have NULL there. This script brings such a store up to date (ADD COLUMN IF NOT EXISTS, CREATE TABLE IF
-- NOT EXISTS): the tool runs it when it opens a store that lacks a table or column it writes, which needs a login
-- that owns the tables. Run grants.sql again afterwards so that aa_writer may INSERT into the new tables.

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
    plan_sensitive_excess_exposure_after bigint,
    -- Added later (NULL in runs stored before). justified_files sums the principals' justified reach, the distinct
    -- figures count each file once over all accounts (unions: the sums above count a file once per account).
    justified_files                 bigint,
    distinct_reachable_files        bigint,
    distinct_excess_files           bigint,
    distinct_sensitive_excess_files bigint,
    distinct_phishable_files        bigint
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
    justified_files        bigint,             -- added later: NULL in runs stored before
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

-- Which checks ran on the source, and why (not): a check that could not run is not a clean result, so "not checked"
-- stays visible beside the figures. One row per check: access-log / account-policy / last-login / shares /
-- justifications. Runs stored before this table existed have no rows here.
CREATE TABLE IF NOT EXISTS aa.report_coverage (
    run_id   uuid NOT NULL REFERENCES aa.report_runs (run_id),
    check_id text NOT NULL,
    ran      boolean NOT NULL,
    reason   text NOT NULL,
    PRIMARY KEY (run_id, check_id)
);

-- One row per organisation (principals.organization) per run: the distinct files its accounts reach together.
-- partner is true when every account of the organisation is of kind partner. Unions, so organisations do not add
-- up to the run's distinct figures where their reaches overlap.
CREATE TABLE IF NOT EXISTS aa.report_organizations (
    run_id                          uuid NOT NULL REFERENCES aa.report_runs (run_id),
    organization                    text NOT NULL,
    principals                      integer NOT NULL,
    partner                         boolean NOT NULL,
    distinct_reachable_files        bigint NOT NULL,
    distinct_excess_files           bigint NOT NULL,
    distinct_sensitive_excess_files bigint NOT NULL,
    distinct_phishable_files        bigint NOT NULL,
    PRIMARY KEY (run_id, organization)
);

-- A store made by an earlier version: the CREATE TABLEs above left its tables as they were.
ALTER TABLE aa.report_runs
    ADD COLUMN IF NOT EXISTS justified_files bigint,
    ADD COLUMN IF NOT EXISTS distinct_reachable_files bigint,
    ADD COLUMN IF NOT EXISTS distinct_excess_files bigint,
    ADD COLUMN IF NOT EXISTS distinct_sensitive_excess_files bigint,
    ADD COLUMN IF NOT EXISTS distinct_phishable_files bigint;
ALTER TABLE aa.report_principals ADD COLUMN IF NOT EXISTS justified_files bigint;

CREATE INDEX IF NOT EXISTS ix_report_principals_principal ON aa.report_principals (principal_id);
