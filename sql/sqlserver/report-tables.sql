-- AccessAnalyzer report tables for SQL Server: where `--store` writes each run, for dashboards and for the trend
-- that proves remediation progress run after run.
--
-- A run is written in ONE transaction (run row, units, principals, findings, coverage, organisations, plan): an
-- interrupted or failed write leaves no trace, so every run row that exists is complete. Runs never overwrite each
-- other: each gets a fresh run_id (a UUID made by the tool) and an increasing run_seq (made by the database), which
-- orders the trend.
-- The tool only INSERTs here (sql/sqlserver/grants.sql: the writer role has INSERT on these tables and nothing else).
-- source_name is a path or host/database, never a connection string.
-- Columns added after the tables were first released are nullable: a store made by an earlier version keeps its
-- runs, which have NULL there. This script brings such a store up to date (ADD where COL_LENGTH finds no column,
-- CREATE TABLE where OBJECT_ID finds none): the tool runs it when it opens a store that lacks a table or column it
-- writes, which needs a login that may ALTER the tables. Run grants.sql again afterwards so that aa_writer may INSERT
-- into the new tables.

IF SCHEMA_ID(N'aa') IS NULL EXEC (N'CREATE SCHEMA aa');
GO

-- One row per run.
IF OBJECT_ID(N'aa.report_runs', N'U') IS NULL
CREATE TABLE aa.report_runs (
    run_seq                     bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    run_id                      uniqueidentifier NOT NULL UNIQUE,
    started_at                  datetimeoffset NOT NULL,
    stored_at                   datetimeoffset NOT NULL,
    as_of                       date NOT NULL,
    source_name                 nvarchar(1000) NOT NULL,
    tool_version                nvarchar(400) NOT NULL,
    command                     nvarchar(400) NOT NULL,      -- analyze / plan
    status                      nvarchar(400) NOT NULL,      -- outcome of the command: ok / gate-failed
    principals                  int     NOT NULL,
    files                       bigint NOT NULL,
    exposure                    bigint NOT NULL,
    excess_exposure             bigint NOT NULL,
    sensitive_excess_exposure   bigint NOT NULL,
    caseload_files              bigint NOT NULL,
    caseload_in_reach           bigint NOT NULL,
    closed_files_in_reach       bigint NOT NULL,
    principals_with_excess      int     NOT NULL,
    dangling_references         bigint NOT NULL,
    group_cycles                int     NOT NULL,
    phishable_exposure          bigint NOT NULL,
    partner_phishable_exposure  bigint NOT NULL,
    dormant_accounts_with_reach int     NOT NULL,
    findings                    int     NOT NULL,
    plan_items                  int    ,            -- the plan columns are NULL when the run stored no plan
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
GO

-- The org tree as the run saw it (dangling parents resolved to roots), so the per-unit views need nothing else.
IF OBJECT_ID(N'aa.report_units', N'U') IS NULL
CREATE TABLE aa.report_units (
    run_id    uniqueidentifier NOT NULL REFERENCES aa.report_runs (run_id),
    unit_id   nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    parent_id nvarchar(64) COLLATE Latin1_General_100_BIN2,
    kind      nvarchar(400) NOT NULL,
    name      nvarchar(400) NOT NULL,
    PRIMARY KEY (run_id, unit_id)
);
GO

-- One row per principal per run: the figures of the JSON output.
IF OBJECT_ID(N'aa.report_principals', N'U') IS NULL
CREATE TABLE aa.report_principals (
    run_id                 uniqueidentifier NOT NULL REFERENCES aa.report_runs (run_id),
    principal_id           nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    kind                   nvarchar(400) NOT NULL,
    organization           nvarchar(400) NOT NULL,
    unit_id                nvarchar(64) COLLATE Latin1_General_100_BIN2,
    active                 bit     NOT NULL,
    mfa                    bit     NOT NULL,
    last_login             date,
    reachable_files        bigint NOT NULL,
    caseload_files         bigint NOT NULL,
    caseload_in_reach      bigint NOT NULL,
    excess_files           bigint NOT NULL,
    sensitive_excess_files bigint NOT NULL,
    closed_files_in_reach  bigint NOT NULL,
    grants_in_force        int     NOT NULL,
    justified_files        bigint,             -- added later: NULL in runs stored before
    PRIMARY KEY (run_id, principal_id)
);
GO

-- One row per assignment of the remediation plan, in rank order.
IF OBJECT_ID(N'aa.report_plan', N'U') IS NULL
CREATE TABLE aa.report_plan (
    run_id                              uniqueidentifier NOT NULL REFERENCES aa.report_runs (run_id),
    [rank]                              int     NOT NULL,
    assignment_id                       nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    role_id                             nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    holder_id                           nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    holder_type                         nvarchar(400) NOT NULL,
    scope_unit_id                       nvarchar(64) COLLATE Latin1_General_100_BIN2,
    [change]                            nvarchar(400) NOT NULL,   -- remove / narrow-to-caseload / narrow-to-unit
    new_scope_unit_id                   nvarchar(64) COLLATE Latin1_General_100_BIN2,
    holders                             int     NOT NULL,
    excess_removed                      bigint NOT NULL,
    sensitive_excess_removed            bigint NOT NULL,
    cumulative_excess_removed           bigint NOT NULL,
    cumulative_sensitive_excess_removed bigint NOT NULL,
    PRIMARY KEY (run_id, rank)
);
GO

-- One row per finding. subject_ids is a JSON array of ids (accounts, groups, assignments: never a file id).
IF OBJECT_ID(N'aa.report_findings', N'U') IS NULL
CREATE TABLE aa.report_findings (
    run_id       uniqueidentifier NOT NULL REFERENCES aa.report_runs (run_id),
    finding_no   int     NOT NULL,
    rule_id      nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    severity     nvarchar(400) NOT NULL,    -- critical / high / medium / low / info
    message      nvarchar(max) NOT NULL,
    subject_kind nvarchar(400) NOT NULL,
    subject_ids  nvarchar(max) NOT NULL,
    PRIMARY KEY (run_id, finding_no)
);
GO

-- Which checks ran on the source, and why (not): a check that could not run is not a clean result, so "not checked"
-- stays visible beside the figures. One row per check: access-log / account-policy / last-login / shares /
-- justifications. Runs stored before this table existed have no rows here.
IF OBJECT_ID(N'aa.report_coverage', N'U') IS NULL
CREATE TABLE aa.report_coverage (
    run_id   uniqueidentifier NOT NULL REFERENCES aa.report_runs (run_id),
    check_id nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    ran      bit     NOT NULL,
    reason   nvarchar(max) NOT NULL,
    PRIMARY KEY (run_id, check_id)
);
GO

-- One row per organisation (principals.organization) per run: the distinct files its accounts reach together.
-- partner is 1 when every account of the organisation is of kind partner. Unions, so organisations do not add up to
-- the run's distinct figures where their reaches overlap. organization compares as bytes, as the tool groups it: two
-- spellings that differ in case are two organisations, not a duplicate key.
IF OBJECT_ID(N'aa.report_organizations', N'U') IS NULL
CREATE TABLE aa.report_organizations (
    run_id                          uniqueidentifier NOT NULL REFERENCES aa.report_runs (run_id),
    organization                    nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    principals                      int     NOT NULL,
    partner                         bit     NOT NULL,
    distinct_reachable_files        bigint NOT NULL,
    distinct_excess_files           bigint NOT NULL,
    distinct_sensitive_excess_files bigint NOT NULL,
    distinct_phishable_files        bigint NOT NULL,
    PRIMARY KEY (run_id, organization)
);
GO

-- A store made by an earlier version: the CREATE TABLEs above left its tables as they were.
IF COL_LENGTH(N'aa.report_runs', N'justified_files') IS NULL ALTER TABLE aa.report_runs ADD justified_files bigint;
IF COL_LENGTH(N'aa.report_runs', N'distinct_reachable_files') IS NULL ALTER TABLE aa.report_runs ADD distinct_reachable_files bigint;
IF COL_LENGTH(N'aa.report_runs', N'distinct_excess_files') IS NULL ALTER TABLE aa.report_runs ADD distinct_excess_files bigint;
IF COL_LENGTH(N'aa.report_runs', N'distinct_sensitive_excess_files') IS NULL ALTER TABLE aa.report_runs ADD distinct_sensitive_excess_files bigint;
IF COL_LENGTH(N'aa.report_runs', N'distinct_phishable_files') IS NULL ALTER TABLE aa.report_runs ADD distinct_phishable_files bigint;
IF COL_LENGTH(N'aa.report_principals', N'justified_files') IS NULL ALTER TABLE aa.report_principals ADD justified_files bigint;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_report_principals_principal' AND object_id = OBJECT_ID(N'aa.report_principals'))
CREATE INDEX ix_report_principals_principal ON aa.report_principals (principal_id);
GO
