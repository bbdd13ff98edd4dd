using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Engine;

/// <summary>Bad input is an error naming file, line, column and value (DESIGN.md), never a partial result.</summary>
public sealed class BadInputTests
{
    private static AgencyFixture Valid() => new AgencyFixture().Unit("NAT").Role("read").Principal("P").File("f1", "NAT");

    [Fact]
    public void Should_reject_a_duplicate_id_naming_the_second_line()
    {
        using var f = Valid().Principal("P");
        var act = () => f.Load();
        act.Should().Throw<InputErrorException>().WithMessage("principals.csv:3: id: duplicate id 'P' (first at line 2)");
    }

    [Fact]
    public void Should_report_a_small_table_error_before_a_files_error_read_beside_it()
    {
        // The small tables are read while the files are: the error a read in table order meets first still wins.
        using var f = Valid().File("f1", "NAT");
        f.Row("principals", "P2,robot,agency,NAT,x,true,true,".Split(','));
        var act = () => f.Load();
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be("principals.csv:3: kind (column 2): 'robot' is not one of staff, partner, service");

        using var files = Valid().File("f1", "NAT");
        FluentActions.Invoking(files.Load).Should().Throw<InputErrorException>().Which.Message.Should().StartWith("files.csv:3: id", "alone, the files' error");
    }

    [Fact]
    public void Should_reject_a_duplicate_file_id_without_showing_it()
    {
        using var f = Valid().File("f1", "NAT");
        var act = () => f.Load();
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be("files.csv:3: id (column 1): duplicate id <file id withheld>");
    }

    [Fact]
    public void Should_reject_a_cycle_in_the_org_tree()
    {
        using var f = new AgencyFixture().Unit("A", "C").Unit("B", "A").Unit("C", "B").Unit("ROOT").Role("read").Principal("P");
        var act = () => f.Load();
        act.Should().Throw<InputErrorException>().Which.Message.Should().StartWith("org_units.csv:2: parent_id: cycle in the org tree");
    }

    [Theory]
    [InlineData("principals", "P2,staff,agency,NAT,x,yes,true,", "principals.csv:3: active (column 6): 'yes' is not a boolean (expected true or false)")]
    [InlineData("principals", "P2,robot,agency,NAT,x,true,true,", "principals.csv:3: kind (column 2): 'robot' is not one of staff, partner, service")]
    [InlineData("principals", "P2,staff,agency,NAT,x,true,true,31/12/2026", "principals.csv:3: last_login (column 8): '31/12/2026' is not an ISO 8601 date (expected YYYY-MM-DD)")]
    [InlineData("roles", "r2,x,maybe,false", "roles.csv:3: file_access (column 3): 'maybe' is not a boolean (expected true or false)")]
    [InlineData("assignments", "X,read,P,principal,region,NAT,", "assignments.csv:2: scope (column 5): 'region' is not one of unit, caseload")]
    [InlineData("assignments", "X,read,P,principal,unit,NAT,2026-13-01", "assignments.csv:2: valid_until (column 7): '2026-13-01' is not an ISO 8601 date (expected YYYY-MM-DD)")]
    [InlineData("files", "f2,NAT,no,false", "files.csv:3: sensitive (column 3): <value withheld> is not a boolean (expected true or false)")]
    [InlineData("memberships", "G,P,person", "memberships.csv:2: member_type (column 3): 'person' is not one of principal, group")]
    public void Should_reject_a_value_that_does_not_parse_with_its_location(string table, string row, string expected)
    {
        using var f = Valid();
        f.Row(table, row.Split(','));
        var act = () => f.Load();
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be(expected);
    }

    [Fact]
    public void Should_reject_an_id_longer_than_64_characters()
    {
        using var f = Valid().Group(new string('g', 65));
        var act = () => f.Load();
        act.Should().Throw<InputErrorException>().WithMessage("groups.csv:2: id (column 1): id 'ggg*' is longer than 64 characters");
    }

    [Fact]
    public void Should_reject_a_missing_required_table()
    {
        using var f = Valid();
        f.WriteCsv();
        File.Delete(Path.Combine(f.Directory, "roles.csv"));
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should().StartWith("roles.csv: required table 'roles' is missing");
    }

    [Fact]
    public void Should_reject_a_missing_required_column()
    {
        using var f = Valid();
        f.WriteCsv();
        File.WriteAllText(Path.Combine(f.Directory, "files.csv"), "id,unit_id,sensitive\nf1,NAT,false\n");
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be("files.csv:1: closed: required column 'closed' is missing from the header");
    }
}
