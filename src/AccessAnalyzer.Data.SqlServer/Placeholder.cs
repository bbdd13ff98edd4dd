namespace AccessAnalyzer.Data.SqlServer;

internal static class Placeholder;
