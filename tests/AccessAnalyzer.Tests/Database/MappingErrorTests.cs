using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Database;

/// <summary>
/// A mapped view that returns the wrong type (text for a boolean, a number for a date, an interval, bytes) is bad
/// input on one line naming table, column and expected type, and the value unless the table holds beneficiary data;
/// never an internal error.
/// </summary>
public abstract class MappingErrorChecks : IDisposable
{
    protected string Root { get; } = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-mapping-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public virtual void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Streamed, the same bad value is the same one-line error: same table, column and reason, value withheld; the
    /// row is the bad value's place in the table (every row of these views is bad: the first), where pushdown, reading
    /// a GROUP BY, can name none.
    /// </summary>
    private protected static void SameErrorStreamed(InputErrorException pushdown, Func<SourceReadResult> stream)
    {
        var streamed = stream.Should().Throw<InputErrorException>().Which;
        (streamed.Table, streamed.Column, streamed.Reason).Should().Be((pushdown.Table, pushdown.Column, pushdown.Reason));
        streamed.Line.Should().Be(1);
        streamed.Message.Should().NotContain("OUI").And.NotContain("S1").And.NotContain("20261231");
    }

    private protected static AgencyFixture Agency() => new AgencyFixture()
        .Unit("NAT", kind: "national").Unit("A1", "NAT")
        .Principal("S1", unit: "A1", lastLogin: "2026-01-15").Role("read").Assign("1", "read", "S1", scopeUnit: "A1")
        .File("F1", "A1").File("F2", "A1", sensitive: true).Caseload("F1", "S1").Share("F2", "S1", "2026-12-31")
        .Policy("agency", 5, mfaRequired: true);
}

public sealed class SqliteMappingErrorTests : MappingErrorChecks
{
    [Theory]
    [InlineData("principals", "SELECT id, kind, organization, unit_id, name, 'ACTIF' AS active, mfa, last_login FROM {raw}",
        "principals:1: active: 'ACTIF' is not a boolean (expected true or false)")]
    [InlineData("principals", "SELECT id, kind, organization, unit_id, name, active, mfa, 20240101 AS last_login FROM {raw}",
        "principals:1: last_login: '20240101' is not an ISO 8601 date (expected YYYY-MM-DD)")]
    [InlineData("account_policy", "SELECT organization, 'five' AS lockout_threshold, mfa_required FROM {raw}",
        "account_policy:1: lockout_threshold: 'five' is not a whole number")]
    [InlineData("org_units", "SELECT CASE WHEN id = 'A1' THEN X'4131' ELSE id END AS id, parent_id, kind, name FROM {raw}",
        "org_units:2: id: a value of type BLOB cannot be read as text")]
    [InlineData("principals", "SELECT id, kind, organization, unit_id, name, active, mfa, X'00' AS last_login FROM {raw}",
        "principals:1: last_login: a value of type BLOB cannot be read as an ISO 8601 date (YYYY-MM-DD)")]
    public void A_wrong_type_in_a_view_is_bad_input_naming_table_column_expected_type_and_value(string table, string view, string message)
    {
        var database = Mapped(table, view);

        var act = () => Read(database);
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be(message);

        var (exit, output, error) = AnalyzeCliTests.Run("analyze", "--source", database, "--format", "json");
        exit.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be("error: " + message + Environment.NewLine);
    }

    [Theory]
    [InlineData("files", "SELECT id, unit_id, 'OUI' AS sensitive, closed FROM {raw}",
        "files: sensitive: <value withheld> is not a boolean (expected true or false)")]
    [InlineData("files", "SELECT id, unit_id, X'01' AS sensitive, closed FROM {raw}",
        "files: sensitive: a value of type BLOB cannot be read as a boolean (true or false)")]
    [InlineData("caseload", "SELECT file_id, X'5331' AS principal_id FROM {raw}",
        "caseload: principal_id: a value of type BLOB cannot be read as text")]
    [InlineData("shares", "SELECT file_id, principal_id, 20261231 AS valid_until FROM {raw}",
        "shares:1: valid_until: <value withheld> is not an ISO 8601 date (expected YYYY-MM-DD)")]
    public void A_wrong_type_in_a_table_of_beneficiary_data_never_shows_the_value(string table, string view, string message)
    {
        var database = Mapped(table, view);

        var act = () => Read(database);
        var error = act.Should().Throw<InputErrorException>().Which;
        error.Message.Should().Be(message);
        error.Message.Should().NotContain("OUI").And.NotContain("S1").And.NotContain("20261231");
        SameErrorStreamed(error, () => Read(database, TransferMode.Stream));
    }

    private static SourceReadResult Read(string database, TransferMode transfer = TransferMode.Pushdown) =>
        new SourceResolver().Resolve(database, new SourceOptions { Transfer = transfer }).Read();

