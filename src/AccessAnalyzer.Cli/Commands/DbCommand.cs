using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using AccessAnalyzer.Core.Input;
using AccessAnalyzer.Core.Reporting;
using AccessAnalyzer.Sources;
using AccessAnalyzer.Sources.Database;
using AccessAnalyzer.Sources.Export;

namespace AccessAnalyzer.Cli.Commands;

/// <summary>
/// <c>db init</c> creates the canonical schema, the report tables and the dashboard views in a database;
/// <c>db export</c> writes any source as the canonical CSV files (<see cref="CanonicalExport"/>);
/// <c>db load</c> bulk-loads a directory of canonical CSV files into it (COPY for PostgreSQL, SqlBulkCopy for
/// SQL Server, prepared inserts for SQLite), all or nothing: one transaction, and a new SQLite file built under a
/// temporary name and renamed into place once complete. The connection string of a server database comes from
/// <c>--connection-file</c> or <c>AA_CONNECTION</c>, never from the command line, and is never printed.
/// </summary>
public static class DbCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("db", "Create the canonical schema in a database, load canonical CSV files into it, export any source as them.")
        {
            Init(context),
            Load(context),
            Template(context),
            Export(context),
        };
        return command;
    }

    private sealed record Target(Option<string> Dialect, Option<string?> Schema, Option<string?> Database, Option<string?> ConnectionFile);

    private static Target TargetOptions()
    {
        var dialect = new Option<string>("--dialect") { Description = "sqlite, postgres or sqlserver.", Required = true };
        dialect.AcceptOnlyFromAmong("sqlite", "postgres", "sqlserver");
        var schema = new Option<string?>("--schema") { Description = "Schema of the canonical names and report tables (postgres, sqlserver). Default: aa." };
        var database = new Option<string?>("--database") { Description = "The SQLite database file (created if missing); sqlite only." };
        var connectionFile = new Option<string?>("--connection-file")
        {
            Description = $"File holding the connection string (postgres, sqlserver). Default: the {SourceResolver.ConnectionVariable} environment variable.",
        };
        return new Target(dialect, schema, database, connectionFile);
    }

    private static Command Init(CliContext context)
    {
        var target = TargetOptions();
        var noReports = new Option<bool>("--no-reports") { Description = "Create only the canonical input tables, not the report tables and views." };
        var command = new Command("init", "Create the canonical tables and indexes, the report tables and the dashboard views (idempotent).")
        {
            target.Dialect, target.Schema, target.Database, target.ConnectionFile, noReports,
        };
        command.SetAction(parse =>
        {
            var (provider, dialect, connectionString) = Resolve(parse, target);
            var name = provider.Describe(connectionString);
            Run(name, () =>
            {
                using var connection = provider.Open(connectionString);
                CanonicalLoader.Init(connection, dialect, reports: !parse.GetValue(noReports));
            });
            context.Out.WriteLine(MessageText.OneLine(
                $"initialized {name}{SchemaText(dialect)}: canonical tables{(parse.GetValue(noReports) ? "" : ", report tables and views")}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Prints the mapping template, embedded so that an installed tool has it without the repository.</summary>
    private static Command Template(CliContext context)
    {
        var dialect = new Option<string>("--dialect") { Description = "sqlite, postgres or sqlserver.", Required = true };
        dialect.AcceptOnlyFromAmong("sqlite", "postgres", "sqlserver");
        var schema = new Option<string?>("--schema") { Description = "Schema of the canonical names (postgres, sqlserver). Default: aa." };
        var command = new Command("template", "Print the mapping template: the canonical names as views over an agency's own tables, to copy and edit.")
        {
            dialect, schema,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(dialect)!;
            var schemaValue = parse.GetValue(schema);
            if (name == "sqlite" && schemaValue is not null)
            {
                throw new UsageException("--schema applies to postgres and sqlserver");
            }

            try
            {
                context.Out.Write(SqlScripts.Text(name, SqlScripts.MappingTemplate, schemaValue));
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--schema: {ex.Message}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Load(CliContext context)
    {
        var target = TargetOptions();
        var from = new Option<string>("--from") { Description = "Directory of canonical CSV files (<table>.csv).", Required = true };
        var quiet = CommonOptions.Quiet();
        var command = new Command("load",
            "Bulk-load a directory of canonical CSV files into empty canonical tables (created if missing), all or nothing: a failed load changes nothing, and leaves no new SQLite file.")
        {
            target.Dialect, target.Schema, target.Database, target.ConnectionFile, from, quiet,
        };
        command.SetAction(parse =>
        {
            var (provider, dialect, connectionString) = Resolve(parse, target);
            var name = provider.Describe(connectionString);
            var directory = parse.GetValue(from)!;
            var summary = context.WithProgress(parse.GetValue(quiet), "Loading", progress =>
            {
                LoadSummary? result = null;
                Run(name, () => result = CanonicalLoader.LoadCsv(provider, connectionString, dialect, directory, progress));
                return result!;
            });
            var tables = string.Join(", ", summary.RowsPerTable.Select(kv => $"{kv.Key} {Numbers.Grouped(kv.Value)}"));
            context.Out.WriteLine(MessageText.OneLine(
                $"loaded {Numbers.Grouped(summary.TotalRows)} rows into {name}{SchemaText(dialect)}: {tables}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export(CliContext context)
    {
        var from = new Option<string>("--from") { Description = SourceArguments.SourceDescription, Required = true };
        var to = new Option<string>("--to")
        {
            Description = "Directory to write <table>.csv into, created whole or not at all: it must not exist or be empty, unless --replace.",
            Required = true,
        };
        var replace = new Option<bool>("--replace")
        {
            Description = "--to may hold an earlier export (nothing but canonical <table>.csv files): it is replaced whole, files of tables the source lacks included.",
        };
        var quiet = CommonOptions.Quiet();
        var command = new Command("export",
            "Write any source's canonical tables as the canonical CSV files (the files the CSV source reads and the demo writes), " +
            "rows sorted by key (ordinal order of the text), so that exports diff well. Optional tables the source lacks get no file. " +
            "Text is written as the source holds it (booleans, dates and numbers in their canonical spelling), so the files load back " +
            "unchanged: text a spreadsheet would run as a formula (starting with =, +, -, @) is not neutralised. These are input data, " +
            "not a report: open them in a spreadsheet only as text.")
        {
            from, to, replace, quiet,
        };
        var sourceArguments = SourceArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var options = sourceArguments.Resolve(context, parse);
            var source = CliContext.ResolveSource(parse.GetValue(from)!, options);
            var target = ExportDirectory.Check(parse.GetValue(to)!, parse.GetValue(replace));
            var counts = context.WithProgress(parse.GetValue(quiet), "Exporting", progress => target.Write(staging =>
            {
                using var tables = source.OpenTables();
                return CanonicalExport.Write(tables, staging, progress);
            }));
            var list = string.Join(", ", counts.Select(kv => $"{kv.Key} {Numbers.Grouped(kv.Value)}"));
            context.Out.WriteLine(MessageText.OneLine(
                $"exported {Numbers.Grouped(counts.Values.Sum())} rows from {source.Name} to {target.Path}: {list}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (IDatabaseProvider Provider, ISqlDialect Dialect, string ConnectionString) Resolve(ParseResult parse, Target target)
    {
        var provider = CliContext.Sources.Provider(parse.GetValue(target.Dialect)!);
        var schema = parse.GetValue(target.Schema);
        var database = parse.GetValue(target.Database);
        var connectionFile = parse.GetValue(target.ConnectionFile);
        string connectionString;
        if (provider.Name == "sqlite")
        {
            if (schema is not null || connectionFile is not null)
            {
                throw new UsageException("--schema and --connection-file apply to postgres and sqlserver; SQLite takes --database FILE");
            }

            connectionString = database ?? throw new UsageException("--dialect sqlite needs --database FILE");
        }
        else
        {
            if (database is not null)
            {
                throw new UsageException($"--database applies to sqlite; {provider.Name} takes its connection string from --connection-file or {SourceResolver.ConnectionVariable}");
            }

            connectionString = SourceResolver.ConnectionString(provider.Name, new SourceOptions { ConnectionFile = connectionFile });
        }

        try
        {
            return (provider, provider.CreateDialect(schema), connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"--schema: {ex.Message}");
        }
    }

    /// <summary>A database error is bad input or configuration naming the database (exit 2), not an internal error.</summary>
    private static void Run(string database, Action action)
    {
        try
        {
            action();
        }
        catch (DbException ex)
        {
            throw new InputErrorException(database, null, null, ex.Message);
        }
    }

    private static string SchemaText(ISqlDialect dialect) => dialect.Schema is null ? "" : $" (schema {dialect.Schema})";
}
