namespace Downshift.Monitoring;

/// <summary>
/// The metric names of <see cref="MetricSeries"/> (see its summary), as constants and builders, so the
/// samplers, the rules and the report spell them the same way.
/// </summary>
public static class MetricNames
{
    public const string CpuPercent = "cpu.percent";
    public const string MemoryPercent = "memory.percent";
    public const string DiskReadBytesPerSecond = "disk.read_bytes_per_s";
    public const string DiskWriteBytesPerSecond = "disk.write_bytes_per_s";
    public const string NetRxBytesPerSecond = "net.rx_bytes_per_s";
    public const string NetTxBytesPerSecond = "net.tx_bytes_per_s";

    /// <summary>The host name of the series of a probe that names no host: it is about the whole fleet.</summary>
    public const string FleetHost = "fleet";

    /// <summary>What <see cref="HostSampler"/> gives for every host, in this order.</summary>
    public static IReadOnlyList<string> HostMetrics { get; } =
        [CpuPercent, MemoryPercent, DiskReadBytesPerSecond, DiskWriteBytesPerSecond, NetRxBytesPerSecond, NetTxBytesPerSecond];

    public static string HttpLatencyP50(string probe) => $"http.{probe}.latency_p50_ms";

    public static string HttpLatencyP95(string probe) => $"http.{probe}.latency_p95_ms";

    public static string HttpLatencyP99(string probe) => $"http.{probe}.latency_p99_ms";

    /// <summary>0..1: the share of a window's requests that failed.</summary>
    public static string HttpErrorRate(string probe) => $"http.{probe}.error_rate";

    public static string HttpRequestsPerSecond(string probe) => $"http.{probe}.requests_per_s";

    /// <summary>What <see cref="HttpProbe"/> gives per window, in this order.</summary>
    public static IReadOnlyList<string> HttpMetrics(string probe) =>
        [HttpLatencyP50(probe), HttpLatencyP95(probe), HttpLatencyP99(probe), HttpErrorRate(probe), HttpRequestsPerSecond(probe)];

    public static string LogPerMinute(string watch) => $"log.{watch}.per_minute";
}
