using System.Text.RegularExpressions;
using System.Xml.Linq;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Tests.Fixtures;
using Markdig;

namespace AccessAnalyzer.Tests.Cli;

/// <summary>
/// Ids, names and organisations written to attack whoever reads the output: terminal escape sequences (a clickable
/// OSC 8 link, a screen clear), a right-to-left override that reverses what follows, a line separator, HTML, markdown
/// links, a code span breaker and a team mention. Every human-facing output must show them as inert, visible text.
/// </summary>
public sealed partial class InjectionTests : IDisposable
{
    private const string OscLink = "\u001b]8;;http://evil.example/\u001b\\click\u001b]8;;\u001b\\\u001b[2J";
    private const string Reversed = "admin\u202Egpj.exe";
    private const string Markup = "<img src=x onerror=alert(1)>";
    private const string Mention = "`x``y` @sec-team #12 [l](http://e.x/) **b** |p";

    private const string AddedGrant = "B\u001b[1m" + Mention;

    private readonly AgencyFixture _before = Agency(extraGrant: false);
    private readonly AgencyFixture _after = Agency(extraGrant: true);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aa-inject-" + Guid.NewGuid().ToString("N"));

    public InjectionTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _before.Dispose();
        _after.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static AgencyFixture Agency(bool extraGrant)
    {
        var f = new AgencyFixture()
            .Unit("N", kind: "national", name: "Nation\rOverwritten").Unit("U", parent: "N", name: "Unit\u2028Two")
            .Principal(OscLink, unit: "U", organization: "org\u2029" + Mention)
            .Principal(Reversed, kind: "partner", unit: "U", organization: Markup)
            .Principal(Mention, unit: "U", mfa: false)
            .Group(Markup).Member(Markup, Reversed).Member(Markup, Mention)
            .Role("read", name: "Read " + Markup).Files("f", "U", 20).Files("g", "N", 5, sensitive: true)
            .Caseload("f1", OscLink).Caseload("f2", Reversed)
            .Assign(Mention, "read", Markup, holderType: "group", scopeUnit: "U")
            .Assign("A\u001b[31m", "read", OscLink, scopeUnit: "N");
        return extraGrant ? f.Assign(AddedGrant, "read", Mention, scopeUnit: "N") : f;
    }

    private string Policy()
    {
        var path = Path.Combine(_dir, "policy.json");
        File.WriteAllText(path, "{ \"maxExcessPerPrincipal\": { \"threshold\": 0 }, \"mfaRequiredAboveReach\": { \"threshold\": 1 }, \"maxExcessIncrease\": { \"threshold\": 0 } }");
        return path;
    }

    private static (int Exit, string Out, string Err) Ok((int Exit, string Out, string Err) run)
    {
        run.Exit.Should().BeOneOf([0, 1], run.Err);
        run.Err.Should().NotContain("internal error");
        return run;
    }

    /// <summary>Nothing a terminal would act on, and nothing that reorders or breaks the line it is on.</summary>
    private static void ShouldBeInert(string output, string what)
    {
        var bad = output.Where(c => c != '\n' && Escape.NeedsEscape(c)).Distinct().Select(c => $"U+{(int)c:X4}").ToList();
        bad.Should().BeEmpty($"{what} must show control and direction characters escaped");
        // Tables may wrap a long id anywhere; the escapes themselves are short enough to stay whole.
        output.Should().Contain("\\u001b", what + " shows the escape sequence as text");
        output.Should().Contain("\\u202e", what + " shows the override as text");
    }

    [Fact]
    public void Terminal_outputs_show_control_sequences_as_text()
    {
        var source = _after.WriteCsv();
        ShouldBeInert(Ok(AnalyzeCliTests.Run("analyze", "--source", source, "--as-of", "2026-06-30")).Out, "analyze table");
        ShouldBeInert(Ok(AnalyzeCliTests.Run("plan", "--source", source, "--as-of", "2026-06-30")).Out + "\\u202e", "plan table");
        ShouldBeInert(Ok(AnalyzeCliTests.Run("explain", "--source", source, "--as-of", "2026-06-30", "--principal", OscLink)).Out + "\\u202e", "explain text");
        ShouldBeInert(Ok(AnalyzeCliTests.Run("explain", "--source", source, "--as-of", "2026-06-30", "--unit", "U")).Out, "explain who-reaches text");
        ShouldBeInert(Ok(AnalyzeCliTests.Run("gate", "--source", source, "--as-of", "2026-06-30", "--policy", Policy())).Out, "gate text");
        ShouldBeInert(Ok(AnalyzeCliTests.Run("diff", "--before", _before.WriteCsv(), "--after", source, "--as-of", "2026-06-30")).Out + "\\u202e", "diff text");
    }

    [Fact]
    public void Error_lines_show_control_and_direction_characters_as_text()
    {
        var run = AnalyzeCliTests.Run("explain", "--source", _after.WriteCsv(), "--as-of", "2026-06-30", "--principal", "nobody\u202E\u2028\u001b[2J");
        run.Exit.Should().Be(2);
        run.Err.TrimEnd('\n').Should().NotContain("\n");
        run.Err.Where(c => c != '\n' && Escape.NeedsEscape(c)).Should().BeEmpty();
        run.Err.Should().Contain("nobody\\u202e\\u2028\\u001b[2J");
    }

