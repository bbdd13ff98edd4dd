using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.SqlServer;
using AccessAnalyzer.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Sources;

/// <summary>
/// The resolver is the one place that decides what a source argument names: a directory is CSV, an existing file
/// SQLite, a registered provider name a server database. Nothing is read or connected to until the source is read.
/// </summary>
public sealed class SourceResolverTests : IDisposable
{
    private const string Unreachable = "Host=nowhere.invalid;Port=6432;Database=iam;Username=analyst;Password=hunter2";

    private readonly SourceResolver _resolver = new(SqlServerProvider.Instance);
    private readonly AgencyFixture _agency = new AgencyFixture().Unit("NAT", kind: "national").File("f1", "NAT").Role("read")
        .Principal("P").Caseload("f1", "P").Assign("X", "read", "P", scopeUnit: "NAT");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _agency.Dispose();
    }

    [Fact]
    public void A_directory_is_a_csv_source_and_an_existing_file_an_sqlite_one()
    {
        var directory = _agency.WriteCsv();
        var csv = _resolver.Resolve(directory, new SourceOptions());
        csv.Kind.Should().Be(SourceKind.Csv);
        csv.Name.Should().Be(directory);
        csv.CanFindFile.Should().BeTrue();
        csv.Store.Should().BeNull("a directory has no report tables");

        // Any existing file is taken for SQLite, whatever its extension.
        var database = CsvToSqlite.Copy(directory, Path.Combine(directory, "agency.sqlite3"));
        var sqlite = _resolver.Resolve(database, new SourceOptions());
        sqlite.Kind.Should().Be(SourceKind.Sqlite);
        sqlite.Name.Should().Be(database);
        sqlite.CanFindFile.Should().BeTrue();
        sqlite.Store!.Name.Should().Be(database);
        sqlite.Store.Dialect.Name.Should().Be("sqlite");

        SnapshotComparer.Describe(sqlite.Read().Snapshot()).Should().Be(SnapshotComparer.Describe(csv.Read().Snapshot()));
        sqlite.FindFile("f1").Should().BeEquivalentTo(csv.FindFile("f1"));
    }

    [Theory]
    [InlineData("postgres", SourceKind.Postgres, "postgres:nowhere.invalid:6432/iam")]
    [InlineData("POSTGRES", SourceKind.Postgres, "postgres:nowhere.invalid:6432/iam")]
    [InlineData("sqlserver", SourceKind.SqlServer, "sqlserver:db.agency.local/iam")]
    public void A_provider_name_is_a_server_database_named_without_credentials_and_not_connected_to_yet(string argument, SourceKind kind, string name)
    {
        var connectionString = kind == SourceKind.SqlServer ? "Server=db.agency.local;Database=iam;User Id=analyst;Password=hunter2" : Unreachable;
        var source = _resolver.Resolve(argument, new SourceOptions { Schema = "agency_x", Environment = _ => connectionString });
        source.Kind.Should().Be(kind);
        source.Name.Should().Be(name);
        source.CanFindFile.Should().BeFalse();
        source.Invoking(s => s.FindFile("f1")).Should().Throw<NotSupportedException>();
        source.Store!.Name.Should().Be(name);
        source.Store.Dialect.Schema.Should().Be("agency_x");
        source.Store.ToString().Should().NotContain("hunter2");
    }

    [Fact]
    public void A_server_database_needs_its_connection_string_and_a_valid_schema_when_resolved()
    {
        var none = () => _resolver.Resolve("postgres", new SourceOptions { Environment = _ => null });
        none.Should().Throw<InputErrorException>().WithMessage("postgres: no connection string: set AA_CONNECTION or pass --connection-file FILE (never on the command line)");

        var badSchema = () => _resolver.Resolve("sqlserver", new SourceOptions { Schema = "No-Such", Environment = _ => Unreachable });
        badSchema.Should().Throw<InputErrorException>().WithMessage("sqlserver: --schema: schema 'No-Such' is not a plain lower-case identifier*")
            .Which.Message.Should().NotContain("hunter2");
    }

    [Fact]
    public void A_missing_path_is_one_sentence_naming_what_a_source_can_be()
    {
        var missing = Path.Combine(_agency.Directory, "nothing-here.db");
        var act = () => _resolver.Resolve(missing, new SourceOptions());
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be(
            $"source '{missing}' not found (expected a directory of canonical CSV files, an SQLite database file, " +
            "or postgres or sqlserver with --connection-file or AA_CONNECTION)");
    }

    [Fact]
    public void Schema_and_connection_file_are_refused_on_a_path()
    {
        var directory = _agency.WriteCsv();
        var act = () => _resolver.Resolve(directory, new SourceOptions { Schema = "aa" });
        act.Should().Throw<InputErrorException>().WithMessage("*--schema and --connection-file apply to database sources (postgres, sqlserver)");
    }

    [Fact]
    public void A_store_target_is_a_provider_name_or_an_sqlite_file_created_when_missing_never_a_directory()
    {
        var file = Path.Combine(_agency.Directory, "reports.db");
        var sqlite = _resolver.ResolveStoreTarget(file, new SourceOptions { Schema = "ignored_for_sqlite" });
        sqlite.Name.Should().Be(file);
        sqlite.Dialect.Schema.Should().BeNull();
        File.Exists(file).Should().BeFalse("nothing is created before the store opens it");

        var server = _resolver.ResolveStoreTarget("postgres", new SourceOptions { Schema = "reports", Environment = _ => Unreachable });
        server.Name.Should().Be("postgres:nowhere.invalid:6432/iam");
        server.Dialect.Schema.Should().Be("reports");

        var directory = () => _resolver.ResolveStoreTarget(_agency.Directory, new SourceOptions());
        directory.Should().Throw<InputErrorException>().WithMessage("*a directory cannot hold report tables*");
    }
}
