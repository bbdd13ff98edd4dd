namespace AccessAnalyzer.Core.Reporting;

/// <summary>
/// One stored run's headline figures, as the report store keeps them: what the trend across runs shows (a table in
/// <c>trend</c>, a chart in the HTML report, the change since the first run in the evidence pack). Distinct figures
/// are null for runs stored before they existed.
/// </summary>
public sealed record TrendPoint(
    Guid RunId,
    DateTimeOffset StoredAt,
    DateOnly AsOf,
    string Source,
    string ToolVersion,
    int Principals,
    long Files,
    long Exposure,
    long ExcessExposure,
    long SensitiveExcessExposure,
    int PrincipalsWithExcess,
    int Findings,
    long? DistinctReachableFiles,
    long? DistinctExcessFiles,
    long? DistinctSensitiveExcessFiles,
    long? DistinctPhishableFiles);
