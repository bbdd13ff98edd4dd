using System.Globalization;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Demo;

/// <summary>
/// Generates a synthetic employment agency shaped like the real one (national → regions → departments → agencies;
/// staff advisors with caseloads, partner advisors of a second organisation, managers, service accounts) and plants
/// the failures of the France Travail breach so that the analyzer has something true to find.
/// <para>
/// Deterministic: the only source of variation is <c>new Random(options.Seed)</c>, drawn in a fixed order, so the same
/// options write the same rows in the same order. Streaming: the small tables are planned in memory (about 11,000
/// principals at medium scale); files, caseload, shares and access events are generated one agency at a time and
/// written straight through, so memory stays flat whatever the number of files.
/// </para>
/// </summary>
public static class DemoGenerator
{
    /// <summary>About how many distinct ids a scale writes (file ids above all): sizes a writer's id table once.</summary>
    public static int ExpectedIds(DemoScale scale) => DemoGeneration.ExpectedIds(scale);

    /// <summary>
    /// Writes the whole dataset to every writer (same rows, same order), calls <see cref="ICanonicalWriter.Complete"/>
    /// on each, and returns the counts and the planted cases. The caller still owns and disposes the writers.
    /// </summary>
    public static DemoSummary Generate(DemoOptions options, IReadOnlyList<ICanonicalWriter> writers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(writers);
        if (writers.Count == 0)
        {
            throw new ArgumentException("At least one writer is required.", nameof(writers));
        }

        ICanonicalWriter sink = writers.Count == 1 ? writers[0] : new FanOutWriter(writers);
        var counting = new CountingWriter(sink);
        var summary = new DemoGeneration(options, counting).Run();
        foreach (var writer in writers)
        {
            writer.Complete();
        }

        return summary;
    }
}

/// <summary>One generation run: the plan (org, people, groups) and the per-agency streaming of the big tables.</summary>
internal sealed class DemoGeneration
{
    private const string AgencyOrganization = "agency";
    private const string PartnerOrganization = "capemploi";
    private const string NationalId = "NAT";

    private const double SensitiveShare = 0.10;      // health / disability files
    private const double ClosedShare = 0.20;         // closed files: retention, never in a caseload
    private const double AgencyConsultationShare = 0.6; // agencies whose staff group may read the whole agency
    private const double HealthAdvisorShare = 0.6;   // departments with a work psychologist
    private const double NeighbourShare = 0.3;       // advisors following a few files of a neighbouring agency
    private const double PartnerShare = 0.042;       // partner advisors per staff member (2,300 / 55,000)
    private const double BulkReadShare = 0.3;        // files of the planted region read by the bulk reader
    private const int LogDays = 200;                 // the access log covers more than the 6 months a regulator expects
    private const int LeakFilesPerDay = 300;         // the slow leak: far above peers, below the absolute mass-read threshold
    private const int LeakDays = 15;                 // working days of the slow leak
    private const int LeakStartsDaysBefore = 45;     // the leak starts this many days before the as-of date
    private const double CoverShare = 0.06;          // France: advisors with a temporary agency-wide cover grant
    private const double TrainingShare = 0.6;        // France: staff with the training portal role

    private static readonly TimeOnly WorkdayStart = new(8, 0);

    private readonly DemoOptions _options;
    private readonly Profile _profile;
    private readonly CountingWriter _w;
    private readonly Random _rng;
    private readonly DateOnly _asOf;

    private readonly List<Region> _regions = [];
    private readonly List<Department> _departments = [];
    private readonly List<Agency> _agencies = [];
    private readonly List<Person> _people = [];
    private readonly List<Person> _advisors = [];
    private readonly List<Person> _partners = [];
    private int _staffNo;
    private int _partnerNo;
    private int _assignmentNo;

    public DemoGeneration(DemoOptions options, CountingWriter writer)
    {
        _options = options;
        _profile = Profile.For(options.Scale);
        _w = writer;
        _rng = new Random(options.Seed);
        _asOf = options.AsOf;
    }

