namespace Downshift.Monitoring.Internal;

/// <summary>
/// The metrics of a probe over one window, from the requests that ended in it: latency p50/p95/p99 of
/// the requests that got an answer or timed out (a refused connection has no latency worth the name),
/// the error rate (0..1) and requests per second. A window in which no request ended has no error rate
/// and no latency (null, with why): an empty window is inconclusive, not healthy.
/// </summary>
internal static class ProbeWindow
{
    public static List<MetricSample> Summarize(
        string host, string probe, DateTimeOffset end, TimeSpan length, IReadOnlyList<ProbeOutcome> outcomes)
    {
        var latencies = outcomes.Where(o => o.Status is not null || o.TimedOut)
            .Select(o => o.Latency.TotalMilliseconds).Order().ToList();
        var lastError = outcomes.LastOrDefault(o => o.Error is not null)?.Error;
        string? noLatency = latencies.Count > 0 ? null
            : outcomes.Count == 0 ? NoRequest(length)
            : $"no request got an answer in the window: {lastError}";
        var errors = outcomes.Count(o => o.Error is not null);

        return
        [
            Sample(host, MetricNames.HttpLatencyP50(probe), end, latencies.Count > 0 ? Percentiles.Of(latencies, 50) : null, noLatency),
            Sample(host, MetricNames.HttpLatencyP95(probe), end, latencies.Count > 0 ? Percentiles.Of(latencies, 95) : null, noLatency),
            Sample(host, MetricNames.HttpLatencyP99(probe), end, latencies.Count > 0 ? Percentiles.Of(latencies, 99) : null, noLatency),
            Sample(host, MetricNames.HttpErrorRate(probe), end,
                outcomes.Count > 0 ? (double)errors / outcomes.Count : null, NoRequest(length)),
            Sample(host, MetricNames.HttpRequestsPerSecond(probe), end,
                length > TimeSpan.Zero ? outcomes.Count / length.TotalSeconds : null, "the window has no length"),
        ];
    }

    private static string NoRequest(TimeSpan length) => $"no request ended in the {length.TotalSeconds:0.###}s window";

    private static MetricSample Sample(string host, string metric, DateTimeOffset time, double? value, string? error) =>
        new(host, metric, new MetricPoint(time, value, value is null ? error : null));
}
