using System.Text;
using Downshift.Hosts;

namespace Downshift.Databases.Internal;

/// <summary>
/// Runs bash scripts for one SQLite file on its host, with the shell function <c>py</c> that runs
/// <see cref="SqliteProgram"/> (<c>py ACTION PATH [ARG]</c>) under <see cref="HostPython"/>. The
/// journal sees the scripts without the program's source.
/// </summary>
internal sealed class SqliteClient(DatabaseTarget target, IHostTransport host)
{
    private static readonly string Helper = $"py() {{ {HostPython.Invocation(SqliteProgram.Source)} \"$@\"; }}\n";

    /// <summary>The database file, quoted for the shell.</summary>
    public string QuotedPath => Sh.Quote(target.Path!);

    public string Description => target.Describe();

    public string HostName => host.HostName;

    /// <summary><c>py ACTION PATH [ARG]</c> with <paramref name="stdin"/> (SQL) as its input.</summary>
    public static HostCommand Program(string action, string path, string? argument = null, string? stdin = null) =>
        new($"py {action} {Sh.Quote(path)}{(argument is null ? "" : " " + argument)}")
        {
            Stdin = stdin is null ? null : Encoding.UTF8.GetBytes(stdin),
            Timeout = DatabaseLimits.Statement,
        };

    public Task<CommandResult> RunAsync(string operation, HostCommand command, CancellationToken cancellationToken) =>
        host.RunAsync(
            command with { Script = Helper + command.Script, Display = $"{operation} of {Description}: {command.DisplayText}" },
            cancellationToken);

    /// <summary>As <see cref="RunAsync"/>, and throws the clear error for a script that failed.</summary>
    public async Task<CommandResult> RunCheckedAsync(string operation, HostCommand command, CancellationToken cancellationToken)
    {
        var result = await RunAsync(operation, command, cancellationToken);
        return result.Succeeded ? result : throw Error(operation, result);
    }

    /// <summary>The clear error for a failed script: python3 or the file missing, or what SQLite said.</summary>
    public DownshiftException Error(string operation, CommandResult result)
    {
        var stderr = result.Stderr.Trim();
        return result.ExitCode switch
        {
            127 when stderr.Contains("python3", StringComparison.Ordinal) => DownshiftException.DatabaseUnavailable(Description, HostName,
                "python3 is not installed on the host (SQLite databases are read with python3's sqlite3 module)"),
            SqliteProgram.NoFile => DownshiftException.DatabaseUnavailable(Description, HostName, ErrorText.OneLine(stderr)),
            _ => DownshiftException.DatabaseFailed(Description, HostName, operation,
                stderr.Length > 0 ? ErrorText.OneLine(stderr) : $"exit code {result.ExitCode}"),
        };
    }
}