    public DemoSummary Run()
    {
        PlanOrganisation();
        PlanPeople();

        // Planted cases, chosen once the population exists.
        var partnerRegion = PickPartnerRegion();
        var bulkReader = partnerRegion.Partners[0];
        _leaker = partnerRegion.Partners[1];
        _leakDays = WorkingDays(_asOf.AddDays(-LeakStartsDaysBefore), LeakDays);
        _leakPerAgency = (LeakFilesPerDay + _agencies.Count(a => a.Department.Region == partnerRegion) - 1)
            / Math.Max(1, _agencies.Count(a => a.Department.Region == partnerRegion));
        var cycleAgency = _agencies[_rng.Next(_agencies.Count)];
        var cycleMembers = cycleAgency.Advisors.Take(2).ToArray();
        var actingManager = cycleAgency.Advisors[2];
        var helpdesk = PickDistinctAdvisors(3, [.. cycleMembers, actingManager]);
        var formerDirectors = Enumerable.Range(0, 3).Select(_ => AddFormerStaff("Former agency director", _agencies[_rng.Next(_agencies.Count)].Id)).ToArray();
        var formerManagers = Enumerable.Range(0, 2).Select(_ => AddFormerStaff("Former department manager", _departments[_rng.Next(_departments.Count)].Id)).ToArray();
        var cleanedUp = Enumerable.Range(0, 3).Select(_ => AddFormerStaff("Departed staff member", _agencies[_rng.Next(_agencies.Count)].Id)).ToArray();
        var batch = AddService("svc-batch-stats", "Statistics batch");
        var directorySync = AddService("svc-directory-sync", "Directory synchronisation");
        var notifications = AddService("svc-notifications", "Notification sender");
        var (expiredShares, sharesInForce) = PlanShares();

        WriteOrgUnits();
        WriteRoles();

        // Groups.
        const string allStaff = "grp-all-staff";
        const string partnersNational = "grp-partners-capemploi";
        string[] nested = ["grp-helpdesk-team", "grp-helpdesk", "grp-national-consultation"];
        string[] cycle = ["grp-cycle-1", "grp-cycle-2", "grp-cycle-3"];
        _w.WriteGroup(allStaff, "All staff");
        foreach (var region in _regions)
        {
            _w.WriteGroup(RegionGroup(region), "Staff of " + region.Name);
            foreach (var department in region.Departments)
            {
                _w.WriteGroup(DepartmentGroup(department), "Staff of " + department.Name);
                _w.WriteGroup(ManagersGroup(department), "Managers of " + department.Name);
                foreach (var agency in department.Agencies)
                {
                    _w.WriteGroup(AgencyGroup(agency), "Staff of " + agency.Name);
                    for (var t = 0; t < _profile.Teams; t++)
                    {
                        _w.WriteGroup(TeamGroup(agency, t), "Team " + (t + 1).ToString(CultureInfo.InvariantCulture) + ", " + agency.Name);
                    }
                }
            }
        }

        _w.WriteGroup(partnersNational, "Cap emploi partner advisors");
        foreach (var region in _regions)
        {
            _w.WriteGroup(PartnerGroup(region), "Cap emploi partner advisors, " + region.Name);
        }

        _w.WriteGroup(nested[0], "Helpdesk team");
        _w.WriteGroup(nested[1], "Helpdesk");
        _w.WriteGroup(nested[2], "National consultation");
        _w.WriteGroup(cycle[0], "Job fair project, organisers");
        _w.WriteGroup(cycle[1], "Job fair project, contributors");
        _w.WriteGroup(cycle[2], "Job fair project, steering");

        foreach (var person in _people)
        {
            _w.WritePrincipal(person.Id, person.Kind, person.Organization, person.UnitId, person.Name, person.Active, person.Mfa, person.LastLogin);
        }

        // Memberships: agency groups in department groups in region groups in all-staff. Only caseload-scope and
        // no-file-access roles sit on the nested org groups, so nesting alone never widens anybody's reach.
        foreach (var region in _regions)
        {
            _w.WriteMembership(allStaff, RegionGroup(region), MemberType.Group);
            _w.WriteMembership(RegionGroup(region), region.Director.Id, MemberType.Principal);
            _w.WriteMembership(RegionGroup(region), region.Hr.Id, MemberType.Principal);
            foreach (var department in region.Departments)
            {
                _w.WriteMembership(RegionGroup(region), DepartmentGroup(department), MemberType.Group);
                _w.WriteMembership(DepartmentGroup(department), department.Manager.Id, MemberType.Principal);
                _w.WriteMembership(ManagersGroup(department), department.Manager.Id, MemberType.Principal);
                if (department.Health is { } health)
                {
                    _w.WriteMembership(DepartmentGroup(department), health.Id, MemberType.Principal);
                }

                foreach (var agency in department.Agencies)
                {
                    _w.WriteMembership(DepartmentGroup(department), AgencyGroup(agency), MemberType.Group);
                    _w.WriteMembership(AgencyGroup(agency), agency.Director.Id, MemberType.Principal);
                    if (_profile.Teams > 0)
                    {
                        // Advisors sit in teams, teams in the agency group: one more level of nesting.
                        for (var t = 0; t < _profile.Teams; t++)
                        {
                            _w.WriteMembership(AgencyGroup(agency), TeamGroup(agency, t), MemberType.Group);
                        }

                        for (var i = 0; i < agency.Advisors.Count; i++)
                        {
                            _w.WriteMembership(TeamGroup(agency, i % _profile.Teams), agency.Advisors[i].Id, MemberType.Principal);
                        }
                    }
                    else
                    {
                        foreach (var advisor in agency.Advisors)
                        {
                            _w.WriteMembership(AgencyGroup(agency), advisor.Id, MemberType.Principal);
                        }
                    }
                }
            }
        }

        foreach (var region in _regions)
        {
            _w.WriteMembership(partnersNational, PartnerGroup(region), MemberType.Group);
            foreach (var partner in region.Partners)
            {
                _w.WriteMembership(PartnerGroup(region), partner.Id, MemberType.Principal);
            }
        }

        foreach (var member in helpdesk)
        {
            _w.WriteMembership(nested[0], member.Id, MemberType.Principal);
        }

        _w.WriteMembership(nested[1], nested[0], MemberType.Group);
        _w.WriteMembership(nested[2], nested[1], MemberType.Group);

        foreach (var member in cycleMembers)
        {
            _w.WriteMembership(cycle[0], member.Id, MemberType.Principal);
        }

        _w.WriteMembership(cycle[1], cycle[0], MemberType.Group);
        _w.WriteMembership(cycle[2], cycle[1], MemberType.Group);
        _w.WriteMembership(cycle[0], cycle[2], MemberType.Group);

        // Assignments.
        Assign("staff-self-service", allStaff, HolderType.Group, NationalId);
        string? regionalSupervision = null;
        foreach (var region in _regions)
        {
            var supervision = Assign("regional-supervision", region.Director.Id, HolderType.Principal, region.Id);
            regionalSupervision ??= supervision;
            Assign("hr-admin", region.Hr.Id, HolderType.Principal, region.Id);
            foreach (var department in region.Departments)
            {
                Assign("department-supervision", ManagersGroup(department), HolderType.Group, department.Id);
                if (department.Health is { } health)
                {
                    Assign("health-advisor", health.Id, HolderType.Principal, department.Id);
                }

                foreach (var agency in department.Agencies)
                {
                    Assign("advisor", AgencyGroup(agency), HolderType.Group, scopeUnitId: null);
                    if (agency.UnitConsultation)
                    {
                        Assign("agency-consultation", AgencyGroup(agency), HolderType.Group, agency.Id);
                    }
                }
            }
        }

        Assign("partner-advisor", partnersNational, HolderType.Group, scopeUnitId: null);
        var regionalAssignment = Assign("regional-consultation", PartnerGroup(partnerRegion), HolderType.Group, partnerRegion.Id);
        var nationalAssignment = Assign("national-consultation", nested[2], HolderType.Group, NationalId);
        var cycleAssignment = Assign("department-supervision", cycle[2], HolderType.Group, cycleAgency.Department.Id);
        foreach (var former in formerDirectors)
        {
            Assign("agency-consultation", former.Id, HolderType.Principal, former.UnitId);
        }

        foreach (var former in formerManagers)
        {
            Assign("department-supervision", former.Id, HolderType.Principal, former.UnitId);
        }

        var expiredAssignment = Assign("national-consultation", partnersNational, HolderType.Group, NationalId, _asOf.AddDays(-200));
        var futureAssignment = Assign("department-supervision", actingManager.Id, HolderType.Principal, cycleAgency.Department.Id, _asOf.AddDays(45));
        Assign("statistics-extract", batch.Id, HolderType.Principal, NationalId);
        Assign("directory-sync", directorySync.Id, HolderType.Principal, NationalId);
        Assign("notification-sender", notifications.Id, HolderType.Principal, NationalId);
        if (_profile.DirectGrants)
        {
            AssignDirectGrants();
        }

        _w.WriteAccountPolicy(AgencyOrganization, 5, mfaRequired: true);
        _w.WriteAccountPolicy(PartnerOrganization, 50, mfaRequired: false);

        // Justifications, dated from the as-of date so that each stays in force (or expired) whatever day the demo is for.
        _w.WriteJustification(JustificationSubject.Assignment, regionalSupervision!,
            "Regional director: supervises the files of every agency in the region", "Directorate general", _asOf.AddDays(365));
        _w.WriteJustification(JustificationSubject.Principal, batch.Id,
            "National statistics extract under the data-sharing agreement with the statistics office", "Data protection officer", _asOf.AddDays(180));
        _w.WriteJustification(JustificationSubject.Assignment, expiredAssignment,
            "Cap emploi national consultation pilot", "Partnerships department", _asOf.AddDays(-200));

        // The big tables, one agency at a time.
        var bulkReads = 0;
        _dormantReader = formerDirectors.Concat(formerManagers).FirstOrDefault();
        var dormantReaderId = _dormantReader?.Id;
        foreach (var agency in _agencies)
        {
            bulkReads += StreamAgency(agency, agency.Department.Region == partnerRegion ? bulkReader : null, bulkReads);
            if (agency.Department.Region == partnerRegion)
            {
                WriteLeak(agency);
            }
        }

        return new DemoSummary
        {
            Options = _options,
            Counts = _w.Counts(),
            NationalUnitId = NationalId,
            PartnerRegionId = partnerRegion.Id,
            PartnerRegionalGroupId = PartnerGroup(partnerRegion),
            PartnerRegionalAssignmentId = regionalAssignment,
            PartnerRegionalMemberIds = partnerRegion.Partners.Select(p => p.Id).ToArray(),
            NestedConsultationGroupIds = nested,
            NationalConsultationAssignmentId = nationalAssignment,
            NationalConsultationMemberIds = helpdesk.Select(p => p.Id).ToArray(),
            CycleGroupIds = cycle,
            CycleAssignmentId = cycleAssignment,
            CycleMemberIds = cycleMembers.Select(p => p.Id).ToArray(),
            DormantAccountIds = formerDirectors.Concat(formerManagers).Select(p => p.Id).ToArray(),
            InactiveWithoutAccessIds = cleanedUp.Select(p => p.Id).ToArray(),
            PartnerAccountsWithoutMfaIds = _partners.Where(p => !p.Mfa).Select(p => p.Id).ToArray(),
            ExpiredAssignmentId = expiredAssignment,
            FutureAssignmentId = futureAssignment,
            FutureAssignmentHolderId = actingManager.Id,
            ExpiredShares = expiredShares,
            SharesInForce = sharesInForce,
            NationalServiceAccountId = batch.Id,
            JustifiedAssignmentId = regionalSupervision!,
            JustifiedPrincipalId = batch.Id,
            ExpiredJustificationAssignmentId = expiredAssignment,
            BulkReaderId = bulkReader.Id,
            BulkReadEvents = bulkReads,
            BulkReadDay = _asOf.AddDays(-3),
            LeakerId = _leaker.Id,
            LeakDays = _leakDays,
            DormantReaderId = dormantReaderId,
        };
    }

