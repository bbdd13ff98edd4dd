namespace AccessAnalyzer.Demo;

/// <summary>Size of the synthetic agency.</summary>
public enum DemoScale
{
    /// <summary>3 regions × 3 departments × 3 agencies, about 20,000 files and 300 principals: generates in well under a second.</summary>
    Small,

    /// <summary>13 regions plus 5 overseas, about 100 departments and 400 agencies, at least 1,000,000 files and 10,000 principals.</summary>
    Medium,

    /// <summary>
    /// The real agency's size: 13 regions plus 5 overseas, about 100 departments and 900 agencies, 36,820,828 files
    /// (the breach's count), about 57,000 accounts (55,000 staff, 2,300 partner advisors), 3,000+ groups nested in
    /// teams, about 100,000 assignments, and every open file in an advisor's caseload (about 30 million rows).
    /// </summary>
    France,
}

/// <summary>What to generate. The same options always produce byte-identical data.</summary>
/// <param name="Scale">Size of the agency.</param>
/// <param name="Seed">Seed of the only random source (<see cref="Random(int)"/>).</param>
/// <param name="AsOf">Analysis date the data is built around: last logins, expired and future assignments, shares and access events are placed relative to it.</param>
public sealed record DemoOptions(DemoScale Scale, int Seed, DateOnly AsOf);