    /// <summary>The agency in SQLite, with <paramref name="table"/> replaced by a view over its rows.</summary>
    private string Mapped(string table, string view)
    {
        var database = Path.Combine(Root, "agency.db");
        using var agency = Agency();
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        CanonicalLoader.LoadCsv(SqliteProvider.Instance, connection, SqliteDialect.Instance, agency.WriteCsv());
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TABLE {table}_raw AS SELECT * FROM {table}; DROP TABLE {table};
            CREATE VIEW {table} AS {view.Replace("{raw}", table + "_raw", StringComparison.Ordinal)};
            """;
        command.ExecuteNonQuery();
        return database;
    }
}

[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresMappingErrorTests(PostgresServer server) : MappingErrorChecks
{
    [PostgresTheory]
    [InlineData("principals", "SELECT id, kind, organization, unit_id, name, CASE WHEN active THEN 'ACTIF' ELSE 'INACTIF' END AS active, mfa, last_login FROM {raw}",
        "principals:1: active: 'ACTIF' is not a boolean (expected true or false)")]
    [InlineData("principals", "SELECT id, kind, organization, unit_id, name, active, mfa, 20240101 AS last_login FROM {raw}",
        "principals:1: last_login: '20240101' is not an ISO 8601 date (expected YYYY-MM-DD)")]
    [InlineData("principals", "SELECT id, kind, organization, unit_id, name, active, mfa, interval '1 month' AS last_login FROM {raw}",
        "principals:1: last_login: a value of type interval cannot be read as an ISO 8601 date (YYYY-MM-DD)")]
    [InlineData("account_policy", "SELECT organization, 'five'::text AS lockout_threshold, mfa_required FROM {raw}",
        "account_policy:1: lockout_threshold: 'five' is not a whole number")]
    [InlineData("account_policy", "SELECT organization, lockout_threshold * 1e40::numeric AS lockout_threshold, mfa_required FROM {raw}",
        "account_policy:1: lockout_threshold: a value of type numeric cannot be read as a whole number")]
    [InlineData("roles", "SELECT id, name, file_access, ARRAY[sensitive] AS sensitive FROM {raw}",
        "roles:1: sensitive: a value of type boolean[] cannot be read as a boolean (true or false)")]
    public void A_wrong_type_in_a_view_is_bad_input_naming_table_column_expected_type_and_value(string table, string view, string message)
    {
        var schema = Mapped(table, view);

        var act = () => Read(schema);
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be(schema + "." + message);

        var connectionFile = Path.Combine(Root, "connection");
        File.WriteAllText(connectionFile, server.ConnectionString());
        File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite); // no readable-by-others warning
        var (exit, output, error) = AnalyzeCliTests.Run(
            "analyze", "--source", "postgres", "--schema", schema, "--connection-file", connectionFile, "--format", "json");
        exit.Should().Be(2);
        output.Should().BeEmpty();

        // The owner login is warned that it could modify the input; the error is the one other line.
        error.Should().StartWith("warning: the login can modify input tables").And.EndWith(
            Environment.NewLine + "error: " + schema + "." + message + Environment.NewLine);
    }

    [PostgresTheory]
    [InlineData("files", "SELECT id, unit_id, CASE WHEN sensitive THEN 'OUI' ELSE 'NON' END AS sensitive, closed FROM {raw}",
        "files: sensitive: <value withheld> is not a boolean (expected true or false)")]
    [InlineData("files", "SELECT id, unit_id, sensitive, interval '1 month' AS closed FROM {raw}",
        "files: closed: a value of type interval cannot be read as a boolean (true or false)")]
    [InlineData("shares", "SELECT file_id, principal_id, 20261231 AS valid_until FROM {raw}",
        "shares:1: valid_until: <value withheld> is not an ISO 8601 date (expected YYYY-MM-DD)")]
    [InlineData("shares", "SELECT file_id, principal_id, interval '1 month' AS valid_until FROM {raw}",
        "shares:1: valid_until: a value of type interval cannot be read as an ISO 8601 date (YYYY-MM-DD)")]
    public void A_wrong_type_in_a_table_of_beneficiary_data_never_shows_the_value(string table, string view, string message)
    {
        var schema = Mapped(table, view);

        var act = () => Read(schema);
        var error = act.Should().Throw<InputErrorException>().Which;
        error.Message.Should().Be(schema + "." + message);
        error.Message.Should().NotContain("OUI").And.NotContain("S1").And.NotContain("20261231");
        SameErrorStreamed(error, () => Read(schema, TransferMode.Stream));
    }

    private SourceReadResult Read(string schema, TransferMode transfer = TransferMode.Pushdown)
    {
        var connectionString = server.ConnectionString();
        return new SourceResolver().Resolve("postgres", new SourceOptions { Schema = schema, Environment = _ => connectionString, Transfer = transfer }).Read();
    }

    /// <summary>The agency in a schema of its own, with <paramref name="table"/> replaced by a view over its rows.</summary>
    private string Mapped(string table, string view)
    {
        var schema = PostgresServer.NewSchema("map");
        using (var agency = Agency())
        {
            using var connection = server.Open();
            CanonicalLoader.LoadCsv(PostgresProvider.Instance, connection, new PostgresDialect(schema), agency.WriteCsv());
        }

        server.Execute($"""
            ALTER TABLE {schema}.{table} RENAME TO {table}_raw;
            CREATE VIEW {schema}.{table} AS {view.Replace("{raw}", $"{schema}.{table}_raw", StringComparison.Ordinal)};
            """);
        return schema;
    }
}