    // ---- Plan -------------------------------------------------------------------------------------------------

    private void PlanOrganisation()
    {
        var regionCount = _profile.MetroDepartments.Length + _profile.OverseasRegions;
        for (var r = 0; r < regionCount; r++)
        {
            var overseas = r >= _profile.MetroDepartments.Length;
            var number = (r + 1).ToString("D2", CultureInfo.InvariantCulture);
            var region = new Region("R" + number, (overseas ? "Overseas region " : "Region ") + number);
            _regions.Add(region);
            var departmentCount = overseas ? 1 : _profile.MetroDepartments[r];
            for (var d = 0; d < departmentCount; d++)
            {
                var dNumber = (d + 1).ToString("D2", CultureInfo.InvariantCulture);
                var department = new Department(region.Id + "-D" + dNumber, "Department " + number + "-" + dNumber, region)
                {
                    HasHealthAdvisor = _rng.NextDouble() < HealthAdvisorShare,
                };
                region.Departments.Add(department);
                _departments.Add(department);
                var agencyCount = _rng.Next(_profile.MinAgencies, _profile.MaxAgencies + 1);
                for (var a = 0; a < agencyCount; a++)
                {
                    var aNumber = (a + 1).ToString("D2", CultureInfo.InvariantCulture);
                    var agency = new Agency(department.Id + "-A" + aNumber, "Agency " + number + "-" + dNumber + "-" + aNumber, department)
                    {
                        FileCount = _rng.Next(_profile.MinFiles, _profile.MaxFiles + 1),
                        AdvisorCount = _rng.Next(_profile.MinAdvisors, _profile.MaxAdvisors + 1),
                        UnitConsultation = _rng.NextDouble() < AgencyConsultationShare,
                    };
                    department.Agencies.Add(agency);
                    _agencies.Add(agency);
                }
            }
        }

        // Guarantee the scale's minimum number of files by spreading any shortfall evenly.
        long files = _agencies.Sum(a => (long)a.FileCount);
        if (files < _profile.MinTotalFiles)
        {
            var deficit = _profile.MinTotalFiles - files;
            for (var i = 0; i < _agencies.Count; i++)
            {
                _agencies[i].FileCount += (int)(deficit / _agencies.Count + (i < deficit % _agencies.Count ? 1 : 0));
            }
        }

        long next = 1;
        foreach (var agency in _agencies)
        {
            agency.FileStart = next;
            next += agency.FileCount;
        }

        // Guarantee the scale's minimum number of principals by adding advisors round the agencies.
        var topUp = 0;
        while (PlannedPrincipals() < _profile.MinTotalPrincipals)
        {
            _agencies[topUp++ % _agencies.Count].AdvisorCount++;
        }
    }

