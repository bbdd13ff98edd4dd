using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Sources;

/// <summary>CSV edge cases: RFC 4180 quoting, encodings, line ends, optional tables, and errors with locations.</summary>
public sealed class CsvSourceTests
{
    private static AgencyFixture Minimal() => new AgencyFixture()
        .Unit("NAT").Role("read").Principal("P").Assign("X", "read", "P", scopeUnit: "NAT").File("f1", "NAT");

    [Fact]
    public void Should_read_ids_with_commas_quotes_line_breaks_and_non_ascii()
    {
        using var f = new AgencyFixture()
            .Unit("Île-de-France, \"IDF\"").Unit("Agence\nNord", "Île-de-France, \"IDF\"")
            .Role("lecture ✓").Principal("Zoë, \"la\" conseillère")
            .Assign("X,1", "lecture ✓", "Zoë, \"la\" conseillère", scopeUnit: "Agence\nNord")
            .File("f,1", "Agence\nNord").File("f\"2", "Agence\nNord").File("f3", "Île-de-France, \"IDF\"")
            .Caseload("f,1", "Zoë, \"la\" conseillère");
        var result = f.Analyze();
        result.Snapshot.Units.Ids.Should().Contain("Agence\nNord");
        var e = result.Of("Zoë, \"la\" conseillère");
        e.ReachableFiles.Should().Be(2);
        e.CaseloadInReach.Should().Be(1);
    }

    [Fact]
    public void Should_read_utf8_with_a_byte_order_mark_and_crlf_line_ends()
    {
        using var f = Minimal();
        f.WriteCsv();
        foreach (var path in Directory.GetFiles(f.Directory, "*.csv"))
        {
            var text = File.ReadAllText(path).Replace("\n", "\r\n", StringComparison.Ordinal);
            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        }

        File.ReadAllBytes(Path.Combine(f.Directory, "files.csv"))[..3].Should().Equal(0xEF, 0xBB, 0xBF);
        var snapshot = TestSources.Load(f.Directory);
        snapshot.Principals.Ids.Should().Equal("P");
        snapshot.FileCount.Should().Be(1);
    }

    [Theory]
    [InlineData("files")]
    [InlineData("caseload")]
    [InlineData("principals")]
    [InlineData("access_events")]
    public void Should_report_a_file_holding_only_a_byte_order_mark_as_empty(string table)
    {
        using var f = Minimal().Caseload("f1", "P").Event("P", "f1", "2026-06-01");
        f.WriteCsv();
        File.WriteAllBytes(Path.Combine(f.Directory, table + ".csv"), [0xEF, 0xBB, 0xBF]);

        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().WithMessage($"{table}.csv:1: empty file: the header row is missing");
    }

    [Fact]
    public void Should_accept_absent_optional_tables_and_columns()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.Exists(Path.Combine(f.Directory, "shares.csv")).Should().BeFalse();
        File.WriteAllText(Path.Combine(f.Directory, "assignments.csv"), "scope_unit_id,scope,holder_type,holder_id,role_id,id\nNAT,unit,principal,P,read,X\n");
        File.WriteAllText(Path.Combine(f.Directory, "principals.csv"), "id,kind,organization,unit_id,name,active,mfa\nP,staff,agency,,Pat,true,false\n");
        var snapshot = TestSources.Load(f.Directory);
        snapshot.Assignments.Should().ContainSingle().Which.ValidUntil.Should().BeNull();
        snapshot.AccountPolicies.Should().BeNull();
        snapshot.Shares.Should().BeEmpty();
    }

    [Fact]
    public void Should_skip_blank_lines_and_accept_a_missing_final_line_break()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.WriteAllText(Path.Combine(f.Directory, "files.csv"), "id,unit_id,sensitive,closed\n\nf1,NAT,false,false\n\nf2,NAT,TRUE,False");
        var snapshot = TestSources.Load(f.Directory);
        snapshot.FileCount.Should().Be(2);
    }

    [Fact]
    public void Should_name_the_line_where_an_unclosed_quote_opens()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.WriteAllText(Path.Combine(f.Directory, "groups.csv"), "id,name\nG1,ok\nG2,\"never closed\nG3,x\n");
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should()
            .Be("groups.csv:3: column 2: unclosed quote (the quoted field runs to the end of the file)");
    }

    [Fact]
    public void Should_reject_text_after_a_closing_quote()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.WriteAllText(Path.Combine(f.Directory, "groups.csv"), "id,name\n\"G1\"x,ok\n");
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be("groups.csv:2: column 1: unexpected text after a closing quote (a quote inside a field must be doubled)");
    }

    [Fact]
    public void Should_reject_a_row_with_the_wrong_number_of_fields()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.WriteAllText(Path.Combine(f.Directory, "groups.csv"), "id,name\nG1,ok\nG2,a,b\n");
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should().Be("groups.csv:3: expected 2 fields as in the header, found 3");
    }

    [Fact]
    public void Should_count_lines_inside_quoted_fields_for_later_errors()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.WriteAllText(Path.Combine(f.Directory, "roles.csv"), "id,name,file_access,sensitive\nr1,\"two\nlines\",true,false\nr2,x,oui,false\n");
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should().StartWith("roles.csv:4: file_access (column 3): 'oui'");
    }

    [Fact]
    public void Should_reject_invalid_utf8()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.WriteAllBytes(Path.Combine(f.Directory, "groups.csv"), [.. "id,name\nG1,"u8, 0xC3, 0x28, (byte)'\n']);
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should().Contain("groups.csv").And.Contain("not valid UTF-8");
    }

    [Fact]
    public void Should_never_echo_a_value_from_a_beneficiary_table()
    {
        using var f = Minimal();
        f.WriteCsv();
        File.WriteAllText(Path.Combine(f.Directory, "shares.csv"), "file_id,principal_id,valid_until\nf1,P,FR-1850775123456\n");
        var act = () => TestSources.Load(f.Directory);
        act.Should().Throw<InputErrorException>().Which.Message.Should()
            .Be("shares.csv:2: valid_until (column 3): <value withheld> is not an ISO 8601 date (expected YYYY-MM-DD)");
    }

    [Fact]
    public void Should_count_id_length_in_characters_not_utf16_units()
    {
        using var f = Minimal().Group(string.Concat(Enumerable.Repeat("😀", 64)));
        f.Load().GroupIds.Should().ContainSingle();
        using var g = Minimal().Group(string.Concat(Enumerable.Repeat("😀", 65)));
        var act = () => g.Load();
        act.Should().Throw<InputErrorException>().Which.Message.Should().Contain("longer than 64 characters");
    }

    [Fact]
    public void Should_give_the_same_snapshot_whatever_the_row_order()
    {
        using var a = new AgencyFixture().Unit("N").Unit("B", "N").Unit("A", "N").Principal("Q").Principal("P").Role("r")
            .Assign("X2", "r", "Q", scopeUnit: "A").Assign("X1", "r", "P", scopeUnit: "B").File("f2", "A").File("f1", "B");
        using var b = new AgencyFixture().Unit("A", "N").Unit("N").Unit("B", "N").Principal("P").Principal("Q").Role("r")
            .Assign("X1", "r", "P", scopeUnit: "B").Assign("X2", "r", "Q", scopeUnit: "A").File("f1", "B").File("f2", "A");
        SnapshotComparer.Describe(a.Load()).Should().Be(SnapshotComparer.Describe(b.Load()));
    }
}
