using System.Runtime.Versioning;
using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Steps;

namespace Downshift.Tests.Engine;

/// <summary>
/// A plan's <c>fingerprint:</c> during a run on this machine (the real fingerprint script, the local
/// transport): the permissions after the change (V6) and the proof of a rollback (P9).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class StateProofTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The plan's fingerprint section: the test's files, with what other work on this machine changes
    /// meanwhile declared (ports open and close; the journal and LOG live under the same directory).
    /// </summary>
    private static string Fingerprint(string? expect = null) => """
        fingerprint:
          paths: ["{{ dir }}/etc"]
          expect-differences:
            - {what: "ports:**", reason: "other tests on this machine open and close ports"}
            - {what: "services:**", reason: "other tests on this machine start and stop programs"}
        """ + (expect is null ? "\n" : $"\n    - {expect}\n");

    /// <summary>Makes the config world-writable; the undo puts 0644 back.</summary>
    private const string Loosen = """
        phases:
          - name: main
            steps:
              - id: loosen
                kind: shell
                command: "chmod 666 {{ dir }}/etc/app.conf"
                undo: "chmod 644 {{ dir }}/etc/app.conf"
        """;

    /// <summary>A content change whose declared undo does nothing (it also writes LOG), then a failing step.</summary>
    private const string UndoThatDoesNotRestore = """
        phases:
          - name: main
            steps:
              - id: edit
                kind: shell
                command: "echo tuned=1 >> {{ dir }}/etc/app.conf; echo edit >> {{ dir }}/LOG"
                undo: "true"
              - id: fail
                kind: shell
                command: "exit 1"
                undo: "true"
        """;

    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static void WriteConfig(EngineHarness h)
    {
        Directory.CreateDirectory(Path.Combine(h.Dir, "etc"));
        var path = Path.Combine(h.Dir, "etc", "app.conf");
        File.WriteAllText(path, "port=8080\n");
        File.SetUnixFileMode(path, Mode644);
    }

    [Fact]
    public async Task RunAsync_StepChangesAModeTheUndoRestores_FailsV6RollsBackAndProvesIt()
    {
        // Given a step that makes the config world-writable (undo puts 0644 back)
        await using var h = await EngineHarness.CreateAsync();
        WriteConfig(h);

        // When it runs
        var result = await h.RunAsync(Fingerprint() + Loosen);

        // Then the permission change fails the host, it rolls back, and the journal proves it came back
        Assert.Equal(RunStatus.RolledBack, result.Status);
        var notes = await NotesAsync(h, result.RunId);
        Assert.Contains(notes, n => n.StartsWith("fingerprint before the change: packages ", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("permissions changed and the plan does not expect it (V6): unexpected files ", StringComparison.Ordinal)
                                    && n.Contains("/etc/app.conf mode=0644 -> mode=0666", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("rollback proven: the fingerprint equals the one before the change", StringComparison.Ordinal));
        Assert.Equal(Mode644, File.GetUnixFileMode(Path.Combine(h.Dir, "etc", "app.conf")));
    }

    [Fact]
    public async Task RunAsync_DeclaredModeChange_Succeeds()
    {
        // Given the same change, declared as expected
        await using var h = await EngineHarness.CreateAsync();
        WriteConfig(h);

        // When it runs
        var result = await h.RunAsync(Fingerprint("""{what: "files:**/etc/app.conf", reason: "the old version needs a world-writable config"}""") + Loosen);

        // Then it succeeds, and the journal lists the change with the declaration that expected it
        var notes = await NotesAsync(h, result.RunId);
        Assert.True(result.Status == RunStatus.Succeeded, string.Join("\n", notes));
        // (ports that other work on this machine opened meanwhile are listed too, expected by their declaration)
        var state = Assert.Single(notes, n => n.StartsWith("state after the change: ", StringComparison.Ordinal));
        Assert.Contains("/etc/app.conf mode=0644 -> mode=0666 (by 'files:**/etc/app.conf'", state, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", state, StringComparison.Ordinal);
        Assert.Contains(notes, n => n.StartsWith("permissions (users, groups, sudoers, SUID files, modes and owners): equal to before", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_UndoThatDoesNotRestore_NeedsAttentionWithTheDifference()
    {
        // Given a content change whose declared undo does nothing, then a failing step
        await using var h = await EngineHarness.CreateAsync();
        WriteConfig(h);

        // When it runs (and rolls back)
        var result = await h.RunAsync(Fingerprint() + UndoThatDoesNotRestore);

        // Then the rollback ran every undo, but the fingerprint shows the host is not back: a human must look
        Assert.Equal(RunStatus.NeedsAttention, result.Status);
        var notes = await NotesAsync(h, result.RunId);
        Assert.Contains(notes, n => n.StartsWith("rollback not proven: unexpected files ", StringComparison.Ordinal)
                                    && n.Contains("/etc/app.conf sha256=", StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.StartsWith("rollback proven", StringComparison.Ordinal));
    }

    /// <summary>The fingerprint section with the test's SQLite database declared too.</summary>
    private static string FingerprintWithDatabase() =>
        Fingerprint().TrimEnd('\n') + "\n  databases:\n    - {engine: sqlite, path: \"{{ dir }}/orders.db\"}\n";

    /// <summary>Adds the order 2 to the test's database; the undo is UNDO.</summary>
    private const string AddOrder = """
        phases:
          - name: main
            steps:
              - id: add-order
                kind: shell
                command: "sqlite3 {{ dir }}/orders.db \"INSERT INTO orders VALUES (2, 'pen')\""
                undo: UNDO
        """;

    [Fact]
    public async Task RunAsync_StepChangesADeclaredDatabase_AfterTheChangeTheDatabaseIsNotComparedAndTheRollbackProvesTheRows()
    {
        // Given a SQLite database in the fingerprint, and a step that adds a row (its undo deletes it)
        await using var h = await EngineHarness.CreateAsync();
        WriteConfig(h);
        var db = await OrdersAsync(h);

        // When it runs
        var run = await h.RunAsync(FingerprintWithDatabase() + AddOrder.Replace("UNDO", "\"sqlite3 {{ dir }}/orders.db 'DELETE FROM orders WHERE id = 2'\"", StringComparison.Ordinal));

        // Then the V6 check after the change did not compare the database: no difference of it is journaled
        var records = await h.RecordsAsync(run.RunId);
        Assert.True(run.Status == RunStatus.Succeeded, string.Join("\n", records.Select(r => r.Result)));
        var state = Assert.Single(records, r => r.Event == JournalEvent.Note && r.Result!.StartsWith("state after the change: ", StringComparison.Ordinal));
        Assert.Contains("(databases not compared after the change; a rollback's proof compares them)", state.Result, StringComparison.Ordinal);
        Assert.DoesNotContain("\"section\":\"databases\"", state.Data, StringComparison.Ordinal);

        // When it is rolled back: the proof compares the rows and finds them as before
        var rollback = await h.Engine().RollbackAsync(run.RunId, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);
        Assert.True(rollback.Status == RunStatus.RolledBack, string.Join("\n", await NotesAsync(h, run.RunId)));
        Assert.Contains(await NotesAsync(h, run.RunId), n => n.StartsWith("rollback proven", StringComparison.Ordinal));
        Assert.Equal("1|book\n", await SqliteAsync(db, "SELECT * FROM orders"));
    }

    [Fact]
    public async Task Rollback_UndoLeavesTheAddedRow_TheProofComparesTheDatabaseAndNeedsAttention()
    {
        // Given the same step with an undo that leaves the row, run to success
        await using var h = await EngineHarness.CreateAsync();
        WriteConfig(h);
        await OrdersAsync(h);
        var run = await h.RunAsync(FingerprintWithDatabase() + AddOrder.Replace("UNDO", "\"true\"", StringComparison.Ordinal));
        Assert.Equal(RunStatus.Succeeded, run.Status);

        // When it is rolled back
        var rollback = await h.Engine().RollbackAsync(run.RunId, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then the proof compared the database (the after-change check had left it out) and found the row
        var notes = await NotesAsync(h, run.RunId);
        Assert.True(rollback.Status == RunStatus.NeedsAttention, string.Join("\n", notes));
        Assert.Contains(notes, n => n.StartsWith("rollback not proven: ", StringComparison.Ordinal) && n.Contains("orders.db", StringComparison.Ordinal));
    }

    /// <summary>The test's database: a table of orders with the order 1.</summary>
    private static async Task<string> OrdersAsync(EngineHarness h)
    {
        var db = Path.Combine(h.Dir, "orders.db");
        await SqliteAsync(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT); INSERT INTO orders VALUES (1, 'book');");
        return db;
    }

    private static async Task<string> SqliteAsync(string db, string sql)
    {
        var result = await new LocalTransport(TimeProvider.System).RunAsync(
            new HostCommand($"sqlite3 {Sh.Quote(db)} {Sh.Quote(sql)}"), Ct).WaitAsync(EngineHarness.Bound, Ct);
        Assert.True(result.Succeeded, result.Stderr);
        return result.StdoutText;
    }

    private static async Task<IReadOnlyList<string>> NotesAsync(EngineHarness h, string runId) =>
        [.. (await h.RecordsAsync(runId)).Where(r => r.Event == JournalEvent.Note && r.Result is not null).Select(r => r.Result!)];

    [Fact]
    public async Task Resume_DiedAsTheRollbacksVerdictWasJournaled_ProvesAgainAndStillNeedsAttention()
    {
        // Given a rollback that does not restore the config, and a process that dies as the proof's verdict is journaled
        await using var h = await EngineHarness.CreateAsync();
        WriteConfig(h);
        var (plan, _) = h.Load(Fingerprint() + UndoThatDoesNotRestore);
        var dying = new DyingJournal(h.Journal, r => r.Event == JournalEvent.Note && r.Result?.StartsWith("rollback ", StringComparison.Ordinal) == true);
        var first = new RunEngine(dying, new LocalConnector(TimeProvider.System), TimeProvider.System, SilentObserver.Instance, h.Options);
        await Assert.ThrowsAsync<IOException>(() => first.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct));
        var runId = (await h.Journal.ListRunsAsync(Ct)).Single().RunId;

        // When it is resumed (the host has nothing left to undo)
        var result = await h.Engine().ResumeAsync(runId, new Dictionary<string, CheckResult>(), RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then the resume proves the rollback again, from the journal's fingerprint: not proven, so the run needs attention
        Assert.True(result.Status == RunStatus.NeedsAttention, $"{result.Status}: {result.Summary}");
        var notes = await NotesAsync(h, runId);
        Assert.Contains(notes, n => n.StartsWith("rollback not proven: unexpected files ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_FingerprintTheJournalCannotHoldAsTaken_FailsBeforeAnyChange()
    {
        // Given a declared path whose symlink target looks like a secret (the journal masks password=…)
        await using var h = await EngineHarness.CreateAsync();
        WriteConfig(h);
        File.CreateSymbolicLink(Path.Combine(h.Dir, "etc", "dsn"), "/run/app/password=\"x\"");

        // When a plan with that fingerprint runs
        var result = await h.RunAsync(Fingerprint() + UndoThatDoesNotRestore);

        // Then the host fails before its first step: a fingerprint a resume could not read back proves nothing
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Empty(h.Log());
        Assert.Equal("port=8080\n", File.ReadAllText(Path.Combine(h.Dir, "etc", "app.conf")));
        var notes = await NotesAsync(h, result.RunId);
        Assert.Contains(notes, n => n.StartsWith("the fingerprint before the change could not be taken (nothing was changed): the journal cannot hold it as taken", StringComparison.Ordinal));
    }
}