    private int PlannedStaff() =>
        (2 * _regions.Count) + _departments.Count + _departments.Count(d => d.HasHealthAdvisor) +
        _agencies.Count + _agencies.Sum(a => a.AdvisorCount) + 8; // 5 dormant + 3 cleaned-up former staff

    private int PlannedPartners() => (int)Math.Ceiling(PlannedStaff() * PartnerShare);

    private int PlannedPrincipals() => PlannedStaff() + PlannedPartners() + 3; // 3 service accounts

    private void PlanPeople()
    {
        foreach (var region in _regions)
        {
            region.Director = AddStaff("Regional director", region.Id);
            region.Hr = AddStaff("HR administrator", region.Id);
            foreach (var department in region.Departments)
            {
                department.Manager = AddStaff("Department manager", department.Id);
                if (department.HasHealthAdvisor)
                {
                    department.Health = AddStaff("Work psychologist", department.Id);
                }

                foreach (var agency in department.Agencies)
                {
                    agency.Director = AddStaff("Agency director", agency.Id);
                    for (var i = 0; i < agency.AdvisorCount; i++)
                    {
                        var advisor = AddStaff("Advisor", agency.Id);
                        _advisors.Add(advisor);
                        agency.Advisors.Add(advisor);
                        var caseload = _profile.CoverOpenFiles ? 0 : CaseloadSize();
                        if (_profile.CoverOpenFiles)
                        {
                            // Share of the agency's open files: every open file is in exactly one advisor's caseload.
                            advisor.Weight = 0.5 + _rng.NextDouble();
                        }

                        var siblings = department.Agencies.Count;
                        if (siblings > 1 && _rng.NextDouble() < NeighbourShare)
                        {
                            var neighbour = department.Agencies[_rng.Next(siblings - 1)];
                            if (neighbour == agency)
                            {
                                neighbour = department.Agencies[siblings - 1];
                            }

                            var few = 1 + _rng.Next(15);
                            neighbour.CaseloadRequests.Add(new CaseloadRequest(advisor, few));
                            caseload = Math.Max(0, caseload - few);
                        }

                        advisor.OwnCaseload = caseload;
                    }
                }
            }
        }

        // Partner advisors, round the departments; each follows files of its department's agencies.
        var partners = PlannedPartners();
        for (var i = 0; i < partners; i++)
        {
            var department = _departments[i % _departments.Count];
            var partner = AddPerson(PrincipalKind.Partner, "C" + (++_partnerNo).ToString("D5", CultureInfo.InvariantCulture), PartnerOrganization, department.Id, "Partner advisor " + _partnerNo);
            _partners.Add(partner);
            department.Region.Partners.Add(partner);
            var total = 100 + _rng.Next(201);
            var agencies = department.Agencies;
            for (var a = 0; a < agencies.Count; a++)
            {
                var share = (total / agencies.Count) + (a < total % agencies.Count ? 1 : 0);
                agencies[a].CaseloadRequests.Add(new CaseloadRequest(partner, share));
            }
        }
    }

