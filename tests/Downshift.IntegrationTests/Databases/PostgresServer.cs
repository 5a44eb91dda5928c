using System.Globalization;
using Downshift.Databases;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Databases;

/// <summary>
/// A private PostgreSQL cluster for one test class: <c>initdb</c> into a temp directory as the
/// <c>postgres</c> OS user (binaries from /usr/lib/postgresql/VERSION/bin, 15 preferred), listening on
/// a free port on 127.0.0.1 (password login, scram-sha-256) and on a socket in the temp directory
/// (trust for local users). fsync is off: the tests need speed, not durability. Dispose ends the
/// postmaster it started, by the PID in its postmaster.pid, and removes the directory.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The controller's environment variable that holds the superuser's password.</summary>
    public const string PasswordVariable = "DOWNSHIFT_TEST_PGPASSWORD";

    /// <summary>A controller variable that holds a wrong password.</summary>
    public const string WrongPasswordVariable = "DOWNSHIFT_TEST_PGPASSWORD_WRONG";

    private const string Password = "downshift-test-secret";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly TempDirectory directory = new("downshift-pg-");
    private int? postmaster;
    private string bin = "";

    public int Port { get; private set; }

    /// <summary>The directory of the server's Unix socket.</summary>
    public string SocketDirectory => directory.Path;

    private string DataDirectory => directory.Combine("data");

    /// <summary>The database over TCP as the superuser with the password from <see cref="PasswordVariable"/>.</summary>
    public DatabaseTarget Tcp(string database) => new()
    {
        Engine = DatabaseTarget.PostgreSql,
        Name = database,
        Host = "127.0.0.1",
        Port = Port,
        User = "postgres",
        PasswordEnv = PasswordVariable,
    };

    /// <summary>The database over the Unix socket, the client tools run as the <c>postgres</c> OS user.</summary>
    public DatabaseTarget Socket(string database) => new()
    {
        Engine = DatabaseTarget.PostgreSql,
        Name = database,
        Host = SocketDirectory,
        Port = Port,
        RunAs = "postgres",
    };

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        bin = FindBinaries();
        Environment.SetEnvironmentVariable(PasswordVariable, Password);
        Environment.SetEnvironmentVariable(WrongPasswordVariable, "not-the-password");
        await File.WriteAllTextAsync(directory.Combine("password"), Password + "\n", ct);
        await RunAsync("chown", ["-R", "postgres:postgres", directory.Path], ct);
        await AsPostgresAsync(
            Path.Combine(bin, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
             $"--pwfile={directory.Combine("password")}", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"],
            ct);
        Port = Ports.GetFreeTcpPort();
        var options = $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        await AsPostgresAsync(
            Path.Combine(bin, "pg_ctl"),
            ["-D", DataDirectory, "-l", directory.Combine("server.log"), "-w", "-t", "30", "-o", options, "start"],
            ct);
        var pidFile = await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid"), ct);
        postmaster = int.Parse(pidFile[0], CultureInfo.InvariantCulture);
    }

    /// <summary>A new database <c>PREFIX_RANDOM</c> with <paramref name="setup"/> run in it (as the superuser, over the socket).</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, string setup, CancellationToken cancellationToken)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await PsqlAsync("postgres", $"CREATE DATABASE {name}", cancellationToken);
        await PsqlAsync(name, setup, cancellationToken);
        return name;
    }

    /// <summary>Runs SQL in <paramref name="database"/> with the server's own psql, outside the code under test; returns its unaligned output.</summary>
    public async Task<string> PsqlAsync(string database, string sql, CancellationToken cancellationToken) =>
        (await AsPostgresAsync(
            Path.Combine(bin, "psql"),
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", SocketDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-d", database, "-c", sql],
            cancellationToken)).Stdout.Trim();

    public async ValueTask DisposeAsync()
    {
        if (postmaster is { } pid)
        {
            var id = pid.ToString(CultureInfo.InvariantCulture);
            await CliRunner.RunProcessAsync("kill", ["-INT", id], timeout: Limit); // fast shutdown
            var start = TimeProvider.System.GetTimestamp();
            while (Directory.Exists($"/proc/{id}") && TimeProvider.System.GetElapsedTime(start) < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }

            if (Directory.Exists($"/proc/{id}"))
            {
                await CliRunner.RunProcessAsync("kill", ["-KILL", id], timeout: Limit);
            }
        }

        directory.Dispose();
    }

    private static string FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Where(dir => File.Exists(Path.Combine(dir, "bin", "initdb"))).ToList()
            : [];
        var chosen = versions.FirstOrDefault(dir => Path.GetFileName(dir) == "15")
            ?? versions.OrderByDescending(dir => Path.GetFileName(dir), StringComparer.Ordinal).FirstOrDefault();
        return chosen is null
            ? throw new InvalidOperationException("no PostgreSQL server in /usr/lib/postgresql/*/bin: install postgresql (test.sh does)")
            : Path.Combine(chosen, "bin");
    }

    private static Task<ProcessResult> AsPostgresAsync(string program, IEnumerable<string> args, CancellationToken cancellationToken) =>
        RunAsync("runuser", ["-u", "postgres", "--", program, .. args], cancellationToken);

    private static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var result = await CliRunner.RunProcessAsync(program, args, workingDirectory: "/", timeout: Limit, cancellationToken: cancellationToken);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {result}");
    }
}
