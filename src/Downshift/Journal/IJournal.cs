namespace Downshift.Journal;

/// <summary>
/// The append-only record of every run. Appends are durable when the call returns (write-ahead: a
/// record is written before the action it announces). Nothing is ever updated or deleted.
/// </summary>
public interface IJournal : IAsyncDisposable
{
    string Location { get; }

    Task CreateRunAsync(RunHeader header, CancellationToken cancellationToken);

    /// <summary>Appends and returns the record with its sequence number.</summary>
    Task<JournalRecord> AppendAsync(JournalRecord record, CancellationToken cancellationToken);

    Task<RunHeader?> FindRunAsync(string runId, CancellationToken cancellationToken);

    Task<IReadOnlyList<JournalRecord>> ReadAsync(string runId, CancellationToken cancellationToken);

    Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken);
}
