namespace AccessAnalyzer.Data.Demo;

/// <summary>Size of the synthetic agency.</summary>
public enum DemoScale
{
    /// <summary>3 regions × 3 departments × 3 agencies, about 20,000 files and 300 principals: generates in well under a second.</summary>
    Small,

    /// <summary>13 regions plus 5 overseas, about 100 departments and 400 agencies, at least 1,000,000 files and 10,000 principals.</summary>
    Medium,
}

/// <summary>What to generate. The same options always produce byte-identical data.</summary>
/// <param name="Scale">Size of the agency.</param>
/// <param name="Seed">Seed of the only random source (<see cref="Random(int)"/>).</param>
/// <param name="AsOf">Analysis date the data is built around: last logins, expired and future assignments, shares and access events are placed relative to it.</param>
public sealed record DemoOptions(DemoScale Scale, int Seed, DateOnly AsOf);
