using System.Globalization;
using System.Text;
using AccessAnalyzer.Demo;
using AccessAnalyzer.Demo.SqliteFile;
using Microsoft.Data.Sqlite;

namespace AccessAnalyzer.Tests.Demo;

/// <summary>
/// The demo's SQLite writer lays out b-tree pages itself: SQLite must find in them exactly the rows written, in every
/// index in its order, and pass its own integrity check, whatever the page size, the value lengths (overflow chains in
/// table and index cells) or the repeats.
/// </summary>
public sealed class SqlitePageWriterTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "aa-page-writer-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public static TheoryData<int, int, int> Cases => new()
    {
        { 512, 1, 3000 },
        { 1024, 2, 2000 },
        { 4096, 3, 20000 },
        { 65536, 4, 5000 },
        { 512, 5, 0 },
        { 512, 6, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sqlite_reads_back_every_row_and_every_index_in_order(int pageSize, int seed, int fileCount)
    {
        var rng = new Random(seed);
        var db = Path.Combine(_root, "random.db");
        var units = Enumerable.Range(0, 7).Select(i => Text(rng, i == 0 ? 1500 : 12)).Append(string.Empty).ToArray();
        var principals = Enumerable.Range(0, 40).Select(i => "P" + i.ToString("D3", CultureInfo.InvariantCulture) + (i % 9 == 0 ? Text(rng, 700) : "")).ToArray();
        var files = new List<string[]>();
        var caseload = new List<string[]>();
        var events = new List<string[]>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using (var writer = new SqliteCanonicalWriter(db, pageSize))
        {
            writer.WriteAccountPolicy("partner", 50, mfaRequired: false);
            writer.WriteAccountPolicy("staff", -2_000_000_000, mfaRequired: true);
            foreach (var boundary in Boundaries)
            {
                writer.WriteAccountPolicy("b", boundary, mfaRequired: false);
            }
            foreach (var principal in principals)
            {
                writer.WritePrincipal(principal, AccessAnalyzer.Core.Input.PrincipalKind.Staff, "staff", units[rng.Next(units.Length)], "N " + principal, true, false, null);
            }

            while (files.Count < fileCount)
            {
                // Ids in no order, some long enough to spill out of any page size into overflow chains.
                var id = rng.Next(4) switch
                {
                    0 => "F" + rng.Next(1_000_000).ToString("D7", CultureInfo.InvariantCulture),
                    1 => Text(rng, rng.Next(1, 30)),
                    2 => "F" + Text(rng, rng.Next(100, 5000)),
                    _ => "é" + rng.Next(100_000).ToString(CultureInfo.InvariantCulture),
                };
                if (!ids.Add(id))
                {
                    continue;
                }

                var row = new[] { id, units[rng.Next(units.Length)], rng.Next(2) == 0 ? "true" : "false", rng.Next(3) == 0 ? "true" : "false" };
                files.Add(row);
                writer.WriteFile(row[0], row[1], row[2] == "true", row[3] == "true");

                // Caseload rows interleaved with the files, repeats included, some naming files that do not exist.
                for (var k = rng.Next(3); k > 0; k--)
                {
                    var file = rng.Next(5) == 0 ? "missing-" + rng.Next(50) : files[rng.Next(files.Count)][0];
                    var pair = new[] { file, principals[rng.Next(principals.Length)] };
                    caseload.Add(pair);
                    writer.WriteCaseload(pair[0], pair[1]);
                    if (rng.Next(10) == 0)
                    {
                        caseload.Add(pair);
                        writer.WriteCaseload(pair[0], pair[1]);
                    }
                }

                if (rng.Next(4) == 0)
                {
                    var at = new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc).AddMinutes(rng.Next(100_000));
                    var e = new[] { principals[rng.Next(principals.Length)], id, at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), "read" };
                    events.Add(e);
                    writer.WriteAccessEvent(e[0], e[1], at, e[3]);
                }
            }

            writer.Complete();
        }

        using var connection = Open(db);
        Scalar(connection, "PRAGMA integrity_check").Should().Be("ok");
        Scalar(connection, "PRAGMA page_size").Should().Be(pageSize.ToString(CultureInfo.InvariantCulture));
        Rows(connection, "SELECT id, unit_id, sensitive, closed FROM files ORDER BY rowid").Should().Equal(files.Select(Join));
        Rows(connection, "SELECT file_id, principal_id FROM caseload ORDER BY rowid").Should().Equal(caseload.Select(Join));
        Rows(connection, "SELECT principal_id, file_id, at, action FROM access_events ORDER BY rowid").Should().Equal(events.Select(Join));
        Rows(connection, "SELECT organization, typeof(lockout_threshold), lockout_threshold, mfa_required FROM account_policy ORDER BY rowid")
            .Should().Equal(new[] { "partner|integer|50|false", "staff|integer|-2000000000|true" }
                .Concat(Boundaries.Select(b => $"b|integer|{b.ToString(CultureInfo.InvariantCulture)}|false")));

        // Each index in its own order: SQLite walks the index for these, so a misplaced entry shows as a wrong order.
        var fileRows = files.Select((f, i) => (Row: f, Rowid: i + 1)).ToList();
        Rows(connection, "SELECT id, rowid FROM files INDEXED BY sqlite_autoindex_files_1 ORDER BY id")
            .Should().Equal(fileRows.OrderBy(f => f.Row[0], Utf8Order).Select(f => f.Row[0] + "|" + f.Rowid));
        Rows(connection, "SELECT unit_id, sensitive, closed, rowid FROM files INDEXED BY ix_files_unit_class ORDER BY unit_id, sensitive, closed")
            .Should().Equal(fileRows.OrderBy(f => f.Row[1], Utf8Order).ThenBy(f => f.Row[2], Utf8Order).ThenBy(f => f.Row[3], Utf8Order).ThenBy(f => f.Rowid)
                .Select(f => $"{f.Row[1]}|{f.Row[2]}|{f.Row[3]}|{f.Rowid}"));
        var caseloadRows = caseload.Select((c, i) => (Row: c, Rowid: i + 1)).ToList();
        Rows(connection, "SELECT file_id, principal_id, rowid FROM caseload INDEXED BY ix_caseload_file_principal ORDER BY file_id, principal_id")
            .Should().Equal(caseloadRows.OrderBy(c => c.Row[0], Utf8Order).ThenBy(c => c.Row[1], Utf8Order).ThenBy(c => c.Rowid).Select(c => $"{c.Row[0]}|{c.Row[1]}|{c.Rowid}"));
        Rows(connection, "SELECT principal_id, rowid FROM caseload INDEXED BY ix_caseload_principal ORDER BY principal_id")
            .Should().Equal(caseloadRows.OrderBy(c => c.Row[1], Utf8Order).ThenBy(c => c.Rowid).Select(c => $"{c.Row[1]}|{c.Rowid}"));

        // Lookups descend the trees: every key found as often as written, and a key never written not at all.
        foreach (var (file, _) in fileRows.Take(200))
        {
            Scalar(connection, "SELECT count(*) FROM files INDEXED BY sqlite_autoindex_files_1 WHERE id = $v", file[0]).Should().Be("1");
            Scalar(connection, "SELECT count(*) FROM caseload INDEXED BY ix_caseload_file_principal WHERE file_id = $v", file[0])
                .Should().Be(caseload.Count(c => c[0] == file[0]).ToString(CultureInfo.InvariantCulture));
        }

        Scalar(connection, "SELECT count(*) FROM files INDEXED BY sqlite_autoindex_files_1 WHERE id = $v", "never written").Should().Be("0");
        Directory.GetFiles(_root).Select(Path.GetFileName).Should().Equal("random.db");

        // The planner's statistics are the ones SQLite's own ANALYZE gathers from the same pages.
        var statistics = "SELECT tbl || '|' || coalesce(idx, '-') || '|' || stat FROM sqlite_stat1 ORDER BY 1";
        var ours = Rows(connection, statistics);
        ours.Should().Contain(s => s.StartsWith("account_policy|-|2", StringComparison.Ordinal));
        var copy = Path.Combine(_root, "analyzed.db");
        File.Copy(db, copy);
        using (var analyzed = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString()))
        {
            analyzed.Open();
            using (var command = analyzed.CreateCommand())
            {
                command.CommandText = "DELETE FROM sqlite_stat1; ANALYZE;";
                command.ExecuteNonQuery();
            }

            Rows(analyzed, statistics).Should().Equal(ours);
        }
    }

    [Fact]
    public void No_btree_page_sits_on_the_lock_byte_page()
    {
        // SQLite locks the byte at 1 GiB and never uses its page; moved to page 100 here, it is the one page SQLite
        // finds in no b-tree, and the rows and overflow chains written around it read back whole.
        var db = Path.Combine(_root, "lock.db");
        var ids = Enumerable.Range(0, 400).Select(i => "F" + i.ToString("D4", CultureInfo.InvariantCulture) + new string('x', i % 5 == 0 ? 1500 : 3)).ToList();
        using (var writer = new SqliteCanonicalWriter(db, 512, 1 << 16, lockBytePage: 100))
        {
            foreach (var id in ids)
            {
                writer.WriteFile(id, "U1", false, true);
                writer.WriteCaseload(id, "P1");
            }

            writer.Complete();
        }

        using var connection = Open(db);
        Rows(connection, "PRAGMA integrity_check").Should().Equal("*** in database main ***\nPage 100: never used");
        Rows(connection, "SELECT id FROM files ORDER BY rowid").Should().Equal(ids);
        Rows(connection, "SELECT file_id FROM caseload INDEXED BY ix_caseload_file_principal ORDER BY file_id").Should().Equal(ids.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(20)]
    [InlineData(5)]
    [InlineData(1)]
    public void Index_order_is_key_columns_then_rowid_in_one_key_or_group_by_group(int keyBits)
    {
        // Three columns with NULLs and repeats (16 bits of key, 13 of row): the row packed below the key (64 bits), moved
        // beside it (20), or narrower keys that force the sort of one group of columns after another (5, 1).
        var rng = new Random(keyBits);
        const int rows = 5000;
        var values = Enumerable.Range(0, 300).ToArray();
        var ranks = values.OrderBy(_ => rng.Next()).ToArray();
        var columns = new[] { new ChunkedInts(), new ChunkedInts(), new ChunkedInts() };
        var table = new int[rows][];
        for (var r = 0; r < rows; r++)
        {
            table[r] = [rng.Next(-1, 20), rng.Next(-1, 300), rng.Next(-1, 3)];
            for (var c = 0; c < 3; c++)
            {
                columns[c].Add(table[r][c]);
            }
        }

        var sorted = IndexOrder.Sort(columns, rows, ranks, new IndexWorkspace(), keyBits);

        int Key(int v) => v < 0 ? -1 : ranks[v];
        var expected = Enumerable.Range(0, rows).OrderBy(r => Key(table[r][0])).ThenBy(r => Key(table[r][1])).ThenBy(r => Key(table[r][2])).ThenBy(r => r).ToList();
        Enumerable.Range(0, rows).Select(sorted.Row).Should().Equal(expected);
        for (var p = 0; p < rows; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                sorted.Value(c, p).Should().Be(table[expected[p]][c]);
            }
        }
    }

    [Fact]
    public void A_repeated_primary_key_fails_and_leaves_the_target_as_it_was()
    {
        var db = Path.Combine(_root, "agency.db");
        File.WriteAllText(db, "the previous database");
        using (var writer = new SqliteCanonicalWriter(db, 512))
        {
            for (var i = 0; i < 2000; i++)
            {
                writer.WriteFile("F" + i.ToString("D5", CultureInfo.InvariantCulture), "U1", false, false);
            }

            writer.WriteFile("F01234", "U2", true, false);
            var complete = () => writer.Complete();
            complete.Should().Throw<InvalidOperationException>().WithMessage("UNIQUE constraint failed: files*rows 1235 and 2001*");
        }

        File.ReadAllText(db).Should().Be("the previous database");
        Directory.GetFiles(_root).Select(Path.GetFileName).Should().Equal("agency.db");
    }

    [Fact]
    public void A_null_in_a_not_null_column_is_refused_as_sqlite_refuses_it()
    {
        var db = Path.Combine(_root, "agency.db");
        using (var writer = new SqliteCanonicalWriter(db))
        {
            var write = () => writer.WriteCaseload("F1", null!);
            write.Should().Throw<InvalidOperationException>().WithMessage("NOT NULL constraint failed: caseload.principal_id");
        }

        Directory.GetFiles(_root).Should().BeEmpty();
    }

    [Fact]
    public void Two_writers_of_one_target_do_not_share_a_partial_file()
    {
        var db = Path.Combine(_root, "agency.db");
        var first = new SqliteCanonicalWriter(db);
        using (var second = new SqliteCanonicalWriter(db))
        {
            first.Dispose();
            second.WriteFile("F1", "U1", false, false);
            second.Complete();
        }

        using var connection = Open(db);
        Rows(connection, "SELECT id FROM files").Should().Equal("F1");
        Directory.GetFiles(_root).Select(Path.GetFileName).Should().Equal("agency.db");
    }

    [Fact]
    public async Task A_failure_of_the_numbering_thread_reaches_the_writer_instead_of_blocking_it()
    {
        // A null column makes the thread that numbers the values throw (as running out of memory would): the writing
        // thread must get that error at a later batch or at Finish, not wait forever on a full queue.
        var run = Task.Run(() =>
        {
            using var intake = new KeyIntake(new IndexKeys(16));
            intake.Add(null!, "x"u8, isNull: false);
            var column = new ChunkedInts();
            for (var i = 0; i < 200_000; i++)
            {
                intake.Add(column, "y"u8, isNull: false);
            }

            intake.Finish();
        });

        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        finished.Should().BeSameAs(run, "the writer must not block");
        await run.Invoking(r => r).Should().ThrowAsync<NullReferenceException>();
    }

    [Fact]
    public void A_new_writer_removes_the_partial_file_of_a_process_that_no_longer_runs_and_nothing_else()
    {
        var db = Path.Combine(_root, "agency.db");
        var guid = Guid.NewGuid().ToString("N");

        // No process ever has the id int.MaxValue: the file of a writer killed outright. Its journal goes with it.
        var abandoned = $"{db}.partial-{int.MaxValue}-{guid}";
        // This test's own process runs: a writer at work.
        var running = $"{db}.partial-{Environment.ProcessId}-{guid}";
        // A process of that id runs nowhere here, but the file is held open, as a writer on another machine sharing
        // the directory (or in another container) holds its own.
        var held = $"{db}.partial-{int.MaxValue}-{Guid.NewGuid():N}";
        // Names this tool did not write, and another target's partial file.
        var others = new[] { $"{db}.partial-notes.txt", $"{db}.partial-{int.MaxValue}-not-a-guid", Path.Combine(_root, $"other.db.partial-{int.MaxValue}-{guid}") };
        foreach (var file in new[] { abandoned, abandoned + "-journal", running, held }.Concat(others))
        {
            File.WriteAllText(file, "x");
        }

        using (new FileStream(held, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        using (var writer = new SqliteCanonicalWriter(db))
        {
            writer.WriteFile("F1", "U1", false, false);
            writer.Complete();
        }

        Directory.GetFiles(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal).Should().Equal(
            new[] { db, running, held }.Concat(others).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Wildcards_in_the_target_name_do_not_reach_another_targets_partial_files()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // * and ? cannot be in a Windows file name; on Linux and macOS they can
        }

        // Abandoned partial files of a.db and ab.db: a pattern "a*.db.partial-*" or "a?.db.partial-*" would list
        // them, and cut their names at the wrong place.
        var files = new[] { $"a.db.partial-{int.MaxValue}-{Guid.NewGuid():N}", $"ab.db.partial-{int.MaxValue}-{Guid.NewGuid():N}" };
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(_root, file), "x");
        }

        foreach (var target in new[] { "a*.db", "a?.db" })
        {
            using var writer = new SqliteCanonicalWriter(Path.Combine(_root, target));
            writer.WriteFile("F1", "U1", false, false);
            writer.Complete();
        }

        Directory.GetFiles(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal).Should().Equal(
            new[] { "a*.db", "a?.db" }.Concat(files).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_writer_disposed_before_complete_leaves_no_file()
    {
        var db = Path.Combine(_root, "agency.db");
        using (var writer = new SqliteCanonicalWriter(db))
        {
            writer.WriteFile("F1", "U1", false, false);
        }

        Directory.GetFiles(_root).Should().BeEmpty();
    }

    /// <summary>Each integer width SQLite stores (0 and 1 in the header alone, then 8, 16, 24 and 32 bits), at its edges.</summary>
    private static readonly int[] Boundaries = [0, 1, 2, -1, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 8_388_607, 8_388_608, -8_388_608, -8_388_609, int.MaxValue, int.MinValue];

    private static readonly Comparer<string> Utf8Order = Comparer<string>.Create((a, b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));

    private static string Text(Random rng, int length)
    {
        const string alphabet = "abcXYZ019-_ éü€😀";
        var sb = new StringBuilder(length);
        while (sb.Length < length)
        {
            var c = alphabet[rng.Next(alphabet.Length)];
            if (char.IsHighSurrogate(c))
            {
                continue;
            }

            sb.Append(char.IsLowSurrogate(c) ? "😀" : c.ToString());
        }

        return sb.ToString();
    }

    private static string Join(string[] row) => string.Join("|", row);

    private static SqliteConnection Open(string db)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static string Scalar(SqliteConnection connection, string sql, string? value = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (value is not null)
        {
            command.Parameters.AddWithValue("$v", value);
        }

        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture)!;
    }

    private static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
