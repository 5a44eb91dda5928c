using System.Text.RegularExpressions;

namespace Downshift.Monitoring.Rules.Internal;

/// <summary>The unit family of a metric, which says what a percentage threshold means for it.</summary>
internal enum MetricUnit
{
    /// <summary>A count, a size, a time, a Prometheus value: a percentage means nothing.</summary>
    Plain,

    /// <summary>A rate from 0 to 1 (<c>http.NAME.error_rate</c>): <c>1%</c> is 0.01.</summary>
    Fraction,

    /// <summary>A <c>*.percent</c> metric (0..100): <c>90%</c> and <c>90</c> are both 90.</summary>
    Percent,
}

/// <summary>The metric names a rule may watch (those of <see cref="MetricSeries"/>).</summary>
internal static partial class MetricShapes
{
    public const string Expected =
        "cpu.percent, memory.percent, disk.read_bytes_per_s, disk.write_bytes_per_s, net.rx_bytes_per_s, " +
        "net.tx_bytes_per_s, http.NAME.latency_p50_ms (_p95_ms, _p99_ms), http.NAME.error_rate, " +
        "http.NAME.requests_per_s, log.NAME.per_minute or prom.NAME";

    private static readonly HashSet<string> HostMetrics = new(StringComparer.Ordinal)
    {
        "cpu.percent", "memory.percent", "disk.read_bytes_per_s", "disk.write_bytes_per_s", "net.rx_bytes_per_s", "net.tx_bytes_per_s",
    };

    /// <summary>The unit of <paramref name="metric"/> and the probe it names (null for a host metric), or false when it is no known metric.</summary>
    public static bool TryRead(string metric, out MetricUnit unit, out string? probeName)
    {
        unit = MetricUnit.Plain;
        probeName = null;
        if (HostMetrics.Contains(metric))
        {
            unit = metric.EndsWith(".percent", StringComparison.Ordinal) ? MetricUnit.Percent : MetricUnit.Plain;
            return true;
        }

        var match = ProbeMetric().Match(metric);
        if (!match.Success)
        {
            return false;
        }

        probeName = match.Groups["name"].Value;
        unit = match.Groups["http"].Value == "error_rate" ? MetricUnit.Fraction : MetricUnit.Plain;
        return true;
    }

    [GeneratedRegex(@"^(?:http\.(?<name>[A-Za-z0-9_][A-Za-z0-9_-]*)\.(?<http>latency_p50_ms|latency_p95_ms|latency_p99_ms|error_rate|requests_per_s)|log\.(?<name>[A-Za-z0-9_][A-Za-z0-9_-]*)\.per_minute|prom\.(?<name>[A-Za-z0-9_][A-Za-z0-9_-]*))$")]
    private static partial Regex ProbeMetric();
}
