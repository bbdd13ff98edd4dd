using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Core.Model;

/// <summary>
/// What the source held of the inputs that some checks depend on: each optional table, and the principals.last_login
/// column. Coverage is read from it, so that a missing input is reported instead of passing as a clean result.
/// </summary>
public sealed record InputPresence(
    TableStatus AccessEvents,
    TableStatus AccountPolicy,
    TableStatus Shares,
    TableStatus Justifications,
    bool LastLoginColumn,
    int LastLoginValues)
{
    /// <summary>The status of an optional table by canonical name.</summary>
    public TableStatus Of(string table) => table switch
    {
        OptionalTables.AccessEvents => AccessEvents,
        OptionalTables.AccountPolicy => AccountPolicy,
        OptionalTables.Shares => Shares,
        OptionalTables.Justifications => Justifications,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "not an optional table"),
    };
}
