using System.Text;
using AccessAnalyzer.Core.Engine;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Tests.Fixtures;

/// <summary>
/// A hand-built agency, written as canonical CSV files into a temporary directory and read back through the real
/// CSV source, so semantic tests exercise the same path as the CLI. Rows are written exactly as added.
/// </summary>
internal sealed class AgencyFixture : IDisposable
{
    private readonly Dictionary<string, (string Header, List<string[]> Rows)> _tables = new()
    {
        ["org_units"] = ("id,parent_id,kind,name", []),
        ["principals"] = ("id,kind,organization,unit_id,name,active,mfa,last_login", []),
        ["groups"] = ("id,name", []),
        ["memberships"] = ("group_id,member_id,member_type", []),
        ["roles"] = ("id,name,file_access,sensitive", []),
        ["assignments"] = ("id,role_id,holder_id,holder_type,scope,scope_unit_id,valid_until", []),
        ["files"] = ("id,unit_id,sensitive,closed", []),
        ["caseload"] = ("file_id,principal_id", []),
    };

    public static readonly DateOnly AsOf = new(2026, 6, 30);

    public AgencyFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "aa-fixture-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public AgencyFixture Unit(string id, string? parent = null, string kind = "agency", string? name = null) =>
        Row("org_units", id, parent ?? "", kind, name ?? "Unit " + id);

    public AgencyFixture Principal(string id, string kind = "staff", string unit = "", bool active = true, bool mfa = true, string organization = "agency", string lastLogin = "") =>
        Row("principals", id, kind, organization, unit, "Person " + id, B(active), B(mfa), lastLogin);

    public AgencyFixture Policy(string organization, int lockoutThreshold, bool mfaRequired)
    {
        if (!_tables.ContainsKey("account_policy"))
        {
            _tables["account_policy"] = ("organization,lockout_threshold,mfa_required", []);
        }

        return Row("account_policy", organization, lockoutThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture), B(mfaRequired));
    }

    /// <summary>A justifications row, written as given (subject_type and expires unchecked, so bad values can be tested).</summary>
    public AgencyFixture Justify(string subjectType, string subjectId, string expires, string reason = "audit", string owner = "dpo")
    {
        if (!_tables.ContainsKey("justifications"))
        {
            _tables["justifications"] = ("subject_type,subject_id,reason,owner,expires", []);
        }

        return Row("justifications", subjectType, subjectId, reason, owner, expires);
    }

    public AgencyFixture Group(string id) => Row("groups", id, "Group " + id);

    public AgencyFixture Member(string group, string member, string type = "principal") => Row("memberships", group, member, type);

    public AgencyFixture Role(string id, bool fileAccess = true, bool sensitive = false, string? name = null) =>
        Row("roles", id, name ?? "Role " + id, B(fileAccess), B(sensitive));

    public AgencyFixture Assign(string id, string role, string holder, string holderType = "principal", string scope = "unit", string scopeUnit = "", string validUntil = "") =>
        Row("assignments", id, role, holder, holderType, scope, scopeUnit, validUntil);

    public AgencyFixture File(string id, string unit, bool sensitive = false, bool closed = false) => Row("files", id, unit, B(sensitive), B(closed));

    /// <summary>Adds <paramref name="count"/> files named <c>{prefix}1..N</c> in a unit.</summary>
    public AgencyFixture Files(string prefix, string unit, int count, bool sensitive = false, bool closed = false)
    {
        for (var i = 1; i <= count; i++)
        {
            File(prefix + i, unit, sensitive, closed);
        }

        return this;
    }

    public AgencyFixture Caseload(string file, string principal) => Row("caseload", file, principal);

    public AgencyFixture Share(string file, string principal, string validUntil = "")
    {
        if (!_tables.ContainsKey("shares"))
        {
            _tables["shares"] = ("file_id,principal_id,valid_until", []);
        }

        return Row("shares", file, principal, validUntil);
    }

    /// <summary>An access event; <paramref name="at"/> is written as given (ISO date or date-time).</summary>
    public AgencyFixture Event(string principal, string file, string at, string action = "read")
    {
        if (!_tables.ContainsKey("access_events"))
        {
            _tables["access_events"] = ("principal_id,file_id,at,action", []);
        }

        return Row("access_events", principal, file, at, action);
    }

    public AgencyFixture Row(string table, params string[] fields)
    {
        _tables[table].Rows.Add(fields);
        return this;
    }

    /// <summary>Writes every table as CSV (overwriting), then returns the directory.</summary>
    public string WriteCsv()
    {
        foreach (var (table, (header, rows)) in _tables)
        {
            var text = new StringBuilder(header).Append('\n');
            foreach (var row in rows)
            {
                text.Append(string.Join(',', row.Select(Quote))).Append('\n');
            }

            System.IO.File.WriteAllText(Path.Combine(Directory, table + ".csv"), text.ToString(), new UTF8Encoding(false));
        }

        return Directory;
    }

    public Snapshot Load() => TestSources.Load(WriteCsv());

    public Analysis Analyze(DateOnly? asOf = null) => Analysis.Run(Load(), new AnalysisOptions { AsOf = asOf ?? AsOf });

    public AnalysisReport Report(ReportOptions? options = null, DateOnly? asOf = null) =>
        ReportBuilder.Build(Analyze(asOf), options ?? new ReportOptions());

    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static string B(bool value) => value ? "true" : "false";

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}

internal static class ExposureResultExtensions
{
    public static PrincipalExposure Of(this Analysis result, string principalId)
    {
        var index = result.Snapshot.Principals.Ids.IndexOf(principalId);
        index.Should().BeGreaterThanOrEqualTo(0, $"principal {principalId} should exist");
        return result.Principals[index];
    }
}