    /// <summary>100 to 600 files, most advisors near the low end (mean about 267).</summary>
    private int CaseloadSize()
    {
        var u = _rng.NextDouble();
        return 100 + (int)(500 * u * u);
    }

    private Person AddStaff(string title, string unitId)
    {
        var number = ++_staffNo;
        var person = AddPerson(PrincipalKind.Staff, "S" + number.ToString("D6", CultureInfo.InvariantCulture), AgencyOrganization, unitId, title + " " + number);
        person.Mfa = _rng.NextDouble() < 0.97;
        return person;
    }

    private Person AddFormerStaff(string title, string unitId)
    {
        var person = AddStaff(title, unitId);
        person.Active = false;
        person.LastLogin = _asOf.AddDays(-(400 + _rng.Next(700)));
        return person;
    }

    private Person AddService(string id, string name)
    {
        var person = AddPerson(PrincipalKind.Service, id, AgencyOrganization, NationalId, name);
        person.Mfa = false;
        person.LastLogin = _asOf;
        return person;
    }

    private Person AddPerson(PrincipalKind kind, string id, string organization, string unitId, string name)
    {
        var person = new Person(id, kind, organization, unitId, name)
        {
            Active = true,
            // Partners: most without MFA (their organisation's policy does not require it).
            Mfa = kind == PrincipalKind.Partner && _rng.NextDouble() < 0.2,
            LastLogin = _asOf.AddDays(-_rng.Next(30)),
        };
        _people.Add(person);
        return person;
    }

    private Region PickPartnerRegion()
    {
        var candidates = _regions.Where(r => r.Partners.Count >= 2).ToArray();
        var region = candidates[_rng.Next(candidates.Length)];

        // The partners of the exposed region are the phished kind: none has MFA.
        foreach (var partner in region.Partners)
        {
            partner.Mfa = false;
        }

        return region;
    }

    private Person[] PickDistinctAdvisors(int count, Person[] excluded)
    {
        var picked = new List<Person>(count);
        while (picked.Count < count)
        {
            var candidate = _advisors[_rng.Next(_advisors.Count)];
            if (!picked.Contains(candidate) && !excluded.Contains(candidate))
            {
                picked.Add(candidate);
            }
        }

        return [.. picked];
    }

    /// <summary>Files shared to an advisor of another agency; a third expired, a third dated in the future, a third open-ended.</summary>
    private (int Expired, int InForce) PlanShares()
    {
        int expired = 0, inForce = 0;
        for (var s = 0; s < _profile.Shares; s++)
        {
            var source = _agencies[_rng.Next(_agencies.Count)];
            Person target;
            do
            {
                target = _advisors[_rng.Next(_advisors.Count)];
            }
            while (target.UnitId == source.Id);

            DateOnly? validUntil = (s % 3) switch
            {
                0 => _asOf.AddDays(-(1 + _rng.Next(365))),
                1 => _asOf.AddDays(1 + _rng.Next(180)),
                _ => null,
            };
            if (s % 3 == 0)
            {
                expired++;
            }
            else
            {
                inForce++;
            }

            source.Shares.Add(new ShareRequest(target, validUntil));
        }

        return (expired, inForce);
    }

    // ---- Small tables -----------------------------------------------------------------------------------------

    private void WriteOrgUnits()
    {
        _w.WriteOrgUnit(NationalId, null, "national", "National directorate");
        foreach (var region in _regions)
        {
            _w.WriteOrgUnit(region.Id, NationalId, "region", region.Name);
            foreach (var department in region.Departments)
            {
                _w.WriteOrgUnit(department.Id, region.Id, "department", department.Name);
                foreach (var agency in department.Agencies)
                {
                    _w.WriteOrgUnit(agency.Id, department.Id, "agency", agency.Name);
                }
            }
        }
    }

    private void WriteRoles()
    {
        _w.WriteRole("advisor", "Employment advisor", fileAccess: true, sensitive: false);
        _w.WriteRole("agency-consultation", "Agency file consultation", fileAccess: true, sensitive: false);
        _w.WriteRole("department-supervision", "Department supervision", fileAccess: true, sensitive: false);
        _w.WriteRole("regional-supervision", "Regional supervision", fileAccess: true, sensitive: false);
        _w.WriteRole("health-advisor", "Work psychologist (health and disability data)", fileAccess: true, sensitive: true);
        _w.WriteRole("partner-advisor", "Cap emploi partner advisor", fileAccess: true, sensitive: true);
        _w.WriteRole("regional-consultation", "Regional file consultation", fileAccess: true, sensitive: true);
        _w.WriteRole("national-consultation", "National file consultation", fileAccess: true, sensitive: false);
        _w.WriteRole("statistics-extract", "Statistics batch extract", fileAccess: true, sensitive: true);
        _w.WriteRole("hr-admin", "HR administration", fileAccess: false, sensitive: false);
        _w.WriteRole("staff-self-service", "Staff self-service portal", fileAccess: false, sensitive: false);
        _w.WriteRole("directory-sync", "Directory synchronisation", fileAccess: false, sensitive: false);
        _w.WriteRole("notification-sender", "Notification sender", fileAccess: false, sensitive: false);
        if (_profile.DirectGrants)
        {
            _w.WriteRole("training-portal", "Training portal", fileAccess: false, sensitive: false);
            _w.WriteRole("team-workspace", "Team workspace", fileAccess: false, sensitive: false);
        }
    }

