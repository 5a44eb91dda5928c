using System.Text.RegularExpressions;
using Downshift.Hosts;

namespace Downshift.Databases;

/// <summary>
/// What a plan's <c>database:</c> map says: which database, on the step's host, and how its client
/// tools reach it. Nothing here connects; <see cref="Open"/> gives the <see cref="IDatabase"/> that
/// works through the host's transport.
/// </summary>
public sealed partial record DatabaseTarget
{
    /// <summary>The engine name of PostgreSQL (psql, pg_dump and pg_restore on the host).</summary>
    public const string PostgreSql = "postgresql";

    /// <summary>The engine name of SQLite (python3's sqlite3 module on the host).</summary>
    public const string Sqlite = "sqlite";

    /// <summary><see cref="PostgreSql"/> or <see cref="Sqlite"/>.</summary>
    public required string Engine { get; init; }

    /// <summary>PostgreSQL: the database's name.</summary>
    public string? Name { get; init; }

    /// <summary>PostgreSQL: the server's address, or a socket directory; null for the default local socket.</summary>
    public string? Host { get; init; }

    /// <summary>PostgreSQL: the server's port; null for the client's default (5432).</summary>
    public int? Port { get; init; }

    /// <summary>PostgreSQL: the role to log in as; null for the client's default (the OS user).</summary>
    public string? User { get; init; }

    /// <summary>
    /// PostgreSQL: the name of an environment variable on the controller whose value is the password.
    /// It reaches the host only as <c>PGPASSWORD</c> in the command's environment, never in a script.
    /// </summary>
    public string? PasswordEnv { get; init; }

    /// <summary>PostgreSQL: the OS user that runs the client tools on the host (<c>runuser -u USER --</c>), e.g. <c>postgres</c> for peer authentication.</summary>
    public string? RunAs { get; init; }

    /// <summary>SQLite: the database file's absolute path on the host.</summary>
    public string? Path { get; init; }

    /// <summary>One line for the journal: <c>postgresql database 'shop'</c>, <c>sqlite /var/lib/shop/orders.db</c>.</summary>
    public string Describe() => Engine switch
    {
        PostgreSql => $"postgresql database '{Name}'",
        Sqlite => $"sqlite {Path}",
        _ => $"{Engine} database",
    };

    /// <summary>The database on <paramref name="host"/>; throws if <see cref="Validate"/> finds a problem.</summary>
    public IDatabase Open(IHostTransport host) => Engine switch
    {
        PostgreSql => new PostgresDatabase(this, host),
        Sqlite => new SqliteDatabase(this, host),
        _ => throw Invalid(),
    };

    /// <summary>Every problem with this target, one line each (empty when it can be used); keys as a plan spells them.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        switch (Engine)
        {
            case PostgreSql:
                if (string.IsNullOrWhiteSpace(Name))
                {
                    problems.Add("a postgresql database needs 'name'");
                }

                if (Host is { } host && string.IsNullOrWhiteSpace(host))
                {
                    problems.Add("'host' is empty (leave it out for the local socket)");
                }

                if (Port is < 1 or > 65535)
                {
                    problems.Add($"'port' {Port} is not a TCP port (1-65535)");
                }

                if (PasswordEnv is { } variable && !EnvironmentName().IsMatch(variable))
                {
                    problems.Add($"'password-env' '{variable}' is not an environment variable's name");
                }

                if (RunAs is { } user && !UserName().IsMatch(user))
                {
                    problems.Add($"'run-as' '{user}' is not a user name");
                }

                AddIfSet(problems, "path", Path, "sqlite");
                break;
            case Sqlite:
                if (string.IsNullOrWhiteSpace(Path))
                {
                    problems.Add("a sqlite database needs 'path'");
                }
                else if (!Path.StartsWith('/'))
                {
                    problems.Add($"'path' '{Path}' is not absolute");
                }

                AddIfSet(problems, "name", Name, "postgresql");
                AddIfSet(problems, "host", Host, "postgresql");
                AddIfSet(problems, "port", Port?.ToString(System.Globalization.CultureInfo.InvariantCulture), "postgresql");
                AddIfSet(problems, "user", User, "postgresql");
                AddIfSet(problems, "password-env", PasswordEnv, "postgresql");
                AddIfSet(problems, "run-as", RunAs, "postgresql");
                break;
            default:
                problems.Add(string.IsNullOrWhiteSpace(Engine)
                    ? $"a database needs 'engine' ({PostgreSql} or {Sqlite})"
                    : $"unknown database engine '{Engine}' ({PostgreSql} or {Sqlite})");
                break;
        }

        return problems;
    }

    /// <summary>The exception for a target that <see cref="Validate"/> rejects.</summary>
    internal DownshiftException Invalid() =>
        DownshiftException.InvalidState($"invalid database target: {string.Join("; ", Validate())}");

    /// <summary>Throws <see cref="Invalid"/> unless the target is valid and of <paramref name="engine"/>.</summary>
    internal void EnsureUsableAs(string engine)
    {
        if (Engine != engine || Validate().Count > 0)
        {
            throw Engine == engine ? Invalid() : DownshiftException.InvalidState($"{Describe()} is not a {engine} database");
        }
    }

    private static void AddIfSet(List<string> problems, string key, string? value, string engine)
    {
        if (value is not null)
        {
            problems.Add($"'{key}' is for {engine} databases");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*[$]?$")]
    private static partial Regex UserName();
}
