-- AccessAnalyzer report tables for SQL Server: where `--store` writes each run, for dashboards and for the trend
-- that proves remediation progress run after run.
--
-- A run is written in ONE transaction (run row, units, principals, findings, plan): an interrupted or failed write
-- leaves no trace, so every run row that exists is complete. Runs never overwrite each other: each gets a fresh
-- run_id (a UUID made by the tool) and an increasing run_seq (made by the database), which orders the trend.
-- The tool only INSERTs here (sql/sqlserver/grants.sql: the writer role has INSERT on these tables and nothing else).
-- source_name is a path or host/database, never a connection string.

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
    plan_sensitive_excess_exposure_after bigint
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

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_report_principals_principal' AND object_id = OBJECT_ID(N'aa.report_principals'))
CREATE INDEX ix_report_principals_principal ON aa.report_principals (principal_id);
GO
