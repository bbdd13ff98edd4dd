using System.Globalization;
using System.Text;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Usage;
using AccessAnalyzer.Sources.Csv;
using AccessAnalyzer.Sources.Usage;
using AccessAnalyzer.Tests.Reference;

namespace AccessAnalyzer.Tests.Sources;

/// <summary>
/// The byte-level access_events reader (<see cref="AccessEventReader"/>, what <c>CsvSource</c> uses) against the
/// row-by-row reference (<see cref="CsvAccessEvents"/>): on seeded random logs, valid or broken, both give the same
/// usage tables or the same error (file, line, column, text).
/// </summary>
public sealed class AccessEventReaderTests
{
    private static readonly DateOnly FirstDay = AccessEventAggregator.DayRange.First;
    private static readonly DateOnly LastDay = AccessEventAggregator.DayRange.Last;

    /// <summary>Days the generator uses now and then: the ends of the supported range, leap days, a year end.</summary>
    private static readonly DateOnly[] EdgeDays =
    [
        FirstDay, FirstDay.AddDays(1), LastDay, LastDay.AddDays(-1),
        new(2000, 2, 29), new(2024, 2, 29), new(2026, 12, 31), new(2027, 1, 1),
    ];

    /// <summary>Spellings of a timestamp the canonical date parser accepts, each meaning the calendar date as written.</summary>
    private static readonly Func<DateOnly, Random, string>[] Spellings =
    [
        (d, _) => Date(d),
        (d, r) => $"{Date(d)}T{Time(r)}Z",
        (d, r) => $"{Date(d)}T{Time(r)}.{Fraction(r)}Z",
        (d, r) => $"{Date(d)}T{Time(r)}{Offset(r)}",
        (d, r) => $"{Date(d)}T{Time(r)}.{Fraction(r)}{Offset(r)}",
        (d, r) => $"{Date(d)}T{Time(r)}",
        (d, r) => $"{Date(d)}T{Time(r)[..5]}",
        (d, r) => $"{Date(d)}T{Time(r)[..5]}Z",
        (d, r) => $"{Date(d)} {Time(r)}",
        (d, r) => $"{Date(d)} {Time(r)}Z",
        (d, r) => $"{Date(d)} {Time(r)}.{Fraction(r)}{Offset(r)}",
        (d, _) => $" {Date(d)} ",
        (d, r) => $"\t{Date(d)}T{Time(r)}Z ",
        (d, _) => $"{Date(d)}\n",
    ];

    /// <summary>Timestamps the canonical parser rejects, whatever the row.</summary>
    private static readonly string[] Rejected =
    [
        "", " ", "\t", "2026-02-30", "2026-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31", "0000-01-01",
        "2026/03/20", "20260320", "2026-3-20", "26-03-20", "2026-03-20junk", "yesterday", "2026-03-20T", "2026-03-20TZ",
        "2026-03-20T25:00:00Z", "2026-03-20T09:60:00Z", "2026-03-20T09:05:61Z", "2026-03-20X09:05:07Z",
        "2026-03-20T09:05:07ZZ", "2026-03-20T09:05:07+25:00", "2026-02-29T10:00:00Z", "2026-03-20 junk", "2026-03-20T09:05:07Y",
        "2026-03-20T09:05:07+", "2026-13-20T09:05:07Z", "2026-03-32T09:05:07Z", "x026-03-20T09:05:07Z", "2026-03-20T0a:05:07Z",
    ];

    /// <summary>Spellings on the edge of what either parser takes (accepted or not, both readers must agree).</summary>
    private static readonly string[] Borderline =
    [
        "2026-03-20t09:05:07z", "2026-03-20T09:05:07z", "2026-03-20t09:05:07Z", "2026-03-20T9:5:7Z", "2026-03-20T09:05:07+0200",
        "2026-03-20T09:05:07 +02:00", "2026-03-20T09:05:07GMT", "2026-03-20T09:05:07.123456789Z", "2026-03-20T23:59:60Z",
        "2026-03-20T24:00:00Z", "2026-03-20 PM", "2026-03-20T09:05:07 Z", "2026-03-20\u00a0", "\u00a02026-03-20",
        "2026-03-20T09:05:07.Z", "2026-03-20T09:05:07,5Z", "+2026-03-20", "2026-03-20T09Z", "2026-03-20T09:05:07-00:00",
        "2026-03-20T12:00:00+14:00", "2026-03-20T12:00:00-14:00", "2026-03-20 ", " 2026-03-20T09:05:07Z",
    ];

