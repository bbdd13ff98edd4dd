using AccessAnalyzer.Sinks.Language;

namespace AccessAnalyzer.Tests.Reports;

public sealed class TextsTests
{
    [Fact]
    public void Every_key_has_a_text_in_every_language()
    {
        Texts.All().Should().NotBeEmpty();
        Texts.All().Should().OnlyContain(t => t.En.Trim().Length > 0 && t.Fr.Trim().Length > 0);
    }

    [Fact]
    public void Numbers_and_dates_follow_the_language()
    {
        Texts.Number(Lang.En, 1234567).Should().Be("1,234,567");
        Texts.Number(Lang.Fr, 1234567).Should().Be("1 234 567");
        Texts.Date(Lang.Fr, new DateOnly(2026, 11, 23)).Should().Be("23/11/2026");
        Texts.Get(Lang.Fr, "common.asOf", Texts.Date(Lang.Fr, new DateOnly(2026, 11, 23))).Should().Be("au 23/11/2026");
        Texts.TryParse("de", out _).Should().BeFalse();
    }
}