    private string Assign(string roleId, string holderId, HolderType holderType, string? scopeUnitId, DateOnly? validUntil = null)
    {
        var id = "AS" + (++_assignmentNo).ToString("D5", CultureInfo.InvariantCulture);
        var scope = scopeUnitId is null ? AssignmentScope.Caseload : AssignmentScope.Unit;
        _w.WriteAssignment(id, roleId, holderId, holderType, scope, scopeUnitId, validUntil);
        return id;
    }

    /// <summary>
    /// The long tail of a real directory (France scale): per-person grants next to the group ones. Every advisor holds
    /// the caseload role directly too; teams get a workspace role and most staff the training portal (no file access,
    /// so no reach); a few advisors hold a temporary agency-wide cover, half of them already expired; partners hold
    /// their caseload role directly.
    /// </summary>
    private void AssignDirectGrants()
    {
        foreach (var agency in _agencies)
        {
            for (var t = 0; t < _profile.Teams; t++)
            {
                Assign("team-workspace", TeamGroup(agency, t), HolderType.Group, agency.Id);
            }

            foreach (var advisor in agency.Advisors)
            {
                Assign("advisor", advisor.Id, HolderType.Principal, scopeUnitId: null);
                if (_rng.NextDouble() < CoverShare)
                {
                    var validUntil = _rng.Next(2) == 0 ? _asOf.AddDays(-(1 + _rng.Next(180))) : _asOf.AddDays(1 + _rng.Next(90));
                    Assign("agency-consultation", advisor.Id, HolderType.Principal, agency.Id, validUntil);
                }
            }
        }

        foreach (var person in _people)
        {
            if (person.Kind == PrincipalKind.Staff && person.Active && _rng.NextDouble() < TrainingShare)
            {
                Assign("training-portal", person.Id, HolderType.Principal, NationalId);
            }
        }

        foreach (var partner in _partners)
        {
            Assign("partner-advisor", partner.Id, HolderType.Principal, scopeUnitId: null);
        }
    }

    private static string TeamGroup(Agency agency, int team) =>
        "grp-team-" + agency.Id + "-T" + (team + 1).ToString(CultureInfo.InvariantCulture);

    private static string RegionGroup(Region region) => "grp-region-" + region.Id;

    private static string DepartmentGroup(Department department) => "grp-dept-" + department.Id;

    private static string ManagersGroup(Department department) => "grp-managers-" + department.Id;

    private static string AgencyGroup(Agency agency) => "grp-agency-" + agency.Id;

    private static string PartnerGroup(Region region) => "grp-partners-capemploi-" + region.Id;

    // ---- Big tables, streamed per agency ---------------------------------------------------------------------

    /// <summary>Writes one agency's files, caseload rows, shares and access events. Returns the bulk reads written.</summary>
    // ---- Access events -----------------------------------------------------------------------------------------

    private Person _leaker = null!;
    private IReadOnlyList<DateOnly> _leakDays = [];
    private int _leakPerAgency;
    private Person? _dormantReader;
    private string[] _agencyFileIds = [];

    /// <summary>
    /// Average reads of each caseload file over the log's 200 days. Larger scales read less per file so the log stays
    /// in proportion to the files (medium: about a million events; France: about seven million).
    /// </summary>
    private double ReadsPerCaseloadFile => _options.Scale switch
    {
        DemoScale.France => 0.2,
        DemoScale.Medium => 0.4,
        _ => 1.0,
    };

