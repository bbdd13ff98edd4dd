using System.CommandLine;
using AccessAnalyzer.Sinks;
using AccessAnalyzer.Sinks.Language;
using AccessAnalyzer.Sinks.Store;
using AccessAnalyzer.Sources;

namespace AccessAnalyzer.Cli.Commands;

/// <summary><c>trend</c>: the runs stored in a report store, oldest first, with the change since the previous run.</summary>
internal static class TrendCommand
{
    public static Command Create(CliContext context)
    {
        var history = HistoryArguments.Option(required: true);
        var format = CliContext.FormatOption(Outputs.Trend);
        var output = CommonOptions.Output("the trend");
        var lang = LangOption.Create();
        var command = new Command("trend", "Show the runs stored in a report store (analyze --store / --store-to), with the change since the previous run.")
        {
            history, format, output, lang,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var sourceOptions = sourceArguments.Resolve(context, parse);
            var target = HistoryArguments.Resolve(parse.GetValue(history)!, sourceOptions);
            var runs = ReportHistory.Read(target);
            context.Render(Outputs.Trend, new TrendReport(target.Name, runs, LangOption.Parse(parse, lang)), parse.GetValue(format)!, parse.GetValue(output));
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary><c>--history</c>: the report store whose runs give the trend, named as <c>--store-to</c> names one.</summary>
internal static class HistoryArguments
{
    public static Option<string?> Option(bool required) => new("--history")
    {
        Description = "The report store to read stored runs from: postgres, sqlserver (connection string from --connection-file or AA_CONNECTION) or an SQLite file.",
        Required = required,
    };

    /// <summary>The store the argument names; an SQLite file must exist (reading never creates one).</summary>
    public static StoreTarget Resolve(string argument, SourceOptions options)
    {
        if (!CliContext.Sources.DatabaseNames.Contains(argument, StringComparer.OrdinalIgnoreCase) && !File.Exists(argument))
        {
            throw new UsageException($"--history: '{argument}' is neither postgres, sqlserver nor an existing SQLite file");
        }

        return CliContext.Sources.ResolveStoreTarget(argument, options);
    }
}

/// <summary><c>--lang en|fr</c>: the language of the documents people read (markdown, HTML, evidence pack).</summary>
internal static class LangOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--lang") { Description = "Language of the documents for people: en or fr.", DefaultValueFactory = _ => "en" };
        option.AcceptOnlyFromAmong("en", "fr");
        return option;
    }

    public static Lang Parse(ParseResult parse, Option<string> option) =>
        Texts.TryParse(parse.GetValue(option), out var lang) ? lang : throw new UsageException("--lang: expected en or fr");
}
