namespace Downshift.Monitoring;

/// <summary>One point of one metric on one host: the unit a monitor's batches are made of.</summary>
public sealed record MetricSample(string Host, string Metric, MetricPoint Point)
{
    public static MetricSample Missing(string host, string metric, DateTimeOffset time, string error) =>
        new(host, metric, new MetricPoint(time, null, error));
}

/// <summary>
/// What one tick of a <see cref="MetricMonitor"/> produced: every sample (a failed reading is a sample
/// with a null value and its error) and notes worth a line in the journal (a log file that was rotated,
/// a batch handler that failed).
/// </summary>
public sealed record MonitorBatch(DateTimeOffset Time, IReadOnlyList<MetricSample> Samples)
{
    public IReadOnlyList<string> Notes { get; init; } = [];
}