    private static readonly string[] Units = ["NAT", "Île-de-France, \"IDF\"", "Agence\nNord", "U😀", "u,2"];

    private static readonly string[] OddIds =
        ["Zoë, \"la\" conseillère", "a,b", "q\"uote", "\"", ",", "日本語", "emoji 😀", " padded ", "line\nbreak", "cr\r\nlf", "tab\there", "ab\"c", "ß"];

    private static readonly string[] Actions = ["read", "print", "export", "", "READ", "read, then print", "lecture \"rapide\""];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 200)];

    [Fact]
    public void Should_know_which_spellings_the_canonical_parser_accepts()
    {
        var random = new Random(42);
        foreach (var day in EdgeDays.Append(new DateOnly(2026, 3, 20)))
        {
            for (var s = 0; s < Spellings.Length; s++)
            {
                for (var i = 0; i < 20; i++)
                {
                    var text = Spellings[s](day, random);
                    CanonicalValues.TryParseOptionalDate(text, out var parsed).Should().BeTrue($"spelling {s}: '{text}'");
                    parsed.Should().Be(day, $"spelling {s}: '{text}'");
                }
            }
        }

        foreach (var text in Rejected)
        {
            (CanonicalValues.TryParseOptionalDate(text, out var parsed) && parsed is not null).Should().BeFalse($"'{text}'");
        }
    }

    [Fact]
    public void Should_read_every_spelling_on_every_edge_day_as_the_reference_does()
    {
        var random = new Random(7);
        using var directory = new TempDirectory();
        var world = World.Create(random, directory.Path);
        var known = world.Known.First();
        var days = EdgeDays.Append(new DateOnly(2026, 3, 20)).ToArray();
        var log = new Log(["principal_id", "file_id", "at"]);
        foreach (var day in days)
        {
            foreach (var spell in Spellings)
            {
                log.Rows.Add([known, world.Files[0].Id, spell(day, random)]);
            }
        }

        log.Write(directory.Path, random);
        var reference = Compare(world, "edge days");
        var usage = reference.Should().BeOfType<UsageTables>().Subject;
        usage.Events.Should().Be(log.Rows.Count);
        usage.Days.Select(d => d.Day).Should().Contain(days);
    }

    public static TheoryData<string> Doubtful() => [.. Borderline, .. Rejected];

    [Theory]
    [MemberData(nameof(Doubtful))]
    public void Should_take_or_refuse_a_doubtful_spelling_as_the_reference_does(string text)
    {
        var random = new Random(text.Length);
        using var directory = new TempDirectory();
        var world = World.Create(random, directory.Path);
        var log = world.NewLog(random, 700);
        var row = log.Rows[600]; // in the second batch
        row[log.Column("principal_id")] = world.Known.First();
        row[log.Column("file_id")] = world.Files[0].Id;
        row[log.Column("at")] = text;
        log.Write(directory.Path, random);
        Compare(world, $"'{text}'");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_aggregate_a_random_valid_log_exactly_as_the_row_by_row_reference(int seed)
    {
        var random = new Random(seed);
        using var directory = new TempDirectory();
        var world = World.Create(random, directory.Path);
        var count = (seed % 4) switch
        {
            0 => random.Next(0, 40),
            1 => random.Next(400, 1100),
            _ => random.Next(1000, 2600),
        };
        var log = world.NewLog(random, count);
        log.Write(directory.Path, random);

        var reference = Compare(world, $"seed {seed}");
        if (count == 0)
        {
            reference.Should().BeNull($"seed {seed}: a log without events says nothing");
        }
        else
        {
            reference.Should().BeOfType<UsageTables>($"seed {seed}: the log is valid").Which.Events.Should().Be(count, $"seed {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_reject_a_random_broken_log_with_the_error_of_the_row_by_row_reference(int seed)
    {
        var random = new Random(1_000_000 + seed);
        using var directory = new TempDirectory();
        var world = World.Create(random, directory.Path);
        var count = (seed % 3) switch
        {
            0 => random.Next(1, 40),
            1 => random.Next(400, 1100),
            _ => random.Next(1000, 2600),
        };
        var log = world.NewLog(random, count);
        var at = log.Column("at");
        var h = random.Next(count); // the row of the defect that makes the log bad for sure
        var defect = seed % 8;

        // Before it (often in the same batch of 512, sometimes in an earlier one) days out of the supported range,
        // which are errors only for events the aggregation keeps (known principal, existing file), and spellings
        // on the edge of what the parsers take; after it, anything (never reached).
        for (var i = random.Next(6); i > 0; i--)
        {
            var row = random.Next(3) == 0 ? random.Next(count) : Math.Max(0, h - random.Next(Math.Min(h + 1, 600)));
            log.Rows[row][at] = random.Next(4) == 0
                ? Borderline[random.Next(Borderline.Length)]
                : OutOfRange(random);
        }

        switch (defect)
        {
            case 0:
                log.Rows[h][at] = Rejected[random.Next(Rejected.Length)];
                break;
            case 1:
                log.Rows[h] = random.Next(2) == 0 ? [.. log.Rows[h], "extra"] : log.Rows[h][..^1];
                break;
            case 2:
                // Text after a closing quote.
                var cells = log.Rows[h].Select(c => Log.Cell(c, random)).ToArray();
                cells[random.Next(cells.Length)] = "\"closed\"then";
                log.Raw[h] = string.Join(',', cells);
                break;
            case 3:
                // An unclosed quote runs to the end of the file: the last row (with no quote after it).
                log.Raw[count - 1] = "\"unclosed," + string.Join(',', log.Rows[count - 1].Skip(1).Select(c => c.Replace("\"", string.Empty, StringComparison.Ordinal)));
                break;
            case 4:
                var column = random.Next(log.Rows[h].Length);
                log.Rows[h][column] = log.Rows[h][column].Insert(random.Next(log.Rows[h][column].Length + 1), Log.InvalidUtf8);
                break;
            case 5:
                log.Drop(new[] { "principal_id", "file_id", "at" }[random.Next(3)]);
                break;
            case 6:
                // A duplicate column (names compare without case).
                log.Duplicate(log.Names[random.Next(log.Names.Count)], random);
                break;
            default:
                log.Rows.Clear();
                log.Raw.Clear();
                log.Empty = true;
                break;
        }

        log.Write(directory.Path, random);
        Compare(world, $"seed {seed}, defect {defect} at row {h}").Should().BeOfType<InputErrorException>($"seed {seed}: the log is broken");
    }

    private static string OutOfRange(Random random)
    {
        var day = random.Next(6) switch
        {
            0 => FirstDay.AddDays(-1),
            1 => LastDay.AddDays(1),
            2 => FirstDay.AddDays(-random.Next(1, 3000)),
            3 => LastDay.AddDays(random.Next(1, 3000)),
            4 => DateOnly.MinValue,
            _ => DateOnly.MaxValue,
        };
        return Spellings[random.Next(Spellings.Length)](day, random);
    }

    /// <summary>
    /// Reads the log with both readers, each given what it gets in use (the fast one as CsvSource calls it: files from
    /// files.csv through a <see cref="FileIndex"/>, a principal lookup cached by reference), and checks they agree.
    /// Returns the reference's outcome: its usage tables (or null), or its error.
    /// </summary>
    private static object? Compare(World world, string because)
    {
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var f = 0; f < world.Files.Count; f++)
        {
            byId.Add(world.Files[f].Id, f);
        }

        var reference = Outcome(() => CsvAccessEvents.Read(
            world.Directory,
            id => byId.TryGetValue(id, out var f) ? f : -1,
            world.Known.Contains,
            (p, f) => world.Caseload.Contains((p, f)),
            f => (world.Files[f].Unit, world.Files[f].Sensitive),
            chunkSize: 1 << 12)); // more than any log here holds: one sorted chunk, as in the fast reader's aggregation

        // Both entry points: unit ids as strings, and as dense unit numbers with work run alongside the sort (the one
        // CsvSource uses). Each reads with its own id table, released as CsvSource releases it.
        object? Fast(bool numbered)
        {
            var files = FileIndex.Read(world.Directory, 512);
            files.Count.Should().Be(world.Files.Count);
            for (var f = 0; f < world.Files.Count; f++)
            {
                files.Find(Encoding.UTF8.GetBytes(world.Files[f].Id)).Should().Be(f, "files are numbered in the order of files.csv");
            }

            string? lastId = null;
            var lastKnown = false;
            bool Known(string principalId)
            {
                if (!ReferenceEquals(principalId, lastId))
                {
                    lastId = principalId;
                    lastKnown = world.Known.Contains(principalId);
                }

                return lastKnown;
            }

            bool InCaseload(string p, int f)
            {
                files.ReleaseIds(); // as CsvSource does: no file id is looked up once caseload pairs are asked about
                return world.Caseload.Contains((p, f));
            }

            if (!numbered)
            {
                return Outcome(() => AccessEventReader.Read(
                    world.Directory, files, Known, InCaseload, f => (files.UnitIdOf(f), (files.ClassOf(f) & FileClass.Sensitive) != 0)));
            }

            var ranAlongside = 0;
            var outcome = Outcome(() => AccessEventReader.Read(
                world.Directory, files, Known, InCaseload,
                f => (files.UnitClasses[f] >> 2, (files.ClassOf(f) & FileClass.Sensitive) != 0), files.UnitIdAt,
                () => Interlocked.Increment(ref ranAlongside)));
            if (outcome is UsageTables)
            {
                ranAlongside.Should().Be(1, because + ": the work alongside the sort runs once when events are read");
            }

            return outcome;
        }

        foreach (var numbered in new[] { false, true })
        {
            Check(Fast(numbered), because + (numbered ? " (unit numbers)" : " (unit ids)"));
        }

        return reference;

        void Check(object? fast, string because)
        {
            switch (reference)
            {
                case InputErrorException expected:
                    var actual = fast.Should().BeOfType<InputErrorException>(because + $": the reference says {expected.Message}").Subject;
                    (actual.Table, actual.Line, actual.Column, actual.Reason, actual.Message)
                        .Should().Be((expected.Table, expected.Line, expected.Column, expected.Reason, expected.Message), because);
                    break;
                case null:
                    fast.Should().BeNull(because);
                    break;
                default:
                    var e = (UsageTables)reference;
                    var a = fast.Should().BeOfType<UsageTables>(because).Subject;
                    a.Days.Should().Equal(e.Days, because);
                    a.Principals.Should().Equal(e.Principals, because);
                    a.Units.Should().Equal(e.Units, because);
                    (a.Events, a.FirstDay, a.LastDay, a.EventsNamingMissingPrincipal, a.EventsNamingMissingFile)
                        .Should().Be((e.Events, e.FirstDay, e.LastDay, e.EventsNamingMissingPrincipal, e.EventsNamingMissingFile), because);
                    break;
            }
        }
    }

    private static object? Outcome(Func<UsageTables?> read)
    {
        try
        {
            return read();
        }
        catch (InputErrorException e)
        {
            return e;
        }
    }

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(Random r) => r.Next(6) switch
    {
        0 => "00:00:00",
        1 => "23:59:59",
        _ => $"{r.Next(24):D2}:{r.Next(60):D2}:{r.Next(60):D2}",
    };

    private static string Fraction(Random r) => r.Next(10_000_000).ToString("D7", CultureInfo.InvariantCulture)[..r.Next(1, 8)];

    private static string Offset(Random r) => new[] { "+02:00", "-05:00", "+00:00", "-00:00", "+14:00", "-12:00", "+05:30", "-09:45" }[r.Next(8)];

    private sealed record DataFile(string Id, string Unit, bool Sensitive);

    /// <summary>files.csv (written), the principals that exist, the caseload, and what a log names that does not exist.</summary>
    private sealed class World
    {
        private readonly List<string> _unknownPrincipals = [];
        private readonly List<string> _unknownFiles = [];

        private World(string directory) => Directory = directory;

        public string Directory { get; }

        public List<DataFile> Files { get; } = [];

        public HashSet<string> Known { get; } = new(StringComparer.Ordinal);

        public HashSet<(string, int)> Caseload { get; } = [];

        public static World Create(Random r, string directory)
        {
            var world = new World(directory);
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var fixedWidth = r.Next(3) == 0; // the id table's fixed-width layout, else the variable one
            var fileCount = r.Next(1, 90);
            while (world.Files.Count < fileCount)
            {
                var n = world.Files.Count;
                var id = fixedWidth ? $"F{n:D5}" : r.Next(5) switch
                {
                    0 => $"F{n}",
                    1 => OddIds[r.Next(OddIds.Length)] + n,
                    2 => $"dossier-é-{n}",
                    3 => new string('x', r.Next(1, 60)) + n,
                    _ => $"{r.Next():x8}-{n}",
                };
                if (ids.Add(id))
                {
                    world.Files.Add(new DataFile(id, Units[r.Next(Units.Length)], r.Next(3) == 0));
                }
            }

            for (var i = r.Next(1, 12); i > 0; i--)
            {
                world.Known.Add($"P{i}");
            }

            if (r.Next(2) == 0)
            {
                world.Known.Add(OddIds[r.Next(OddIds.Length)]);
            }

            if (r.Next(4) == 0)
            {
                world.Known.Add(new string('é', 150)); // 300 bytes: longer than the reader's last-principal cache
            }

            world._unknownPrincipals.AddRange(new[] { "Q1", string.Empty, "p1", "P1 ", new string('q', 300), OddIds[r.Next(OddIds.Length)] + "?" }
                .Where(p => !world.Known.Contains(p)));
            world._unknownFiles.AddRange(new[] { "F99999", "F0000", string.Empty, world.Files[0].Id + " ", "nope,1", "\"", "f00000", new string('y', 200) }
                .Where(f => !ids.Contains(f)));

            foreach (var p in world.Known)
            {
                for (var i = r.Next(0, 12); i > 0; i--)
                {
                    world.Caseload.Add((p, r.Next(fileCount)));
                }
            }

            var sb = new StringBuilder("id,unit_id,sensitive,closed\n");
            foreach (var f in world.Files)
            {
                sb.Append(Log.Cell(f.Id, r)).Append(',').Append(Log.Cell(f.Unit, r)).Append(',')
                    .Append(f.Sensitive ? "true" : "false").Append(',').Append(r.Next(2) == 0 ? "0" : "TRUE").Append('\n');
            }

            File.WriteAllText(Path.Combine(directory, "files.csv"), sb.ToString());
            return world;
        }

        /// <summary>
        /// A log of <paramref name="count"/> events, principal by principal in runs (as exports come), each run over a
        /// few files, on days within a few weeks (now and then an edge day), in every accepted spelling; columns in a
        /// random order, with or without action (and an extra column), header names in any case and padding.
        /// </summary>
        public Log NewLog(Random r, int count)
        {
            List<string> names = ["principal_id", "file_id", "at"];
            if (r.Next(3) != 0)
            {
                names.Add("action");
            }

            if (r.Next(5) == 0)
            {
                names.Add("source");
            }

            var log = new Log([.. names.OrderBy(_ => r.Next())]);
            var known = Known.ToList();
            var baseDay = FirstDay.AddDays(r.Next(LastDay.DayNumber - FirstDay.DayNumber - 40));
            while (log.Rows.Count < count)
            {
                var principal = r.Next(8) == 0 ? _unknownPrincipals[r.Next(_unknownPrincipals.Count)] : known[r.Next(known.Count)];
                var working = Enumerable.Range(0, r.Next(1, 6))
                    .Select(_ => r.Next(12) == 0 ? _unknownFiles[r.Next(_unknownFiles.Count)] : Files[r.Next(Files.Count)].Id).ToArray();
                for (var i = r.Next(1, 80); i > 0 && log.Rows.Count < count; i--)
                {
                    var day = r.Next(40) == 0 ? EdgeDays[r.Next(EdgeDays.Length)] : baseDay.AddDays(r.Next(40));
                    var cells = new string[log.Names.Count];
                    cells[log.Column("principal_id")] = principal;
                    cells[log.Column("file_id")] = working[r.Next(working.Length)];
                    cells[log.Column("at")] = Spellings[r.Next(Spellings.Length)](day, r);
                    if (log.Names.Contains("action"))
                    {
                        cells[log.Column("action")] = Actions[r.Next(Actions.Length)];
                    }

                    if (log.Names.Contains("source"))
                    {
                        cells[log.Column("source")] = r.Next(2) == 0 ? "10.0.0.1" : "app, v2";
                    }

                    log.Rows.Add(cells);
                }
            }

            return log;
        }
    }

    /// <summary>access_events.csv as cells, written with random quoting, line ends, blank lines, BOM and encoding.</summary>
    private sealed class Log(List<string> names)
    {
        /// <summary>Stands for a byte that is not valid UTF-8 (U+E000 is written as 0xFF).</summary>
        public const string InvalidUtf8 = "\uE000";

        public List<string> Names { get; } = names;

        public List<string[]> Rows { get; } = [];

        /// <summary>Rows written as is (quoting defects).</summary>
        public Dictionary<int, string> Raw { get; } = [];

        /// <summary>Nothing at all, not even the header.</summary>
        public bool Empty { get; set; }

        public int Column(string name) => Names.IndexOf(name);

        public void Drop(string name)
        {
            var c = Column(name);
            Names.RemoveAt(c);
            for (var i = 0; i < Rows.Count; i++)
            {
                Rows[i] = [.. Rows[i].Take(c), .. Rows[i].Skip(c + 1)];
            }
        }

        public void Duplicate(string name, Random r)
        {
            Names.Insert(r.Next(Names.Count + 1), r.Next(2) == 0 ? name.ToUpperInvariant() : name);
            for (var i = 0; i < Rows.Count; i++)
            {
                Rows[i] = [.. Rows[i], "dup"];
            }
        }

        public static string Cell(string value, Random r) =>
            value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || r.Next(8) == 0
                ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : value;

        public void Write(string directory, Random r)
        {
            var style = r.Next(5);
            string End() => style switch
            {
                0 or 1 => "\n",
                2 or 3 => "\r\n",
                _ => new[] { "\n", "\r\n", "\r" }[r.Next(3)],
            };

            var sb = new StringBuilder();
            if (!Empty)
            {
                if (r.Next(10) == 0)
                {
                    sb.Append(End());
                }

                sb.AppendJoin(',', Names.Select(n => Cell(r.Next(5) switch { 0 => n.ToUpperInvariant(), 1 => $" {n} ", _ => n }, r)));
                for (var i = 0; i < Rows.Count; i++)
                {
                    sb.Append(End());
                    if (r.Next(50) == 0)
                    {
                        sb.Append(End()); // a blank line, skipped
                    }

                    sb.Append(Raw.TryGetValue(i, out var raw) ? raw : string.Join(',', Rows[i].Select(c => Cell(c, r))));
                }

                if (r.Next(4) != 0)
                {
                    sb.Append(End());
                }
            }

            var text = sb.ToString();
            byte[] bytes;
            if (!text.Contains(InvalidUtf8, StringComparison.Ordinal) && r.Next(25) == 0)
            {
                bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)];
            }
            else
            {
                var utf8 = Encoding.UTF8.GetBytes(text).ToList();
                var marker = Encoding.UTF8.GetBytes(InvalidUtf8);
                for (var i = utf8.Count - marker.Length; i >= 0; i--)
                {
                    if (utf8[i] == marker[0] && utf8[i + 1] == marker[1] && utf8[i + 2] == marker[2])
                    {
                        utf8.RemoveRange(i, marker.Length);
                        utf8.Insert(i, 0xFF);
                    }
                }

                // An empty log with a mark too: a file that is nothing but the mark is an empty file (it once crashed).
                bytes = r.Next(8) == 0 ? [.. Encoding.UTF8.GetPreamble(), .. utf8] : [.. utf8];
            }

            File.WriteAllBytes(Path.Combine(directory, "access_events.csv"), bytes);
        }
    }

    private sealed class TempDirectory : IDisposable
    {
        public TempDirectory() =>
            Path = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"aa-events-{Guid.NewGuid():N}")).FullName;

        public string Path { get; }

        public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
    }
}
