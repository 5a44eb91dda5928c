using Downshift.Engine;
using Downshift.Journal;

namespace Downshift.Tests.Engine;

/// <summary>The run's journal and its host leases: write-ahead, given back on every path, never lost to one unreachable host.</summary>
public sealed class LeaseLifecycleTests
{
    private const string OneStep = """
        phases:
          - name: main
            steps:
              - id: a
                kind: shell
                command: "echo a >> {{ dir }}/LOG"
                undo: "echo undo-a >> {{ dir }}/LOG"
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_JournalCannotStoreTheRun_NoHostIsLeased()
    {
        // Given a journal that cannot store a new run
        await using var h = await EngineHarness.CreateAsync();
        var (plan, _) = h.Load(OneStep);
        var engine = new RunEngine(new NoNewRunsJournal(h.Journal), new BreakingConnector("never"), TimeProvider.System, SilentObserver.Instance, h.Options);

        // When the run starts
        await Assert.ThrowsAsync<IOException>(() => engine.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct));

        // Then no host carries a lease naming a run the journal does not know (write-ahead)
        Assert.False(File.Exists(Path.Combine(h.StateDirectory, "lease")), "a lease names a run the journal never stored");
        Assert.Empty(h.Log());
    }

    [Fact]
    public async Task RunAsync_LeaseAcquireFailsAfterWritingIt_LeaseGivenBackTransportDisposedRunFailed()
    {
        // Given a host that writes the lease, then stops answering
        await using var h = await EngineHarness.CreateAsync();
        var (plan, _) = h.Load(OneStep);
        var connector = new BreakingConnector("set -C", runFirst: true);
        var engine = new RunEngine(h.Journal, connector, TimeProvider.System, SilentObserver.Instance, h.Options);

        // When the run starts
        var error = await Assert.ThrowsAsync<DownshiftException>(() => engine.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct));

        // Then the lease is given back, the connection closed, and the run is journaled as failed before any change
        Assert.Contains("cannot be reached", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(h.StateDirectory, "lease")), "the half-taken lease was left");
        Assert.True(connector.Disposed >= 1, "the transport was not disposed");
        var run = Assert.Single(await h.Journal.ListRunsAsync(Ct).WaitAsync(EngineHarness.Bound, Ct));
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Empty(h.Log());
    }

    [Fact]
    public async Task RunAsync_HostUnreachableForTheFinalLeaseRelease_RunKeepsItsOutcomeAndNotesTheLease()
    {
        // Given a host that stops answering just when the lease is given back
        await using var h = await EngineHarness.CreateAsync();
        var (plan, _) = h.Load(OneStep);
        var engine = new RunEngine(h.Journal, new BreakingConnector("grep -q"), TimeProvider.System, SilentObserver.Instance, h.Options);

        // When the run ends
        var result = await engine.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then it still succeeded, with its hosts, and the lease left behind is journaled and named
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(HostState.Changed, Assert.Single(result.Hosts).State);
        Assert.Contains(result.Attention, a => a.Contains("was not released", StringComparison.Ordinal));
        var records = await h.RecordsAsync(result.RunId);
        Assert.Contains(records, r => r.Event == JournalEvent.Note && r.Result!.Contains("was not released", StringComparison.Ordinal));
        Assert.DoesNotContain(records, r => r.Event == JournalEvent.LeaseReleased);
        Assert.Equal(RunStatus.Succeeded, RunReplay.From(records).Status);
    }

    /// <summary>A journal that fails to store a new run (disk full, read-only), as the CLI would meet it.</summary>
    private sealed class NoNewRunsJournal(IJournal inner) : IJournal
    {
        public string Location => inner.Location;

        public Task CreateRunAsync(RunHeader header, CancellationToken cancellationToken) =>
            throw new IOException("the journal cannot store a new run");

        public Task<JournalRecord> AppendAsync(JournalRecord record, CancellationToken cancellationToken) => inner.AppendAsync(record, cancellationToken);

        public Task<RunHeader?> FindRunAsync(string runId, CancellationToken cancellationToken) => inner.FindRunAsync(runId, cancellationToken);

        public Task<IReadOnlyList<JournalRecord>> ReadAsync(string runId, CancellationToken cancellationToken) => inner.ReadAsync(runId, cancellationToken);

        public Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken) => inner.ListRunsAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
