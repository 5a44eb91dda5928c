using Downshift.Databases;
using Downshift.Hosts.Ssh;
using Downshift.IntegrationTests.Ssh;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Databases;

/// <summary>
/// The databases through a real SSH connection (sshd on 127.0.0.1): dumps stream out of the host and
/// restores stream into it, and the password travels only in the command's environment.
/// </summary>
public sealed class DatabasesOverSshTests(SshServerFixture ssh, PostgresServer postgres)
    : IClassFixture<SshServerFixture>, IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly TempDirectory directory = new("downshift-db-ssh-");
    private readonly SshConnector connector = new(ssh.Server.Options(), TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task RestoreAsync_PostgresOverSsh_DumpStreamsOutAndBackIn()
    {
        // Given a PostgreSQL database reached over SSH with a password, and its dump taken over SSH
        await using var connection = await connector.ConnectAsync(ssh.Server.Host(), Ct).WaitAsync(Limit, Ct);
        var host = new CountingTransport(connection);
        var name = await postgres.CreateDatabaseAsync("ssh", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 5000) i;", Ct).WaitAsync(Limit, Ct);
        var database = postgres.Tcp(name).Open(host);
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        var dump = directory.Combine("ssh.dump");
        await using (var file = File.Create(dump))
        {
            await database.DumpAsync(file, Ct).WaitAsync(Limit, Ct);
        }

        // When rows are deleted and the dump is restored over SSH
        await database.ExecuteAsync("DELETE FROM t WHERE id % 2 = 0;", inTransaction: true, Ct).WaitAsync(Limit, Ct);
        await using (var file = File.OpenRead(dump))
        {
            await database.RestoreAsync(file, Ct).WaitAsync(Limit, Ct);
        }

        // Then the content is back, and no command the journal would show holds the password
        Assert.Empty(before.DifferencesFrom(await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct)));
        var password = Environment.GetEnvironmentVariable(PostgresServer.PasswordVariable)!;
        Assert.DoesNotContain(host.Commands, command => command.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RestoreToScratchAsync_SqliteOverSsh_FingerprintsEqual()
    {
        // Given a SQLite file reached over SSH and its dump taken over SSH
        await using var host = await connector.ConnectAsync(ssh.Server.Host(), Ct).WaitAsync(Limit, Ct);
        var path = directory.Combine("orders.db");
        var setup = await CliRunner.RunProcessAsync(
            "/usr/bin/python3",
            ["-c", "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\ndb.executescript('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (\\'a\\'), (\\'b\\');')\ndb.close()", path],
            timeout: Limit, cancellationToken: Ct);
        Assert.True(setup.ExitCode == 0, setup.ToString());
        var database = new DatabaseTarget { Engine = DatabaseTarget.Sqlite, Path = path }.Open(host);
        using var dump = new MemoryStream();
        await database.DumpAsync(dump, Ct).WaitAsync(Limit, Ct);
        dump.Position = 0;

        // When the dump is restored into a scratch copy over SSH
        await using var scratch = await database.RestoreToScratchAsync(dump, "ssh", Ct).WaitAsync(Limit, Ct);

        // Then
        var source = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        Assert.Empty(source.DifferencesFrom(await scratch.FingerprintAsync(Ct).WaitAsync(Limit, Ct)));
        Assert.Equal(2, Assert.Single(source.Tables).Rows);
    }
}