    /// <summary><paramref name="count"/> working days (Monday to Friday) from <paramref name="first"/> on.</summary>
    private static List<DateOnly> WorkingDays(DateOnly first, int count)
    {
        var days = new List<DateOnly>();
        for (var day = first; days.Count < count; day = day.AddDays(1))
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                days.Add(day);
            }
        }

        return days;
    }

    /// <summary>A random working day of the log window, at office hours.</summary>
    private DateTime RandomWorkingTime()
    {
        var day = _asOf.AddDays(-1 - _rng.Next(LogDays));
        if (day.DayOfWeek == DayOfWeek.Saturday)
        {
            day = day.AddDays(-1);
        }
        else if (day.DayOfWeek == DayOfWeek.Sunday)
        {
            day = day.AddDays(-2);
        }

        return day.ToDateTime(WorkdayStart).AddSeconds(_rng.Next(10 * 3600));
    }

    /// <summary>An advisor working its own caseload: each caseload file read about <see cref="ReadsPerCaseloadFile"/> times.</summary>
    private void WriteOwnReads(Person principal, string fileId)
    {
        var reads = ReadsPerCaseloadFile;
        while (reads > 0 && _rng.NextDouble() < Math.Min(1, reads))
        {
            _w.WriteAccessEvent(principal.Id, fileId, RandomWorkingTime(), "read");
            reads -= 1;
        }
    }

    /// <summary>Legitimate reads outside the caseload: a colleague's file now and then (about 1 read in 20).</summary>
    private void WriteOutsideReads(Agency agency)
    {
        if (_agencyFileIds.Length == 0)
        {
            return;
        }

        foreach (var advisor in agency.Advisors)
        {
            var reads = (int)(advisor.OwnCaseload * ReadsPerCaseloadFile / 20);
            for (var i = 0; i < reads; i++)
            {
                _w.WriteAccessEvent(advisor.Id, _agencyFileIds[_rng.Next(_agencyFileIds.Length)], RandomWorkingTime(), "read");
            }
        }

        if (_dormantReader is { } dormant)
        {
            // A dormant account that comes back to life: a few reads on one day, the mark of a taken-over account.
            var day = _asOf.AddDays(-10).ToDateTime(new TimeOnly(22, 0));
            for (var i = 0; i < 5; i++)
            {
                _w.WriteAccessEvent(dormant.Id, _agencyFileIds[_rng.Next(_agencyFileIds.Length)], day.AddMinutes(i), "read");
            }

            _dormantReader = null;
        }
    }

    /// <summary>The slow leak: a partner account of the exposed region reading a few hundred files a day for three weeks.</summary>
    private void WriteLeak(Agency agency)
    {
        if (_agencyFileIds.Length == 0)
        {
            return;
        }

        foreach (var day in _leakDays)
        {
            var start = day.ToDateTime(new TimeOnly(9, 0));
            var first = _rng.Next(_agencyFileIds.Length);
            for (var i = 0; i < Math.Min(_leakPerAgency, _agencyFileIds.Length); i++)
            {
                _w.WriteAccessEvent(_leaker.Id, _agencyFileIds[(first + i) % _agencyFileIds.Length], start.AddSeconds(i * 20), "read");
            }
        }
    }

    private int StreamAgency(Agency agency, Person? bulkReader, int bulkReadsSoFar)
    {
        var n = agency.FileCount;
        var ids = new string[n];
        var open = new List<int>(n);
        var openSensitive = new List<int>(n / 8);
        var openPlain = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            ids[i] = "F" + (agency.FileStart + i).ToString(_profile.FileIdFormat, CultureInfo.InvariantCulture);
            var sensitive = _rng.NextDouble() < SensitiveShare;
            var closed = _rng.NextDouble() < ClosedShare;
            _w.WriteFile(ids[i], agency.Id, sensitive, closed);
            if (!closed)
            {
                open.Add(i);
                (sensitive ? openSensitive : openPlain).Add(i);
            }
        }

        _agencyFileIds = ids;
        if (_profile.CoverOpenFiles)
        {
            WriteCoveringCaseloads(ids, open, agency.Advisors);
        }
        else
        {
            foreach (var advisor in agency.Advisors)
            {
                WriteCaseloadWindow(ids, open, advisor, advisor.OwnCaseload);
            }
        }

        foreach (var request in agency.CaseloadRequests)
        {
            if (request.Principal.Kind == PrincipalKind.Partner)
            {
                // Cap emploi follows people with a disability: sensitive files first.
                var written = WriteCaseloadWindow(ids, openSensitive, request.Principal, request.Files);
                WriteCaseloadWindow(ids, openPlain, request.Principal, request.Files - written);
            }
            else
            {
                WriteCaseloadWindow(ids, open, request.Principal, request.Files);
            }
        }

        foreach (var share in agency.Shares)
        {
            if (n > 0)
            {
                var file = open.Count > 0 ? open[_rng.Next(open.Count)] : _rng.Next(n);
                _w.WriteShare(ids[file], share.Principal.Id, share.ValidUntil);
            }
        }

        WriteOutsideReads(agency);

        var bulkReads = 0;
        if (bulkReader is not null)
        {
            // One partner account of the exposed region pulls files across the region in a single day.
            var day = _asOf.AddDays(-3).ToDateTime(new TimeOnly(6, 0));
            for (var i = 0; i < n; i++)
            {
                if (_rng.NextDouble() < BulkReadShare)
                {
                    var second = (bulkReadsSoFar + bulkReads) % 64_800;
                    _w.WriteAccessEvent(bulkReader.Id, ids[i], day.AddSeconds(second), "read");
                    bulkReads++;
                }
            }
        }

        return bulkReads;
    }

    /// <summary>
    /// Writes up to <paramref name="count"/> caseload rows for <paramref name="principal"/>: a run of consecutive
    /// files of <paramref name="pool"/> from a random start, wrapping, so the rows are distinct. Returns rows written.
    /// </summary>
    private int WriteCaseloadWindow(string[] ids, List<int> pool, Person principal, int count)
    {
        if (pool.Count == 0 || count <= 0)
        {
            return 0;
        }

        var take = Math.Min(count, pool.Count);
        var start = _rng.Next(pool.Count);
        for (var j = 0; j < take; j++)
        {
            var fileId = ids[pool[(start + j) % pool.Count]];
            _w.WriteCaseload(fileId, principal.Id);
            WriteOwnReads(principal, fileId);
        }

        return take;
    }

    /// <summary>
    /// Deals every open file of an agency to exactly one of its advisors, in shares proportional to their weights:
    /// the open files are shuffled, then cut into consecutive runs, one per advisor, written advisor by advisor.
    /// </summary>
    private void WriteCoveringCaseloads(string[] ids, List<int> open, List<Person> advisors)
    {
        if (advisors.Count == 0 || open.Count == 0)
        {
            return;
        }

        var shuffled = open.ToArray();
        for (var i = shuffled.Length - 1; i > 0; i--)
        {
            var j = _rng.Next(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }

        var totalWeight = advisors.Sum(a => a.Weight);
        var cumulative = 0.0;
        var from = 0;
        for (var a = 0; a < advisors.Count; a++)
        {
            cumulative += advisors[a].Weight;
            var to = a == advisors.Count - 1 ? shuffled.Length : (int)Math.Round(shuffled.Length * cumulative / totalWeight);
            for (var k = from; k < to; k++)
            {
                var fileId = ids[shuffled[k]];
                _w.WriteCaseload(fileId, advisors[a].Id);
                WriteOwnReads(advisors[a], fileId);
            }

            from = Math.Max(from, to);
        }
    }

    // ---- Plan types --------------------------------------------------------------------------------------------

    /// <inheritdoc cref="DemoGenerator.ExpectedIds"/>
    public static int ExpectedIds(DemoScale scale)
    {
        var profile = Profile.For(scale);
        return (int)Math.Max(1 << 16, (profile.MinTotalFiles * 21 / 20) + (4L * profile.MinTotalPrincipals));
    }

    private sealed record Profile(
        int[] MetroDepartments, int OverseasRegions, int MinAgencies, int MaxAgencies,
        int MinAdvisors, int MaxAdvisors, int MinFiles, int MaxFiles,
        long MinTotalFiles, int MinTotalPrincipals, int Shares)
    {
        /// <summary>Team groups per agency (advisors in teams, teams in the agency group); 0: advisors directly in the agency group.</summary>
        public int Teams { get; init; }

        /// <summary>Every open file in exactly one advisor's caseload (instead of 100–600 files per advisor).</summary>
        public bool CoverOpenFiles { get; init; }

        /// <summary>Per-person grants next to the group ones (<see cref="AssignDirectGrants"/>).</summary>
        public bool DirectGrants { get; init; }

        /// <summary>Digits of file ids: F + 7 digits up to medium, F + 8 at France scale.</summary>
        public string FileIdFormat { get; init; } = "D7";

        public static Profile For(DemoScale scale) => scale switch
        {
            // 3 × 3 × 3 agencies, about 20,000 files and 290 principals.
            DemoScale.Small => new Profile([3, 3, 3], 0, 3, 3, 7, 9, 650, 830, 0, 0, 12),

            // The 13 metropolitan regions with their real department counts (96), plus 5 single-department overseas
            // regions; 3 to 5 agencies per department (about 400), about 1.1 million files and 10,300 principals.
            DemoScale.Medium => new Profile([12, 8, 4, 6, 2, 10, 5, 8, 5, 12, 13, 5, 6], 5, 3, 5, 19, 27, 2300, 3100, 1_000_000, 10_000, 300),

            // The real agency: the same 101 departments with 7 to 11 agencies each (about 900), 50 to 68 advisors per
            // agency topped up to 57,300 accounts, 31,000 to 48,000 files per agency topped up to exactly 36,820,828.
            DemoScale.France => new Profile([12, 8, 4, 6, 2, 10, 5, 8, 5, 12, 13, 5, 6], 5, 7, 11, 50, 68, 31_000, 48_000, 36_820_828, 57_300, 3_000)
            {
                Teams = 3,
                CoverOpenFiles = true,
                DirectGrants = true,
                FileIdFormat = "D8",
            },
            _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "Unknown demo scale."),
        };
    }

    private sealed class Region(string id, string name)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public List<Department> Departments { get; } = [];
        public List<Person> Partners { get; } = [];
        public Person Director { get; set; } = null!;
        public Person Hr { get; set; } = null!;
    }

    private sealed class Department(string id, string name, Region region)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public Region Region { get; } = region;
        public List<Agency> Agencies { get; } = [];
        public bool HasHealthAdvisor { get; init; }
        public Person Manager { get; set; } = null!;
        public Person? Health { get; set; }
    }

    private sealed class Agency(string id, string name, Department department)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public Department Department { get; } = department;
        public int FileCount { get; set; }
        public long FileStart { get; set; }
        public int AdvisorCount { get; set; }
        public bool UnitConsultation { get; init; }
        public Person Director { get; set; } = null!;
        public List<Person> Advisors { get; } = [];

        /// <summary>Files of this agency wanted by principals of other agencies (neighbouring advisors, partners).</summary>
        public List<CaseloadRequest> CaseloadRequests { get; } = [];

        public List<ShareRequest> Shares { get; } = [];
    }

    private sealed class Person(string id, PrincipalKind kind, string organization, string unitId, string name)
    {
        public string Id { get; } = id;
        public PrincipalKind Kind { get; } = kind;
        public string Organization { get; } = organization;
        public string UnitId { get; } = unitId;
        public string Name { get; } = name;
        public bool Active { get; set; }
        public bool Mfa { get; set; }
        public DateOnly? LastLogin { get; set; }
        public int OwnCaseload { get; set; }

        /// <summary>France scale: relative size of the advisor's share of its agency's open files.</summary>
        public double Weight { get; set; }
    }

    private sealed record CaseloadRequest(Person Principal, int Files);

    private sealed record ShareRequest(Person Principal, DateOnly? ValidUntil);
}
