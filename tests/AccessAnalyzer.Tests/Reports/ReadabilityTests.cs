using System.Text.Json;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Tests.Cli;
using AccessAnalyzer.Tests.Fixtures;

namespace AccessAnalyzer.Tests.Reports;

/// <summary>What people read: ids in the order they count, one day said as one day, the ×caseload column explained.</summary>
public sealed class ReadabilityTests
{
    [Fact]
    public void Ids_sort_as_people_count_them_with_an_ordinal_tie_break()
    {
        string[] ids = ["12", "9", "X10", "1", "X9", "10", "X01", "X1", "a2", "A10", ""];
        ids.Order(NaturalOrder.Instance).Should().Equal("", "1", "9", "10", "12", "A10", "X01", "X1", "X9", "X10", "a2");
        NaturalOrder.Instance.Compare("99999999999999999999999", "100000000000000000000000").Should().BeNegative("digits compare by value without overflow");
    }

    [Fact]
    public void Explain_lists_assignments_in_natural_order()
    {
        using var f = new AgencyFixture().Unit("NAT").Unit("U", "NAT").Files("u", "U", 2).Role("read").Principal("P", unit: "U")
            .Assign("12", "read", "P", scopeUnit: "U").Assign("9", "read", "P", scopeUnit: "U")
            .Assign("10", "read", "P", scopeUnit: "U").Assign("1", "read", "P", scopeUnit: "U");
        var e = AccessExplainer.ExplainPrincipal(Analysis.Run(f.Load(), new AnalysisOptions { AsOf = AgencyFixture.AsOf }), "P", null, null);
        e.Grants.Select(g => g.AssignmentId).Should().Equal("1", "9", "10", "12");
    }

    [Fact]
    public void Activity_on_a_single_day_is_said_to_be_on_that_day()
    {
        using var f = new AgencyFixture().Unit("NAT").Unit("U", "NAT").Files("u", "U", 2).Role("read")
            .Principal("P", unit: "U", active: false).Principal("Q", unit: "U")
            .Assign("X1", "read", "P", scopeUnit: "U").Assign("X2", "read", "Q", scopeUnit: "U")
            .Caseload("u1", "P").Caseload("u2", "Q")
            .Event("P", "u1", "2026-06-20T09:00:00Z").Event("P", "u2", "2026-06-20T10:00:00Z")
            .Event("Q", "u2", "2026-06-18").Event("Q", "u2", "2026-06-20");
        var (exit, output, error) = AnalyzeCliTests.Run("analyze", "--source", f.WriteCsv(), "--as-of", "2026-06-30", "--format", "json");
        exit.Should().Be(0, error);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("findings").EnumerateArray().Select(x => x.GetProperty("message").GetString())
            .Should().Contain("Inactive account 'P' (staff, agency) made 2 accesses on 2026-06-20.");
    }

    [Fact]
    public void The_account_table_explains_its_caseload_ratio_column()
    {
        using var f = new AgencyFixture().Unit("NAT").Unit("U", "NAT").Files("u", "U", 4).Role("read").Principal("P", unit: "U")
            .Assign("X1", "read", "P", scopeUnit: "U").Caseload("u1", "P");
        var (exit, output, error) = AnalyzeCliTests.Run("analyze", "--source", f.WriteCsv(), "--as-of", "2026-06-30");
        exit.Should().Be(0, error);
        var lines = output.Split(Environment.NewLine);
        var legend = Array.FindIndex(lines, l => l.StartsWith("×caseload: files the account can open for each file of its own caseload", StringComparison.Ordinal));
        legend.Should().BePositive();
        lines[legend - 1].Should().StartWith("╰", "the legend sits right under the account table");
    }
}
