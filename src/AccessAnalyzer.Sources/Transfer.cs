using System.Net;

namespace AccessAnalyzer.Sources;

/// <summary>How a database source's big tables (files, caseload, shares, access_events) reach the analysis.</summary>
public enum TransferMode
{
    /// <summary>Stream when the database is near (SQLite, or a server on this machine), push down otherwise.</summary>
    Auto,

    /// <summary>GROUP BYs run in the database; only aggregates cross the wire (for a database far from the analyzer).</summary>
    Pushdown,

    /// <summary>Rows read one by one into the in-process pipeline of the CSV source.</summary>
    Stream,
}

/// <summary>What <c>--transfer auto</c> decides, and why, from what is known before reading a row.</summary>
public static class Transfer
{
    /// <summary>The <c>--transfer</c> value, or null when it is none of auto, pushdown, stream.</summary>
    public static TransferMode? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        null or "auto" => TransferMode.Auto,
        "pushdown" => TransferMode.Pushdown,
        "stream" => TransferMode.Stream,
        _ => null,
    };

    /// <summary>
    /// The mode for a source and the reason shown with it. Streaming moves every row of the big tables to the client,
    /// which is cheap only when the rows do not cross a network: SQLite is a local file; a PostgreSQL server reached
    /// over a Unix socket or a loopback address is on this machine. A server elsewhere keeps the GROUP BYs. SQL Server
    /// stays on pushdown under auto until streaming from it is tested against a real server.
    /// </summary>
    /// <param name="requested">What <c>--transfer</c> asked.</param>
    /// <param name="kind">The source's kind.</param>
    /// <param name="host">The server's host as the connection string gives it (null for SQLite or when unknown).</param>
    public static (TransferMode Mode, string Reason) Decide(TransferMode requested, SourceKind kind, string? host)
    {
        if (requested != TransferMode.Auto)
        {
            return (requested, "--transfer " + (requested == TransferMode.Stream ? "stream" : "pushdown"));
        }

        return kind switch
        {
            SourceKind.Sqlite => (TransferMode.Stream, "auto: SQLite is a local file"),
            SourceKind.Postgres when IsLocal(host) => (TransferMode.Stream, "auto: the server is on this machine"),
            SourceKind.Postgres => (TransferMode.Pushdown, "auto: the server is not on this machine"),
            _ => (TransferMode.Pushdown, "auto: streaming from this database is not tested yet"),
        };
    }

    /// <summary>
    /// A Unix socket directory, <c>localhost</c> or a loopback address; every host of a list must be. No name is
    /// resolved: a lookup is neither cheap nor certain, and a name that is not localhost counts as remote.
    /// </summary>
    public static bool IsLocal(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        foreach (var part in host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part;
            if (name.StartsWith('/') || name.StartsWith('@'))
            {
                continue; // Unix socket directory, or an abstract socket
            }

            var colon = name.LastIndexOf(':');
            if (colon > 0 && !name.Contains("::", StringComparison.Ordinal) && name.Count(c => c == ':') == 1)
            {
                name = name[..colon]; // host:port
            }

            name = name.Trim('[', ']');
            if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!IPAddress.TryParse(name, out var address) || !IPAddress.IsLoopback(address))
            {
                return false;
            }
        }

        return true;
    }
}
