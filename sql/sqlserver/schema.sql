-- AccessAnalyzer canonical input schema for SQL Server (also Azure SQL; Synapse and Fabric warehouses need the
-- indexes dropped: they distribute and index differently).
--
-- The table names and columns of the contract in docs/semantics.md ("The canonical tables"), in schema aa. The tool only ever
-- SELECTs from them (sql/sqlserver/grants.sql creates a reader role with exactly that). A real deployment usually
-- maps its own tables onto these names with views instead (sql/sqlserver/mapping-template.sql); this script is what
-- `accessanalyzer db init --dialect sqlserver` and `db load` run, with aa replaced by --schema when given.
--
-- Conventions:
--   * ids are nvarchar(64) with a binary collation: the contract compares ids exactly, while the usual default
--     collation is case-insensitive and would merge 'a1' and 'A1' in joins and GROUP BYs;
--   * booleans are bit, dates are date, access times are datetimeoffset;
--   * an optional reference (parent_id, unit_id, scope_unit_id) or date (valid_until, last_login) is NULL when absent.
-- Link tables (memberships, caseload, shares) carry no uniqueness constraint: the contract treats them as sets.
--
-- Statements end with a semicolon at the end of a line, GO separates batches for sqlcmd and SSMS, and comments hold
-- no semicolon: the tool splits the script there, and creates the indexes after a bulk load.

IF SCHEMA_ID(N'aa') IS NULL EXEC (N'CREATE SCHEMA aa');
GO

IF OBJECT_ID(N'aa.org_units', N'U') IS NULL
CREATE TABLE aa.org_units (
    id        nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    parent_id nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    kind      nvarchar(100) NOT NULL,
    name      nvarchar(400) NOT NULL
);
GO

IF OBJECT_ID(N'aa.principals', N'U') IS NULL
CREATE TABLE aa.principals (
    id           nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    kind         nvarchar(20) NOT NULL,
    organization nvarchar(100) NOT NULL,
    unit_id      nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    name         nvarchar(400) NOT NULL,
    active       bit NOT NULL,
    mfa          bit NOT NULL,
    last_login   date NULL
);
GO

IF OBJECT_ID(N'aa.groups', N'U') IS NULL
CREATE TABLE aa.groups (
    id   nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    name nvarchar(400) NOT NULL
);
GO

IF OBJECT_ID(N'aa.memberships', N'U') IS NULL
CREATE TABLE aa.memberships (
    group_id    nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    member_id   nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    member_type nvarchar(20) NOT NULL
);
GO

IF OBJECT_ID(N'aa.roles', N'U') IS NULL
CREATE TABLE aa.roles (
    id          nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    name        nvarchar(400) NOT NULL,
    file_access bit NOT NULL,
    sensitive   bit NOT NULL
);
GO

IF OBJECT_ID(N'aa.assignments', N'U') IS NULL
CREATE TABLE aa.assignments (
    id            nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    role_id       nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    holder_id     nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    holder_type   nvarchar(20) NOT NULL,
    scope         nvarchar(20) NOT NULL,
    scope_unit_id nvarchar(64) COLLATE Latin1_General_100_BIN2 NULL,
    valid_until   date NULL
);
GO

IF OBJECT_ID(N'aa.files', N'U') IS NULL
CREATE TABLE aa.files (
    id        nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    unit_id   nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    sensitive bit NOT NULL,
    closed    bit NOT NULL
);
GO

IF OBJECT_ID(N'aa.caseload', N'U') IS NULL
CREATE TABLE aa.caseload (
    file_id      nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    principal_id nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL
);
GO

IF OBJECT_ID(N'aa.shares', N'U') IS NULL
CREATE TABLE aa.shares (
    file_id      nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    principal_id nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    valid_until  date NULL
);
GO

IF OBJECT_ID(N'aa.access_events', N'U') IS NULL
CREATE TABLE aa.access_events (
    principal_id nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    file_id      nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    at           datetimeoffset NOT NULL,
    action       nvarchar(100) NOT NULL
);
GO

IF OBJECT_ID(N'aa.account_policy', N'U') IS NULL
CREATE TABLE aa.account_policy (
    organization      nvarchar(100) NOT NULL,
    lockout_threshold int NOT NULL,
    mfa_required      bit NOT NULL
);
GO

-- Recorded grounds for reach beyond a caseload. Not keyed: several rows may name the same subject.
IF OBJECT_ID(N'aa.justifications', N'U') IS NULL
CREATE TABLE aa.justifications (
    subject_type nvarchar(20) NOT NULL,   -- role / assignment / principal
    subject_id   nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reason       nvarchar(max) NOT NULL,
    owner        nvarchar(200) NOT NULL,
    expires      date NOT NULL
);
GO

-- Indexes: each turns one pushed-down aggregation into an ordered scan of a covering index (see sql/postgres/schema.sql).

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_files_unit_class' AND object_id = OBJECT_ID(N'aa.files'))
CREATE INDEX ix_files_unit_class ON aa.files (unit_id, sensitive, closed);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_caseload_file_principal' AND object_id = OBJECT_ID(N'aa.caseload'))
CREATE INDEX ix_caseload_file_principal ON aa.caseload (file_id, principal_id);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_caseload_principal' AND object_id = OBJECT_ID(N'aa.caseload'))
CREATE INDEX ix_caseload_principal ON aa.caseload (principal_id);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_shares_file' AND object_id = OBJECT_ID(N'aa.shares'))
CREATE INDEX ix_shares_file ON aa.shares (file_id);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_access_events_principal_at' AND object_id = OBJECT_ID(N'aa.access_events'))
CREATE INDEX ix_access_events_principal_at ON aa.access_events (principal_id, at);
GO
