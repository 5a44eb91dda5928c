using System.Text.Json;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Cli;

/// <summary>
/// <c>downshift backup</c>, <c>backups</c> and <c>restore</c> on this machine ('local'), with real tar,
/// a real SQLite database and an encrypted store: what the operator runs by hand before a change.
/// </summary>
public sealed class BackupCliTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly TempDirectory work = new("downshift-backup-cli-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task BackupIncrementalRestore_FilesAndSqlite_RestoredEqualAndListedVerified()
    {
        // Given a config directory and a SQLite database with rows, and a key for the store
        var etc = work.Combine("etc");
        Directory.CreateDirectory(Path.Combine(etc, "conf.d"));
        await File.WriteAllTextAsync(Path.Combine(etc, "app.conf"), "port=8080\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(etc, "conf.d", "extra.conf"), "x=1\n", Ct);
        var db = work.Combine("orders.db");
        await SqliteAsync(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT); INSERT INTO orders (item) VALUES ('a'), ('b');");
        await File.WriteAllTextAsync(work.Combine("key"), Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), Ct);

        // When backed up (full), one file changed, backed up again (incremental)
        var full = await CliAsync(["backup", "local", "--path", etc, "--sqlite", db, "--source", "app", "--json"]);
        Assert.True(full.ExitCode == 0, full.ToString());
        await File.WriteAllTextAsync(Path.Combine(etc, "app.conf"), "port=9090\n", Ct);
        File.Delete(Path.Combine(etc, "conf.d", "extra.conf"));
        var incremental = await CliAsync(["backup", "local", "--path", etc, "--sqlite", db, "--source", "app", "--incremental", "--json"]);
        Assert.True(incremental.ExitCode == 0, incremental.ToString());

        // Then both are listed as verified, the incremental on the full, encrypted
        var listed = JsonDocument.Parse((await CliAsync(["backups", "--json"])).Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(["incremental", "full"], listed.Select(b => b.GetProperty("kind").GetString()));
        Assert.All(listed, b => Assert.True(b.GetProperty("verification").GetProperty("passed").GetBoolean(), b.ToString()));
        Assert.All(listed, b => Assert.True(b.GetProperty("encrypted").GetBoolean(), b.ToString()));
        Assert.Equal(listed[1].GetProperty("id").GetString(), listed[0].GetProperty("parent").GetString());

        // When the incremental's files are restored into a new directory
        var target = work.Combine("restored");
        var restore = await CliAsync(["restore", listed[0].GetProperty("id").GetString()!, "--to", target]);

        // Then the directory is the source as it is now: the changed file changed, the deleted one absent
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var restoredEtc = target + etc;
        Assert.Equal("port=9090\n", await File.ReadAllTextAsync(Path.Combine(restoredEtc, "app.conf"), Ct));
        Assert.False(File.Exists(Path.Combine(restoredEtc, "conf.d", "extra.conf")));

        // When rows are lost and the database is restored from the backup
        await SqliteAsync(db, "DELETE FROM orders;");
        var back = await CliAsync(["restore", listed[0].GetProperty("id").GetString()!, "--to-sqlite", db, "--json"]);

        // Then the rows are back, and the emptied database was kept as a verified backup first
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal("2", (await SqliteAsync(db, "SELECT count(*) FROM orders;")).Trim());
        var kept = JsonDocument.Parse(back.Stdout).RootElement.GetProperty("kept").GetString();
        Assert.Contains(JsonDocument.Parse((await CliAsync(["backups", "--json"])).Stdout).RootElement.EnumerateArray(), b => b.GetProperty("id").GetString() == kept);
    }

    [Fact]
    public async Task RestoreIntoADatabase_HostHeldByARun_RefusedUntouchedThenRestoredAndTheLeaseGivenBack()
    {
        // Given a backed-up SQLite database that then lost its rows, on a host a live run holds (its lease file, as runs write it)
        var db = work.Combine("held.db");
        await SqliteAsync(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT); INSERT INTO orders (item) VALUES ('a'), ('b');");
        await File.WriteAllTextAsync(work.Combine("key"), Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), Ct);
        var taken = await CliAsync(["backup", "local", "--sqlite", db, "--json"]);
        Assert.True(taken.ExitCode == 0, taken.ToString());
        var id = JsonDocument.Parse(taken.Stdout).RootElement.EnumerateArray().Single().GetProperty("id").GetString()!;
        await SqliteAsync(db, "DELETE FROM orders;");
        var lease = work.Combine("state", "lease");
        Directory.CreateDirectory(work.Combine("state"));
        await File.WriteAllTextAsync(lease, $"run=20261204-204500-beef pid={Environment.ProcessId} controller={Environment.MachineName} since=2026-12-04T20:45:00Z\n", Ct);

        // When the database is restored
        var refused = await CliAsync(["restore", id, "--to-sqlite", db]);

        // Then it is refused (exit 5) naming the run, and the database was not touched
        Assert.True(refused.ExitCode == 5, refused.ToString());
        Assert.Contains("is held by run 20261204-204500-beef", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was restored", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("0", (await SqliteAsync(db, "SELECT count(*) FROM orders;")).Trim());

        // When the run is done (its lease gone) and the restore runs again
        File.Delete(lease);
        var restored = await CliAsync(["restore", id, "--to-sqlite", db]);

        // Then the rows are back, and the restore gave its own lease back
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal("2", (await SqliteAsync(db, "SELECT count(*) FROM orders;")).Trim());
        Assert.False(File.Exists(lease));
    }

    [Fact]
    public async Task Restore_WrongKey_ClearErrorAndNothingWritten()
    {
        // Given a backup encrypted with one key
        var etc = work.Combine("etc2");
        Directory.CreateDirectory(etc);
        await File.WriteAllTextAsync(Path.Combine(etc, "app.conf"), "port=8080\n", Ct);
        await File.WriteAllTextAsync(work.Combine("key"), Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), Ct);
        var taken = await CliAsync(["backup", "local", "--path", etc, "--json"]);
        Assert.True(taken.ExitCode == 0, taken.ToString());
        var id = JsonDocument.Parse(taken.Stdout).RootElement.EnumerateArray().Single().GetProperty("id").GetString()!;

        // When restored with another key
        await File.WriteAllTextAsync(work.Combine("key"), Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), Ct);
        var target = work.Combine("out");
        var restore = await CliAsync(["restore", id, "--to", target]);

        // Then it fails saying so, and nothing was written
        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains("key", restore.Stderr + restore.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any());
    }

    private Task<ProcessResult> CliAsync(string[] args) => CliRunner.RunAsync(args, new Dictionary<string, string?>
    {
        ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
        ["DOWNSHIFT_BACKUP_STORE"] = work.Combine("store"),
        ["DOWNSHIFT_BACKUP_KEY"] = work.Combine("key"),
        ["DOWNSHIFT_STATE_DIR"] = work.Combine("state"),
    }, timeout: Limit, cancellationToken: Ct);

    private async Task<string> SqliteAsync(string file, string sql)
    {
        var result = await CliRunner.RunProcessAsync("sqlite3", [file, sql], timeout: Limit, cancellationToken: Ct);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }
}
