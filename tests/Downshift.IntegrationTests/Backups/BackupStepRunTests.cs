using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Backups;

/// <summary>
/// The backup step inside a real run of the CLI on this machine: a backup that cannot be taken stops
/// the run before anything changed (P6), and an incremental taken while a writer still writes is
/// refused, while the same plan with <c>pause-writes</c> goes through (P7).
/// </summary>
public sealed class BackupStepRunTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly TempDirectory work = new("downshift-backup-run-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Run_BackupOfAMissingPath_StopsAtStagingBeforeTheFirstStep()
    {
        // Given a plan whose first step leaves a marker, then backs up a path that does not exist
        var marker = work.Combine("marker");
        var plan = await PlanAsync(
            $"- {{id: mark, kind: shell, command: \"touch {marker}\", undo: \"rm -f {marker}\"}}",
            $"- {{id: backup, kind: backup, files: [\"{work.Combine("no-such-dir")}\"]}}");

        // When it runs
        var run = await CliAsync(["run", plan]);

        // Then it failed at staging, naming the path, and the first step never ran
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("no-such-dir", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Run_WriterStillWritingAtTheIncremental_RefusedAndRolledBack()
    {
        // Given a SQLite database an application keeps writing to, and a backup step without pause-writes
        var db = work.Combine("app.db");
        await using var writer = await StartWriterAsync(db);
        var plan = await PlanAsync($"- {{id: backup, kind: backup, database: {{engine: sqlite, path: \"{db}\"}}}}");

        // When it runs
        var run = await CliAsync(["run", plan]);

        // Then the incremental was refused: the database changed while it was taken
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("writes were not paused", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PauseWritesStopsTheWriter_IncrementalVerifiedRowForRow()
    {
        // Given the same writer, and a backup step whose pause-writes stops it
        var db = work.Combine("app.db");
        await using var writer = await StartWriterAsync(db);
        var plan = await PlanAsync(
            $"- {{id: backup, kind: backup, database: {{engine: sqlite, path: \"{db}\"}}, pause-writes: \"kill {writer.Pid} && sleep 0.2\", resume-writes: \"true\"}}");

        // When it runs
        var run = await CliAsync(["run", plan]);

        // Then it succeeded: a full backup (taken live) and an incremental taken after the writer stopped, both verified
        Assert.True(run.ExitCode == 0, run.ToString());
        var listed = System.Text.Json.JsonDocument.Parse((await CliAsync(["backups", "--json"])).Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(["incremental", "full"], listed.Select(b => b.GetProperty("kind").GetString()));
        Assert.All(listed, b => Assert.True(b.GetProperty("verification").GetProperty("passed").GetBoolean(), b.ToString()));
    }

    private async Task<RunningProcess> StartWriterAsync(string db)
    {
        var script = work.Combine("writer.py");
        await File.WriteAllTextAsync(script, $$"""
            import sqlite3, time
            c = sqlite3.connect('{{db}}', isolation_level=None)
            c.execute('CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, item TEXT)')
            end = time.time() + 90
            while time.time() < end:
                c.execute("INSERT INTO orders (item) VALUES ('x')")
                time.sleep(0.002)
            """, Ct);
        var writer = await CliRunner.StartProcessAsync("python3", [script], timeout: Limit);
        await Poll.UntilAsync(
            async () => (await CliRunner.RunProcessAsync("sqlite3", [db, "SELECT count(*) > 20 FROM orders"], timeout: Limit, cancellationToken: Ct)).Stdout.Trim() == "1",
            TimeSpan.FromSeconds(30), "the writer did not start", Ct);
        return writer;
    }

    private async Task<string> PlanAsync(params string[] steps)
    {
        var plan = work.Combine("plan.yaml");
        await File.WriteAllTextAsync(plan, $"""
            downshift: 1
            name: backup-run
            reason: {"{"}kind: other, detail: "backup step test"{"}"}
            scope: {"{"}kind: system{"}"}
            from: "1"
            to: "0"
            phases:
              - name: change
                steps:
            {string.Join("\n", steps.Select(s => "      " + s))}
            """, Ct);
        return plan;
    }

    private Task<ProcessResult> CliAsync(string[] args) => CliRunner.RunAsync(args, new Dictionary<string, string?>
    {
        ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
        ["DOWNSHIFT_STATE_DIR"] = work.Combine("state"),
        ["DOWNSHIFT_BACKUP_STORE"] = work.Combine("store"),
    }, timeout: Limit, cancellationToken: Ct);
}