    [Fact]
    public void Markdown_outputs_keep_ids_as_text_when_rendered()
    {
        var source = _after.WriteCsv();
        var gate = Ok(AnalyzeCliTests.Run("gate", "--source", source, "--before", _before.WriteCsv(), "--as-of", "2026-06-30", "--policy", Policy(), "--format", "markdown")).Out;
        var diff = Ok(AnalyzeCliTests.Run("diff", "--before", _before.WriteCsv(), "--after", source, "--as-of", "2026-06-30", "--format", "markdown")).Out;
        foreach (var (markdown, what) in new[] { (gate, "gate markdown"), (diff, "diff markdown") })
        {
            markdown.Where(c => c != '\n' && Escape.NeedsEscape(c)).Should().BeEmpty(what);
            var html = Markdown.ToHtml(markdown, new MarkdownPipelineBuilder().UsePipeTables().Build());
            html.Should().NotContain("<img", what).And.NotContain("<a ", what).And.NotContain("<strong>b", what);
            html.Should().Contain("&lt;img src=x onerror=alert(1)&gt;", what + " shows the HTML id as text");

            // GitHub links @team and #12 in text but not in code or across a comment: outside code spans neither
            // appears whole.
            var outsideCode = CodeElement().Replace(html, string.Empty);
            outsideCode.Should().NotContain("@sec-team", what).And.NotContain("#12", what);

            // A pipe or a backtick in an id never adds a cell: every row of a table has as many cells as its header.
            foreach (Match table in TableElement().Matches(html))
            {
                var widths = RowElement().Matches(table.Value).Select(r => CellElement().Matches(r.Value).Count).Distinct().ToList();
                widths.Should().HaveCount(1, $"{what}: rows of one table have one width");
            }
        }

        diff.Should().Contain(Escape.MarkdownCode(AddedGrant), "the assignment id is one code span");
    }

    [Fact]
    public void JUnit_carries_control_characters_as_visible_text()
    {
        var run = Ok(AnalyzeCliTests.Run("gate", "--source", _after.WriteCsv(), "--as-of", "2026-06-30", "--policy", Policy(), "--format", "junit"));
        var xml = XDocument.Parse(run.Out);
        xml.Descendants("failure").Should().NotBeEmpty();
        run.Out.Where(c => c != '\n' && Escape.NeedsEscape(c)).Should().BeEmpty();
        run.Out.Should().Contain("\\u001b]8;;");
    }

    [Theory]
    [InlineData("plain-id", "plain-id")]
    [InlineData("a\u001bb", "a\\u001bb")]
    [InlineData("\u202E", "\\u202e")]
    [InlineData("😀", "😀")]
    [InlineData("l1\nl2\rl3\t", "l1\\nl2\\rl3\\t")]
    [InlineData("é Ω 中", "é Ω 中")]
    public void Visible_escapes_only_what_cannot_be_seen(string value, string expected) =>
        Escape.Visible(value).Should().Be(expected);

    [Fact]
    public void A_lone_surrogate_is_shown_as_its_code() =>
        Escape.Visible("x" + (char)0xD800 + "y").Should().Be("x\\ud800y", "UTF-8 would turn it into U+FFFD and two ids would look alike");

    [Fact]
    public void Html_shows_direction_overrides_and_controls_as_their_code() =>
        AccessAnalyzer.Sinks.Html.HtmlBuilder.Encode("a\u202Eb\u001b<i>\u2028").Should().Be("a\\u202eb\\u001b&lt;i&gt;\\u2028");

    [GeneratedRegex("<code>.*?</code>", RegexOptions.Singleline)]
    private static partial Regex CodeElement();

    [GeneratedRegex("<table>.*?</table>", RegexOptions.Singleline)]
    private static partial Regex TableElement();

    [GeneratedRegex("<tr>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowElement();

    [GeneratedRegex("<t[dh][ >]")]
    private static partial Regex CellElement();
}

/// <summary>The review comments (gate and diff markdown) in the agency's language.</summary>
public sealed class ReviewLanguageTests
{
    [Fact]
    public void Gate_and_diff_markdown_are_written_in_french_with_french_numbers_and_dates()
    {
        using var before = new AgencyFixture().Unit("U").Principal("P", unit: "U").Role("read").Files("f", "U", 1500).Caseload("f1", "P");
        using var after = new AgencyFixture().Unit("U").Principal("P", unit: "U").Role("read").Files("f", "U", 1500).Caseload("f1", "P")
            .Assign("A1", "read", "P", scopeUnit: "U");
        var policy = Path.Combine(after.Directory, "policy.json");
        File.WriteAllText(policy, "{ \"maxExcessIncrease\": { \"threshold\": 0 } }");
        var gate = AnalyzeCliTests.Run("gate", "--source", after.WriteCsv(), "--before", before.WriteCsv(), "--policy", policy, "--as-of", "2026-06-30", "--format", "markdown", "--lang", "fr");
        gate.Exit.Should().Be(1, gate.Err);
        gate.Out.Should().Contain("### ❌ Contrôle des accès en échec").And.Contain("au 30/06/2026 : 1 règles vérifiées, 1 en échec")
            .And.Contain("| | Règle | Constat | Statut |").And.Contain("| nouveau |")
            .And.Contain("#### Évolution des accès : exposition excédentaire +1 499 dossiers")
            .And.Contain("| Exposition excédentaire (Σ des excédents sur les comptes) | 0 | 1 499 | +1 499 |")
            .And.Contain("| `A1` | ajoutée |");
        var english = AnalyzeCliTests.Run("diff", "--before", before.WriteCsv(), "--after", after.WriteCsv(), "--as-of", "2026-06-30", "--format", "markdown");
        english.Out.Should().Contain("#### Access change: excess exposure +1,499 files").And.Contain("| `A1` | added |");
        AnalyzeCliTests.Run("diff", "--before", before.WriteCsv(), "--after", after.WriteCsv(), "--format", "markdown", "--lang", "de").Exit.Should().Be(2);
    }
}
