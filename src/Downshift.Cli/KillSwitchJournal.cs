using Downshift.Journal;

namespace Downshift.Cli;

/// <summary>
/// Test-only (DOWNSHIFT_TEST_KILL_AT_RECORD=K): after the K-th record this process appends, the
/// process kills itself with SIGKILL — the crash suites use it to stop a run at every journal point.
/// </summary>
internal sealed class KillSwitchJournal(IJournal inner, int killAt) : IJournal, IRehearsalStore
{
    private int appended;

    public string Location => inner.Location;

    public Task CreateRunAsync(RunHeader header, CancellationToken cancellationToken) => inner.CreateRunAsync(header, cancellationToken);

    public async Task<JournalRecord> AppendAsync(JournalRecord record, CancellationToken cancellationToken)
    {
        var written = await inner.AppendAsync(record, cancellationToken);
        if (Interlocked.Increment(ref appended) == killAt)
        {
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }

        return written;
    }

    public Task<RunHeader?> FindRunAsync(string runId, CancellationToken cancellationToken) => inner.FindRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<JournalRecord>> ReadAsync(string runId, CancellationToken cancellationToken) => inner.ReadAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken) => inner.ListRunsAsync(cancellationToken);

    public Task<RehearsalRecord> AppendRehearsalAsync(RehearsalRecord record, CancellationToken cancellationToken) =>
        Store.AppendRehearsalAsync(record, cancellationToken);

    public Task<IReadOnlyList<RehearsalRecord>> ListRehearsalsAsync(string planHash, CancellationToken cancellationToken) =>
        Store.ListRehearsalsAsync(planHash, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private IRehearsalStore Store => inner as IRehearsalStore ?? throw DownshiftException.Internal("the journal keeps no rehearsals");
}
