using System.Text;
using Downshift.Hosts;

namespace Downshift.Databases.Internal;

/// <summary>
/// Runs PostgreSQL's client tools on the host for one database: the connection travels in the
/// command's environment (<c>PGHOST</c>, <c>PGPORT</c>, <c>PGUSER</c>, <c>PGDATABASE</c>, and
/// <c>PGPASSWORD</c> read from the controller's <c>password-env</c> variable), never in the script;
/// with <c>run-as</c> each tool runs under <c>runuser -u USER --</c> from <c>/</c> (that user may not
/// read the caller's working directory). A tool missing on the host exits 127 with <c>TOOL: command not found</c>.
/// </summary>
internal sealed class PostgresClient(DatabaseTarget target, IHostTransport host)
{
    /// <summary>psql without ~/.psqlrc, quiet, never prompting for a password, stopping at the first error.</summary>
    public const string Psql = "psql -X -q -w -v ON_ERROR_STOP=1";

    private static readonly string[] Tools = ["psql", "pg_dump", "pg_restore"];

    /// <summary>The target's description, for messages.</summary>
    public string Description => target.Describe();

    public string HostName => host.HostName;

    /// <summary>The same server and login, another database on it (a scratch copy).</summary>
    public PostgresClient For(string database) => new(target with { Name = database }, host);

    /// <summary>A tool's command line as the target's OS user.</summary>
    public string Tool(string commandLine) =>
        target.RunAs is { } user ? $"runuser -u {Sh.Quote(user)} -- {commandLine}" : commandLine;

    /// <summary>psql (as the OS user) reading <paramref name="sql"/> on stdin, with extra <paramref name="options"/>.</summary>
    public HostCommand PsqlCommand(string sql, string options = "") =>
        new($"{Tool(Psql)}{(options.Length > 0 ? " " + options : "")} -f -")
        {
            Stdin = Encoding.UTF8.GetBytes(sql),
            Timeout = DatabaseLimits.Statement,
        };

    /// <summary>
    /// Runs <paramref name="command"/> from <c>/</c> with the connection's environment, after checking
    /// that the tools it names are installed. The journal shows <paramref name="operation"/>, the
    /// database and the command's <see cref="HostCommand.DisplayText"/>.
    /// </summary>
    public Task<CommandResult> RunAsync(string operation, HostCommand command, CancellationToken cancellationToken)
    {
        var checks = Tools
            .Where(tool => command.Script.Contains(tool + " ", StringComparison.Ordinal))
            .Select(tool => $"command -v {tool} >/dev/null || {{ echo '{tool}: command not found' >&2; exit 127; }}\n");
        var script = $"cd / || exit 1\n{string.Concat(checks)}{command.Script}";
        return host.RunAsync(
            command with { Script = script, Environment = Environment(), Display = $"{operation} of {Description}: {command.DisplayText}" },
            cancellationToken);
    }

    /// <summary>As <see cref="RunAsync"/>, and throws the clear error for a command that failed.</summary>
    public async Task<CommandResult> RunCheckedAsync(string operation, HostCommand command, CancellationToken cancellationToken)
    {
        var result = await RunAsync(operation, command, cancellationToken);
        return result.Succeeded ? result : throw PostgresErrors.From(Description, HostName, operation, result);
    }

    private Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGDATABASE"] = target.Name!,
            ["PGCONNECT_TIMEOUT"] = "10",
            ["PGCLIENTENCODING"] = "UTF8",
            ["PGAPPNAME"] = "downshift",

            // A plan's pause-writes may set the database read-only (ALTER DATABASE … SET
            // default_transaction_read_only = on): Downshift's own sessions (the scratch database of a
            // verification, a migration, a restore) must still write.
            ["PGOPTIONS"] = "-c default_transaction_read_only=off",
        };
        Add(environment, "PGHOST", target.Host);
        Add(environment, "PGPORT", target.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(environment, "PGUSER", target.User);
        if (target.PasswordEnv is { } variable)
        {
            environment["PGPASSWORD"] = System.Environment.GetEnvironmentVariable(variable)
                ?? throw DownshiftException.DatabaseUnavailable(Description, HostName,
                    $"the environment variable '{variable}' (password-env) is not set where downshift runs");
        }

        return environment;
    }

    private static void Add(Dictionary<string, string> environment, string name, string? value)
    {
        if (value is not null)
        {
            environment[name] = value;
        }
    }
}
