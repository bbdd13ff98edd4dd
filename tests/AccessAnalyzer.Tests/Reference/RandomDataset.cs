using System.Globalization;
using System.Text;

namespace AccessAnalyzer.Tests.Reference;

// One record per CSV row, every field kept as the exact string written to the file (booleans "true"/"false",
// dates "yyyy-MM-dd", empty string for an empty cell). Nothing is aggregated or resolved here.

public sealed record RefUnit(string Id, string ParentId, string Kind, string Name);

public sealed record RefPrincipal(
    string Id, string Kind, string Organization, string UnitId, string Name, string Active, string Mfa, string LastLogin);

public sealed record RefGroup(string Id, string Name);

public sealed record RefMembership(string GroupId, string MemberId, string MemberType);

public sealed record RefRole(string Id, string Name, string FileAccess, string Sensitive);

public sealed record RefAssignment(
    string Id, string RoleId, string HolderId, string HolderType, string Scope, string ScopeUnitId, string ValidUntil);

public sealed record RefFile(string Id, string UnitId, string Sensitive, string Closed);

public sealed record RefCaseload(string FileId, string PrincipalId);

public sealed record RefShare(string FileId, string PrincipalId, string ValidUntil);

public sealed record RefJustification(string SubjectType, string SubjectId, string Reason, string Owner, string Expires);

/// <summary>
/// A small canonical dataset, row by row, as it would be exported: the input of both the brute-force reference
/// and (through <see cref="WriteCsv"/>) the real CSV source. <see cref="Create"/> draws one at random from a seed,
/// with every edge the semantics name: forests, nested and cyclic groups, duplicated link rows, expired and
/// open-ended grants, dangling references, and ids that need CSV quoting.
/// </summary>
public sealed class RandomDataset
{
    public const string DateFormat = "yyyy-MM-dd";

    public int Seed { get; init; }

    public DateOnly AsOf { get; set; }

    public List<RefUnit> Units { get; } = [];
    public List<RefPrincipal> Principals { get; } = [];
    public List<RefGroup> Groups { get; } = [];
    public List<RefMembership> Memberships { get; } = [];
    public List<RefRole> Roles { get; } = [];
    public List<RefAssignment> Assignments { get; } = [];
    public List<RefFile> Files { get; } = [];
    public List<RefCaseload> Caseload { get; } = [];

    /// <summary>Rows of shares.csv, or null when the optional table is absent (no file written).</summary>
    public List<RefShare>? Shares { get; set; }

    /// <summary>Rows of justifications.csv, or null when the optional table is absent (no file written).</summary>
    public List<RefJustification>? Justifications { get; set; }

