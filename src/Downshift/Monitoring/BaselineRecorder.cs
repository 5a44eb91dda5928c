namespace Downshift.Monitoring;

/// <summary>
/// Records the baseline (E2): runs a <see cref="MetricMonitor"/> for the declared duration before the stop,
/// then gives the statistics of what it sampled in that time. The monitor's <see cref="MetricMonitor.OnBatch"/>
/// sees every batch meanwhile (to journal them); a failed reading counts as missing, never as a value.
/// </summary>
public sealed class BaselineRecorder(MetricMonitor monitor, TimeProvider timeProvider)
{
    /// <exception cref="OperationCanceledException">Cancelled before the duration ended: no baseline.</exception>
    public async Task<Baseline> RecordAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = timeProvider.GetUtcNow();
        await monitor.RunAsync(duration, cancellationToken);
        return Baseline.From(monitor.Snapshot(), start, timeProvider.GetUtcNow());
    }
}
