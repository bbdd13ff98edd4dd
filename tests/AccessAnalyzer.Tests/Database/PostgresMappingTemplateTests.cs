using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// <c>sql/postgres/mapping-template.sql</c> run as written over the imaginary agency's own tables (integer file ids,
/// boolean flags, a closing date instead of a closed flag): the canonical views it defines read like the same data
/// exported as CSV.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMappingTemplateTests(PostgresServer server)
{
    [PostgresFact]
    public void Mapping_template_views_over_agency_tables_give_the_report_of_the_same_data_as_csv()
    {
        var schema = PostgresServer.NewSchema("map");
        var agency = schema + "_src";
        // The template names four agency schemas; give this test its own copies.
        var script = SqlScripts.Text("postgres", SqlScripts.MappingTemplate, schema)
            .Replace("agency_ref.", agency + "_ref.", StringComparison.Ordinal)
            .Replace("agency_iam.", agency + "_iam.", StringComparison.Ordinal)
            .Replace("agency_case.", agency + "_case.", StringComparison.Ordinal)
            .Replace("agency_audit.", agency + "_audit.", StringComparison.Ordinal);
        server.Execute($"""
            CREATE SCHEMA {agency}_ref; CREATE SCHEMA {agency}_iam; CREATE SCHEMA {agency}_case; CREATE SCHEMA {agency}_audit;
            CREATE TABLE {agency}_ref.sites (site_code text, parent_site_code text, site_level text, site_label text);
            CREATE TABLE {agency}_iam.accounts (login text, is_service boolean, employer text, site_code text, display_name text,
                enabled boolean, mfa_enrolled boolean, last_logon_at timestamptz);
            CREATE TABLE {agency}_iam.groups (group_code text, group_label text);
            CREATE TABLE {agency}_iam.group_members (group_code text, member_code text, member_is_group boolean);
            CREATE TABLE {agency}_iam.profiles (profile_code text, profile_label text, opens_files boolean, health_data boolean);
            CREATE TABLE {agency}_iam.profile_grants (grant_id integer, profile_code text, holder_code text, holder_is_group boolean,
                portfolio_only boolean, site_code text, ends_on date);
            CREATE TABLE {agency}_case.dossiers (dossier_id bigint, site_code text, has_health_data boolean, closed_on date);
            CREATE TABLE {agency}_case.portfolio (dossier_id bigint, advisor_login text);
            CREATE TABLE {agency}_case.dossier_shares (dossier_id bigint, grantee_login text, until_date date);
            CREATE TABLE {agency}_audit.reads (actor_login text, dossier_id bigint, read_at timestamptz, operation text);
            CREATE TABLE {agency}_iam.password_policies (employer text, max_failed_logins integer, mfa_mandatory boolean);
            CREATE TABLE {agency}_iam.access_exceptions (exception_kind text, subject_code integer, motive text, approved_by text, end_date_fr text);

            INSERT INTO {agency}_ref.sites VALUES ('NAT', NULL, 'national', 'National'), ('R1', 'NAT', 'region', 'Region 1'), ('A1', 'R1', 'agency', 'Agency 1');
            INSERT INTO {agency}_iam.accounts VALUES
                ('P1', false, 'capemploi', 'R1', 'Partner 1', true, false, '2026-06-01 10:00+02'),
                ('S1', false, 'agency', 'A1', 'Staff 1', true, true, NULL),
                ('svc', true, 'agency', 'NAT', 'Batch', true, false, NULL);
            INSERT INTO {agency}_iam.groups VALUES ('G1', 'Agency 1 staff');
            INSERT INTO {agency}_iam.group_members VALUES ('G1', 'S1', false);
            INSERT INTO {agency}_iam.profiles VALUES ('read', 'Read files', true, false), ('health', 'Health files', true, true);
            INSERT INTO {agency}_iam.profile_grants VALUES
                (1, 'health', 'P1', false, false, 'R1', NULL),
                (2, 'read', 'G1', true, true, NULL, NULL),
                (3, 'read', 'svc', false, false, 'NAT', '2026-01-31');
            INSERT INTO {agency}_case.dossiers VALUES (1, 'NAT', false, NULL), (2, 'A1', true, NULL), (3, 'A1', true, NULL), (4, 'A1', false, '2025-12-31');
            INSERT INTO {agency}_case.portfolio VALUES (2, 'P1'), (3, 'S1'), (3, 'S1');
            INSERT INTO {agency}_case.dossier_shares VALUES (1, 'S1', '2026-12-31');
            INSERT INTO {agency}_iam.password_policies VALUES ('capemploi', 50, false);
            INSERT INTO {agency}_iam.access_exceptions VALUES
                ('HABILITATION', 1, 'Regional partner pilot', 'Partnerships', '31/08/2026'),
                ('COMPTE', 7, 'Left the agency', 'HR', '01/01/2026');
            """);
        server.Execute(script);

        using var csv = new AgencyFixture()
            .Unit("NAT", kind: "national", name: "National").Unit("R1", "NAT", "region", "Region 1").Unit("A1", "R1", name: "Agency 1")
            .Principal("P1", kind: "partner", organization: "capemploi", unit: "R1", mfa: false, lastLogin: "2026-06-01")
            .Principal("S1", unit: "A1").Principal("svc", kind: "service", unit: "NAT", mfa: false)
            .Group("G1").Member("G1", "S1")
            .Role("read", name: "Read files").Role("health", sensitive: true, name: "Health files")
            .Assign("1", "health", "P1", scopeUnit: "R1").Assign("2", "read", "G1", holderType: "group", scope: "caseload")
            .Assign("3", "read", "svc", scopeUnit: "NAT", validUntil: "2026-01-31")
            .File("1", "NAT").File("2", "A1", sensitive: true).File("3", "A1", sensitive: true).File("4", "A1", closed: true)
            .Caseload("2", "P1").Caseload("3", "S1").Caseload("3", "S1")
            .Share("1", "S1", "2026-12-31")
            .Policy("capemploi", 50, mfaRequired: false)
            .Justify("assignment", "1", "2026-08-31", "Regional partner pilot", "Partnerships")
            .Justify("principal", "7", "2026-01-01", "Left the agency", "HR");
        var connectionString = server.ConnectionString();
        var fromPostgres = new SourceResolver().Resolve("postgres", new SourceOptions { Schema = schema, Environment = _ => connectionString }).Read().Snapshot();
        var fromCsv = TestSources.Load(csv.WriteCsv());

        var asOf = new DateOnly(2026, 6, 30);
        PostgresSourceTests.Json(fromPostgres, asOf, emptyTablesAsAbsent: true).Should().Be(PostgresSourceTests.Json(fromCsv, asOf, emptyTablesAsAbsent: true));
        fromPostgres.FileCount.Should().Be(4);
        fromPostgres.Justifications.Should().ContainSingle().Which.Expires.Should().Be(new DateOnly(2026, 8, 31), "the French date is converted");
        fromPostgres.DanglingReferences.Should().Contain(d => d.Table == "justifications" && d.Value == "7");
    }
}