    public static string Date(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public override string ToString() =>
        $"seed {Seed}: as-of {Date(AsOf)}, {Units.Count} units, {Principals.Count} principals, {Groups.Count} groups, " +
        $"{Memberships.Count} memberships, {Roles.Count} roles, {Assignments.Count} assignments, {Files.Count} files, " +
        $"{Caseload.Count} caseload rows, {(Shares is null ? "no shares table" : $"{Shares.Count} share rows")}, " +
        $"{(Justifications is null ? "no justifications table" : $"{Justifications.Count} justification rows")}";

    public static RandomDataset Create(int seed) => new Generator(seed).Build();

    /// <summary>Writes the canonical CSV files (header row, UTF-8 without BOM, RFC 4180 quoting, CRLF) into <paramref name="directory"/>.</summary>
    public void WriteCsv(string directory)
    {
        Directory.CreateDirectory(directory);
        Write(directory, "org_units.csv", ["id", "parent_id", "kind", "name"],
            Units.Select(u => new[] { u.Id, u.ParentId, u.Kind, u.Name }));
        Write(directory, "principals.csv", ["id", "kind", "organization", "unit_id", "name", "active", "mfa", "last_login"],
            Principals.Select(p => new[] { p.Id, p.Kind, p.Organization, p.UnitId, p.Name, p.Active, p.Mfa, p.LastLogin }));
        Write(directory, "groups.csv", ["id", "name"], Groups.Select(g => new[] { g.Id, g.Name }));
        Write(directory, "memberships.csv", ["group_id", "member_id", "member_type"],
            Memberships.Select(m => new[] { m.GroupId, m.MemberId, m.MemberType }));
        Write(directory, "roles.csv", ["id", "name", "file_access", "sensitive"],
            Roles.Select(r => new[] { r.Id, r.Name, r.FileAccess, r.Sensitive }));
        Write(directory, "assignments.csv", ["id", "role_id", "holder_id", "holder_type", "scope", "scope_unit_id", "valid_until"],
            Assignments.Select(a => new[] { a.Id, a.RoleId, a.HolderId, a.HolderType, a.Scope, a.ScopeUnitId, a.ValidUntil }));
        Write(directory, "files.csv", ["id", "unit_id", "sensitive", "closed"],
            Files.Select(f => new[] { f.Id, f.UnitId, f.Sensitive, f.Closed }));
        Write(directory, "caseload.csv", ["file_id", "principal_id"], Caseload.Select(c => new[] { c.FileId, c.PrincipalId }));
        if (Shares is not null)
        {
            Write(directory, "shares.csv", ["file_id", "principal_id", "valid_until"],
                Shares.Select(s => new[] { s.FileId, s.PrincipalId, s.ValidUntil }));
        }

        if (Justifications is not null)
        {
            Write(directory, "justifications.csv", ["subject_type", "subject_id", "reason", "owner", "expires"],
                Justifications.Select(j => new[] { j.SubjectType, j.SubjectId, j.Reason, j.Owner, j.Expires }));
        }
    }

    /// <summary>RFC 4180: a field holding a comma, quote, CR or LF is quoted, with embedded quotes doubled.</summary>
    public static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static void Write(string directory, string fileName, string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', header)).Append("\r\n");
        foreach (var row in rows)
        {
            text.Append(string.Join(',', row.Select(CsvField))).Append("\r\n");
        }

        File.WriteAllText(Path.Combine(directory, fileName), text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private sealed class Generator(int seed)
    {
        private static readonly string[] UnitKinds = ["region", "agency", "team", "desk"];
        private static readonly string[] PrincipalKinds = ["staff", "partner", "service"];
        private static readonly string[] Organizations = ["France Travail", "Cap emploi, Paris", "Mission \"locale\"", "Région Île-de-France"];

        private static readonly string[] Names =
        [
            "Nord", "Agence \"Centre\"", "Lyon, Part-Dieu", "Éloïse Müller", "line one\nline two", "carriage\r\nreturn",
            "plain", "O'Brien", "  padded  ", "",
        ];

        private readonly Random _rng = new(seed);
        private readonly RandomDataset _d = new() { Seed = seed };
        private readonly HashSet<string> _usedMissing = new(StringComparer.Ordinal);

        public RandomDataset Build()
        {
            _d.AsOf = new DateOnly(2020, 1, 1).AddDays(_rng.Next(0, 11 * 365));

            var unitIds = Ids("u", _rng.Next(1, 41));
            var missingUnits = new[] { Missing("unit"), Missing("unit") };
            BuildUnits(unitIds);

            var principalIds = Ids("p", _rng.Next(0, 31));
            foreach (var id in principalIds)
            {
                _d.Principals.Add(new RefPrincipal(
                    id, Pick(PrincipalKinds), Pick(Organizations),
                    Chance(0.1) ? "" : Chance(0.1) ? Pick(missingUnits) : Pick(unitIds),
                    Pick(Names), Bool(Chance(0.8)), Bool(Chance(0.5)),
                    Chance(0.3) ? "" : Date(_d.AsOf.AddDays(-_rng.Next(0, 400)))));
            }

            var groupIds = Ids("g", _rng.Next(0, 16));
            foreach (var id in groupIds)
            {
                _d.Groups.Add(new RefGroup(id, Pick(Names)));
            }

            BuildMemberships(principalIds, groupIds);

            var roleIds = Ids("r", Chance(0.05) ? 0 : _rng.Next(1, 9));
            foreach (var id in roleIds)
            {
                _d.Roles.Add(new RefRole(id, Pick(Names), Bool(Chance(0.75)), Bool(Chance(0.5))));
            }

            BuildAssignments(unitIds, missingUnits, principalIds, groupIds, roleIds);

            var fileIds = Ids("f", Chance(0.05) ? 0 : _rng.Next(0, 301));
            foreach (var id in fileIds)
            {
                _d.Files.Add(new RefFile(id, Chance(0.06) ? Pick(missingUnits) : Pick(unitIds), Bool(Chance(0.3)), Bool(Chance(0.25))));
            }

            BuildCaseload(fileIds, principalIds);
            if (Chance(0.75))
            {
                BuildShares(fileIds, principalIds);
            }

            Shuffle(_d.Units);
            Shuffle(_d.Principals);
            Shuffle(_d.Groups);
            Shuffle(_d.Roles);
            Shuffle(_d.Assignments);
            Shuffle(_d.Files);
            BuildJustifications();
            return _d;
        }

        /// <summary>
        /// Justifications of roles, assignments and principals, in force, expiring on the as-of date, expired, or naming
        /// nothing. Drawn from a generator of their own, so the rest of each seed's dataset stays what it was.
        /// </summary>
        private void BuildJustifications()
        {
            var rng = new Random((seed * 7919) + 1);
            if (rng.NextDouble() < 0.3)
            {
                return; // no justifications table
            }

            var rows = new List<RefJustification>();
            for (var i = rng.Next(0, 7); i > 0; i--)
            {
                var type = rng.Next(3) switch { 0 => "role", 1 => "assignment", _ => "principal" };
                IReadOnlyList<string> ids = type switch
                {
                    "role" => [.. _d.Roles.Select(r => r.Id)],
                    "assignment" => [.. _d.Assignments.Select(a => a.Id)],
                    _ => [.. _d.Principals.Select(p => p.Id)],
                };
                var subject = ids.Count == 0 || rng.NextDouble() < 0.1 ? $"ghost-{type}-{i}" : ids[rng.Next(ids.Count)];
                var expires = rng.Next(3) switch
                {
                    0 => _d.AsOf.AddDays(-rng.Next(1, 400)),
                    1 => _d.AsOf,
                    _ => _d.AsOf.AddDays(rng.Next(1, 400)),
                };
                rows.Add(new RefJustification(type, subject, Pick(Names), "owner, \"DPO\"", Date(expires)));
            }

            _d.Justifications = rows;
        }

        private void BuildUnits(List<string> unitIds)
        {
            for (var i = 0; i < unitIds.Count; i++)
            {
                string parent;
                if (i == 0 || Chance(0.12))
                {
                    parent = ""; // a root: several roots make a forest
                }
                else if (Chance(0.03))
                {
                    parent = Missing("parent"); // an orphan: its parent is missing
                }
                else
                {
                    // Mostly recent units, so trees get deep as well as wide.
                    parent = unitIds[Chance(0.5) ? _rng.Next(Math.Max(0, i - 3), i) : _rng.Next(0, i)];
                }

                _d.Units.Add(new RefUnit(unitIds[i], parent, Pick(UnitKinds), Pick(Names)));
            }
        }

        private void BuildMemberships(List<string> principalIds, List<string> groupIds)
        {
            var rows = _d.Memberships;
            var count = groupIds.Count == 0 ? _rng.Next(0, 3) : _rng.Next(0, (groupIds.Count * 2) + principalIds.Count + 1);
            for (var i = 0; i < count; i++)
            {
                var groupId = groupIds.Count > 0 && Chance(0.92) ? Pick(groupIds) : Missing("group");
                if (Chance(0.5))
                {
                    // member is a principal; sometimes missing, sometimes a group's id under the wrong type
                    var memberId = principalIds.Count > 0 && Chance(0.9) ? Pick(principalIds)
                        : groupIds.Count > 0 && Chance(0.5) ? Pick(groupIds) : Missing("principal");
                    rows.Add(new RefMembership(groupId, memberId, "principal"));
                }
                else
                {
                    var memberId = groupIds.Count > 0 && Chance(0.9) ? Pick(groupIds)
                        : principalIds.Count > 0 && Chance(0.5) ? Pick(principalIds) : Missing("group");
                    rows.Add(new RefMembership(groupId, memberId, "group"));
                }
            }

            if (groupIds.Count > 0 && Chance(0.4))
            {
                var g = Pick(groupIds);
                rows.Add(new RefMembership(g, g, "group")); // a group containing itself
            }

            if (groupIds.Count > 1 && Chance(0.6))
            {
                // an explicit cycle g0 <- g1 <- ... <- gk <- g0
                var cycle = groupIds.OrderBy(_ => _rng.Next()).Take(_rng.Next(2, Math.Min(4, groupIds.Count) + 1)).ToList();
                for (var i = 0; i < cycle.Count; i++)
                {
                    rows.Add(new RefMembership(cycle[i], cycle[(i + 1) % cycle.Count], "group"));
                }
            }

            Duplicate(rows);
        }

        private void BuildAssignments(
            List<string> unitIds, string[] missingUnits, List<string> principalIds, List<string> groupIds, List<string> roleIds)
        {
            var ids = Ids("a", _rng.Next(0, 41));
            foreach (var id in ids)
            {
                var roleId = roleIds.Count > 0 && Chance(0.93) ? Pick(roleIds) : Missing("role");
                string holderType, holderId;
                if (Chance(0.5))
                {
                    holderType = "principal";
                    holderId = principalIds.Count > 0 && Chance(0.9) ? Pick(principalIds)
                        : groupIds.Count > 0 && Chance(0.5) ? Pick(groupIds) : Missing("holder");
                }
                else
                {
                    holderType = "group";
                    holderId = groupIds.Count > 0 && Chance(0.9) ? Pick(groupIds)
                        : principalIds.Count > 0 && Chance(0.5) ? Pick(principalIds) : Missing("holder");
                }

                string scope, scopeUnit;
                if (Chance(0.7))
                {
                    scope = "unit";
                    scopeUnit = Chance(0.92) ? Pick(unitIds) : Pick(missingUnits);
                }
                else
                {
                    scope = "caseload";
                    // scope_unit_id only matters for unit scope; a stray value must be ignored.
                    scopeUnit = Chance(0.8) ? "" : Chance(0.5) ? Pick(unitIds) : Pick(missingUnits);
                }

                _d.Assignments.Add(new RefAssignment(id, roleId, holderId, holderType, scope, scopeUnit, ValidUntil()));
            }
        }

        private void BuildCaseload(List<string> fileIds, List<string> principalIds)
        {
            var rows = _d.Caseload;
            if (fileIds.Count > 0)
            {
                foreach (var p in principalIds)
                {
                    if (Chance(0.75))
                    {
                        var n = _rng.Next(0, 16);
                        for (var i = 0; i < n; i++)
                        {
                            rows.Add(new RefCaseload(Pick(fileIds), p));
                        }
                    }
                }

                // files held in several caseloads
                for (var i = 0; i < 5 && principalIds.Count > 1; i++)
                {
                    var f = Pick(fileIds);
                    rows.Add(new RefCaseload(f, Pick(principalIds)));
                    rows.Add(new RefCaseload(f, Pick(principalIds)));
                }

                // dangling principal
                for (var i = _rng.Next(0, 3); i > 0; i--)
                {
                    rows.Add(new RefCaseload(Pick(fileIds), Missing("principal")));
                }
            }

            // dangling file
            for (var i = _rng.Next(0, 3); i > 0 && principalIds.Count > 0; i--)
            {
                rows.Add(new RefCaseload(Missing("file"), Pick(principalIds)));
            }

            Duplicate(rows);
            Shuffle(rows);
        }

        private void BuildShares(List<string> fileIds, List<string> principalIds)
        {
            var rows = new List<RefShare>();
            _d.Shares = rows;
            if (fileIds.Count > 0 && principalIds.Count > 0)
            {
                var n = _rng.Next(0, 41);
                for (var i = 0; i < n; i++)
                {
                    if (_d.Caseload.Count > 0 && Chance(0.3))
                    {
                        // a share of a file already in the principal's own caseload
                        var own = Pick(_d.Caseload);
                        rows.Add(new RefShare(own.FileId, own.PrincipalId, ValidUntil()));
                    }
                    else
                    {
                        rows.Add(new RefShare(Pick(fileIds), Pick(principalIds), ValidUntil()));
                    }
                }

                for (var i = _rng.Next(0, 4); i > 0; i--)
                {
                    // one (file, principal) pair with two different dates: in force if either row is
                    var file = Pick(fileIds);
                    var principal = Pick(principalIds);
                    var first = ValidUntil();
                    string second;
                    do
                    {
                        second = ValidUntil();
                    }
                    while (second == first);
                    rows.Add(new RefShare(file, principal, first));
                    rows.Add(new RefShare(file, principal, second));
                }

                for (var i = _rng.Next(0, 3); i > 0; i--)
                {
                    rows.Add(new RefShare(Missing("file"), Pick(principalIds), ValidUntil()));
                    rows.Add(new RefShare(Pick(fileIds), Missing("principal"), ValidUntil()));
                }
            }

            Duplicate(rows);
            Shuffle(rows);
        }

        /// <summary>Empty (forever), before, equal to, or after the as-of date.</summary>
        private string ValidUntil() => _rng.Next(4) switch
        {
            0 => "",
            1 => Date(_d.AsOf.AddDays(-_rng.Next(1, 400))),
            2 => Date(_d.AsOf),
            _ => Date(_d.AsOf.AddDays(_rng.Next(1, 400))),
        };

        /// <summary>Unique ids for one table. A fifth share the prefix "x", so a principal and a group can have the same id.</summary>
        private List<string> Ids(string prefix, int count)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var ids = new List<string>(count);
            for (var n = 1; ids.Count < count; n++)
            {
                var id = Decorate((Chance(0.2) ? "x" : prefix) + n.ToString(CultureInfo.InvariantCulture));
                if (seen.Add(id))
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        /// <summary>An id guaranteed not to exist in any table (no generated id starts with "missing").</summary>
        private string Missing(string what)
        {
            string id;
            do
            {
                id = Decorate("missing " + what + _rng.Next(1000).ToString(CultureInfo.InvariantCulture));
            }
            while (!_usedMissing.Add(id) && Chance(0.5)); // reusing a missing id now and then is fine too
            return id;
        }

        private string Decorate(string core)
        {
            var id = _rng.Next(14) switch
            {
                0 => core + ", Paris",
                1 => "\"" + core + "\"",
                2 => core + " é",
                3 => "Ü " + core + " \"q\"",
                4 => core + "-Åß,\"",
                5 => "agence " + core + " (Saint-Étienne)",
                6 => (core + "-").PadRight(61, 'z') + "éàç",
                _ => core,
            };
            return id.Length <= 64 ? id : id[..64];
        }

        private void Duplicate<T>(List<T> rows)
        {
            for (var i = rows.Count > 0 ? _rng.Next(0, 6) : 0; i > 0; i--)
            {
                rows.Add(Pick(rows));
            }
        }

        private void Shuffle<T>(List<T> rows)
        {
            for (var i = rows.Count - 1; i > 0; i--)
            {
                var j = _rng.Next(i + 1);
                (rows[i], rows[j]) = (rows[j], rows[i]);
            }
        }

        private bool Chance(double p) => _rng.NextDouble() < p;

        private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];
    }
}
