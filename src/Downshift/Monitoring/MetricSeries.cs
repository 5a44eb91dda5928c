namespace Downshift.Monitoring;

/// <summary>
/// One sample of one metric. <see cref="Value"/> is null when the sample could not be taken (a probe
/// failed, a host did not answer, Prometheus returned nothing): missing data is recorded as missing,
/// never as zero, so a rule over it is inconclusive, not healthy.
/// </summary>
public sealed record MetricPoint(DateTimeOffset Time, double? Value, string? Error = null);

/// <summary>
/// The samples of one metric on one host, oldest first. Metric names are dotted:
/// <c>cpu.percent</c>, <c>memory.percent</c>, <c>disk.read_bytes_per_s</c>, <c>disk.write_bytes_per_s</c>,
/// <c>net.rx_bytes_per_s</c>, <c>net.tx_bytes_per_s</c>, <c>http.PROBE.latency_p50_ms</c> (and
/// <c>_p95_ms</c>, <c>_p99_ms</c>), <c>http.PROBE.error_rate</c> (0..1), <c>http.PROBE.requests_per_s</c>,
/// <c>log.NAME.per_minute</c>, <c>prom.NAME</c>.
/// </summary>
public sealed record MetricSeries(string Host, string Metric, IReadOnlyList<MetricPoint> Points);

/// <summary>What a rule says about a window of samples.</summary>
public enum RuleVerdict
{
    Healthy,

    /// <summary>The rule's condition held for its whole duration: roll back.</summary>
    Tripped,

    /// <summary>Not enough data to tell (samples missing or failing): never counted as healthy.</summary>
    Inconclusive,
}
