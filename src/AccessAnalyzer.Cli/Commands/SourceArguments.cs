using System.CommandLine;
using AccessAnalyzer.Core.Model;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sinks.Store;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>The options every command that reads a source shares: how to reach a database, never with a secret on the command line.</summary>
internal sealed class SourceArguments
{
    public const string SourceDescription =
        "A directory of canonical CSV files, an SQLite database file, or postgres / sqlserver (connection string from --connection-file or AA_CONNECTION).";

    private readonly Option<string?> _connectionFile = new("--connection-file")
    {
        Description = $"File holding the connection string for postgres / sqlserver sources (default: the {SourceResolver.ConnectionVariable} variable; never on the command line).",
    };

    private readonly Option<string?> _schema = new("--schema") { Description = "Schema of the canonical tables in a postgres / sqlserver source (default aa)." };

    private readonly Option<bool> _requireReadOnly = new("--require-read-only") { Description = "Exit 2, rather than warn, when the login can modify the input tables." };

    private readonly Option<string?> _transfer = CreateTransfer();

    private static Option<string?> CreateTransfer()
    {
        var option = new Option<string?>("--transfer")
        {
            Description = "How a database's big tables reach the analysis: stream (rows read here, fastest near the database), " +
                "pushdown (GROUP BYs in the database, for one far away) or auto (default: stream for SQLite and a server on this machine).",
        };
        option.AcceptOnlyFromAmong("auto", "pushdown", "stream");
        return option;
    }

    public static SourceArguments AddTo(Command command)
    {
        var arguments = new SourceArguments();
        command.Add(arguments._transfer);
        command.Add(arguments._connectionFile);
        command.Add(arguments._schema);
        command.Add(arguments._requireReadOnly);
        return arguments;
    }

    public SourceOptions Resolve(CliContext context, ParseResult parse) =>
        context.SourceOptions(parse.GetValue(_connectionFile), parse.GetValue(_schema), parse.GetValue(_requireReadOnly)) with
        {
            Transfer = Transfer.Parse(parse.GetValue(_transfer)) ?? TransferMode.Auto,
        };
}

/// <summary><c>--store</c> and <c>--store-to</c>: write the run into the report tables, in one transaction.</summary>
internal sealed class StoreArguments
{
    private readonly Option<bool> _store = new("--store") { Description = "Write the run into the report tables of the source database (one transaction; runs never overwrite each other)." };

    private readonly Option<string?> _storeTo = new("--store-to") { Description = "Write the run into another database: postgres, sqlserver or an SQLite file (created if missing)." };

    public static StoreArguments AddTo(Command command)
    {
        var arguments = new StoreArguments();
        command.Add(arguments._store);
        command.Add(arguments._storeTo);
        return arguments;
    }

    public bool Requested(ParseResult parse) => parse.GetValue(_store) || parse.GetValue(_storeTo) is not null;

    /// <summary>Stores the run when asked; the report must cover every principal.</summary>
    public void Write(CliContext context, ParseResult parse, SourceOptions options, ISource source, AnalysisReport fullReport,
        Snapshot snapshot, RemediationPlan? plan, string command)
    {
        if (!Requested(parse))
        {
            return;
        }

        var target = parse.GetValue(_storeTo) is { } storeTo
            ? CliContext.Sources.ResolveStoreTarget(storeTo, options)
            : source.Store ?? throw new UsageException("--store writes into the source database; a CSV source has none: use --store-to postgres|sqlserver|FILE.db");
        using var session = ReportStore.Open(target);
        var runId = session.Write(new StoredRun { Report = fullReport, Snapshot = snapshot, Plan = plan, Command = command, ToolVersion = ToolInfo.Version });
        context.Error.WriteLine($"stored run {runId} in {session.Name}");
    }
}
