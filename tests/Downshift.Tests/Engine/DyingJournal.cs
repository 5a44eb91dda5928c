using Downshift.Journal;

namespace Downshift.Tests.Engine;

/// <summary>Writes records until the K-th (or until one matches), then fails every append (the process "died" there).</summary>
internal sealed class DyingJournal(IJournal inner, int dieAt, Func<JournalRecord, bool>? diesOn = null) : IJournal
{
    private int appended;
    private volatile bool dead;

    public DyingJournal(IJournal inner, Func<JournalRecord, bool> diesOn)
        : this(inner, int.MaxValue, diesOn)
    {
    }

    public string Location => inner.Location;

    public Task CreateRunAsync(RunHeader header, CancellationToken cancellationToken) => inner.CreateRunAsync(header, cancellationToken);

    public async Task<JournalRecord> AppendAsync(JournalRecord record, CancellationToken cancellationToken)
    {
        dead |= diesOn?.Invoke(record) == true;
        if (dead || Interlocked.Increment(ref appended) > dieAt)
        {
            throw new IOException($"the run died at record {dieAt}");
        }

        return await inner.AppendAsync(record, cancellationToken);
    }

    public Task<RunHeader?> FindRunAsync(string runId, CancellationToken cancellationToken) => inner.FindRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<JournalRecord>> ReadAsync(string runId, CancellationToken cancellationToken) => inner.ReadAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken) => inner.ListRunsAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
