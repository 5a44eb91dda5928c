using System.CommandLine;
using Downshift.Databases;

namespace Downshift.Cli;

/// <summary>The <c>--pg-*</c> connection options that <c>backup</c> and <c>restore</c> share, and the target they name.</summary>
internal sealed class PostgresOptions
{
    public Option<string?> Host { get; } = new("--pg-host") { Description = "PostgreSQL server host or socket directory (psql -h)." };

    public Option<int?> Port { get; } = new("--pg-port") { Description = "PostgreSQL port (psql -p)." };

    public Option<string?> User { get; } = new("--pg-user") { Description = "PostgreSQL role (psql -U)." };

    public Option<string?> PasswordEnv { get; } = new("--pg-password-env") { Description = "The environment variable that holds the role's password." };

    public Option<string?> RunAs { get; } = new("--pg-run-as") { Description = "The OS user the PostgreSQL clients run as on the host (e.g. postgres)." };

    public IEnumerable<Option> All => [Host, Port, User, PasswordEnv, RunAs];

    /// <summary>The PostgreSQL database <paramref name="name"/> reached as these options say.</summary>
    public DatabaseTarget Target(ParseResult parse, string name) => new()
    {
        Engine = DatabaseTarget.PostgreSql,
        Name = name,
        Host = parse.GetValue(Host),
        Port = parse.GetValue(Port),
        User = parse.GetValue(User),
        PasswordEnv = parse.GetValue(PasswordEnv),
        RunAs = parse.GetValue(RunAs),
    };
}
