using System.Text.RegularExpressions;
using Downshift.Hosts;

namespace Downshift.Databases.Internal;

/// <summary>
/// What psql, pg_dump and pg_restore say when they fail, turned into one clear line: a database that
/// cannot be used at all (missing tools, refused login, no such database, no server) or an operation
/// that failed on a database that could be reached.
/// </summary>
internal static partial class PostgresErrors
{
    /// <summary>The exception for a failed client command; <paramref name="database"/> is the target's description.</summary>
    public static DownshiftException From(string database, string host, string operation, CommandResult result)
    {
        // Notices and warnings (a restore's "drop cascades to ...") are not the reason; leave them out.
        var stderr = string.Join('\n', result.Stderr.Split('\n').Where(line => !Chatter().IsMatch(line))).Trim();
        if (result.ExitCode == 127 && CommandNotFound().Match(stderr) is { Success: true } missing)
        {
            return DownshiftException.DatabaseUnavailable(database, host,
                $"{missing.Groups["tool"].Value} is not installed on the host (PostgreSQL's client tools, package postgresql-client)");
        }

        if (Unusable(stderr) is var (detail, transient))
        {
            return DownshiftException.DatabaseUnavailable(database, host, detail, transient);
        }

        return DownshiftException.DatabaseFailed(database, host, operation,
            stderr.Length == 0 ? $"exit code {result.ExitCode}" : ErrorText.OneLine(StatementError(stderr) ?? stderr));
    }

    /// <summary>Why the database cannot be used at all (the connection, the login, the OS user), or null when the failure was something else.</summary>
    public static (string Detail, bool Transient)? Unusable(string stderr)
    {
        if (RunuserNoUser().Match(stderr) is { Success: true } user)
        {
            return ($"the run-as user '{user.Groups["user"].Value}' does not exist on the host", false);
        }

        if (stderr.Contains("runuser: may not be used by non-root users", StringComparison.Ordinal))
        {
            return ("'run-as' needs root on the host (become)", false);
        }

        if (ConnectionFailed().Match(stderr) is not { Success: true } connection)
        {
            return null;
        }

        var reason = ErrorText.OneLine(connection.Groups["reason"].Value.Replace("FATAL:", "", StringComparison.Ordinal));
        return reason switch
        {
            _ when reason.Contains("password authentication failed", StringComparison.Ordinal) =>
                ($"{reason} (check 'user' and the password in 'password-env')", false),
            _ when reason.Contains("no password supplied", StringComparison.Ordinal) =>
                ("the server wants a password and none was given (set 'password-env')", false),
            _ when reason.Contains("Peer authentication failed", StringComparison.Ordinal) =>
                ($"{reason} (set 'run-as' to the OS user of that role, or log in over TCP with a password)", false),
            _ when reason.Contains("Connection refused", StringComparison.Ordinal) ||
                   reason.Contains("No such file or directory", StringComparison.Ordinal) ||
                   reason.Contains("timeout expired", StringComparison.Ordinal) ||
                   reason.Contains("the database system is starting up", StringComparison.Ordinal) =>
                ($"no PostgreSQL server answers: {reason}", true),
            _ => (reason, false),
        };
    }

    /// <summary>
    /// The failing statement's error from psql reading a script on stdin, with its line:
    /// <c>line 3: ERROR: relation "x" does not exist</c> and the lines psql adds (LINE, DETAIL, HINT, the caret).
    /// Null when there is no such error in <paramref name="stderr"/>.
    /// </summary>
    public static string? StatementError(string stderr)
    {
        var lines = stderr.Split('\n');
        var first = Array.FindIndex(lines, line => StatementErrorLine().IsMatch(line));
        if (first < 0)
        {
            return null;
        }

        var match = StatementErrorLine().Match(lines[first]);
        var message = new List<string> { $"line {match.Groups["line"].Value}: {match.Groups["level"].Value}: {match.Groups["message"].Value.Trim()}" };
        message.AddRange(lines.Skip(first + 1).TakeWhile(line => !line.StartsWith("psql:", StringComparison.Ordinal)).Select(line => line.TrimEnd()).Where(line => line.Length > 0));
        return string.Join('\n', message);
    }

    [GeneratedRegex(@"^(?:\S+: )?(?:line \d+: )?(?<tool>psql|pg_dump|pg_restore|runuser): (?:command )?not found", RegexOptions.Multiline)]
    private static partial Regex CommandNotFound();

    [GeneratedRegex(@"^(?:psql:<stdin>:\d+: )?(?:NOTICE|WARNING|INFO):")]
    private static partial Regex Chatter();

    [GeneratedRegex(@"runuser: user (?<user>\S+) does not exist")]
    private static partial Regex RunuserNoUser();

    [GeneratedRegex(@"(?:connection to server .*? failed|could not connect to server): (?<reason>.*)", RegexOptions.Singleline)]
    private static partial Regex ConnectionFailed();

    [GeneratedRegex(@"^psql:<stdin>:(?<line>\d+): (?<level>ERROR|FATAL|PANIC):\s*(?<message>.*)$")]
    private static partial Regex StatementErrorLine();
}
