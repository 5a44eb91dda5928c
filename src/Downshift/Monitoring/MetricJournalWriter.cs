using Downshift.Journal;

namespace Downshift.Monitoring;

/// <summary>
/// Batches a monitor's ticks into the journal: one <see cref="JournalEvent.MetricSamples"/> record per
/// host once its oldest unwritten point is <see cref="FlushInterval"/> old (10 s: a host sampled every
/// second costs a record, not ten), and each note of a batch at once as a <see cref="JournalEvent.Note"/>.
/// Plug <see cref="AddAsync"/> into <see cref="MetricMonitor.OnBatch"/>, and call <see cref="FlushAsync"/>
/// when the monitor stops and before a rollback is recorded, so the values that tripped a rule are on disk
/// first. Samples are observations, not actions: a crash loses at most the unwritten interval.
/// </summary>
public sealed class MetricJournalWriter(IJournal journal, string runId, string operatorName, string stage, TimeProvider timeProvider)
{
    private readonly MetricJournal metrics = new(journal, timeProvider);
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, List<MetricSample>> pending = new(StringComparer.Ordinal);

    public TimeSpan FlushInterval { get; init; } = MonitorDefaults.JournalFlushInterval;

    public async Task AddAsync(MonitorBatch batch, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            foreach (var note in batch.Notes)
            {
                await journal.AppendAsync(
                    new JournalRecord { RunId = runId, Time = timeProvider.GetUtcNow(), Operator = operatorName, Event = JournalEvent.Note, Result = $"monitor: {note}" },
                    cancellationToken);
            }

            foreach (var sample in batch.Samples)
            {
                if (!pending.TryGetValue(sample.Host, out var list))
                {
                    pending[sample.Host] = list = [];
                }

                list.Add(sample);
            }

            var now = timeProvider.GetUtcNow();
            foreach (var host in pending.Where(p => p.Value.Count > 0 && now - p.Value.Min(s => s.Point.Time) >= FlushInterval).Select(p => p.Key).ToList())
            {
                await WriteAsync(host, cancellationToken);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Writes every host's unwritten points now.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            foreach (var host in pending.Where(p => p.Value.Count > 0).Select(p => p.Key).ToList())
            {
                await WriteAsync(host, cancellationToken);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task WriteAsync(string host, CancellationToken cancellationToken)
    {
        var samples = pending[host];
        pending[host] = [];
        await metrics.AppendAsync(runId, operatorName, stage, samples, cancellationToken);
    }
}
