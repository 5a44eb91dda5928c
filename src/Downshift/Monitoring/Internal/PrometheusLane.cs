using Downshift.Monitoring.Prometheus;

namespace Downshift.Monitoring.Internal;

/// <summary>
/// The Prometheus queries of a monitor: every tick, each query once (all at once) and a <c>prom.NAME</c>
/// sample for every target. A query is bounded by the interval (or the spec's timeout if shorter), so
/// a slow server gives missing points, never a late tick or queries piling up.
/// </summary>
internal sealed class PrometheusLane
{
    private readonly IReadOnlyList<PrometheusProbe> probes;
    private readonly IReadOnlyList<PrometheusTarget> targets;

    public PrometheusLane(PrometheusSpec spec, HttpClient http, TimeSpan interval, TimeProvider timeProvider)
    {
        var client = new PrometheusClient(http, new Uri(spec.Url), spec.Timeout < interval ? spec.Timeout : interval, timeProvider);
        probes = [.. spec.Queries.Select(q => new PrometheusProbe(q.Name, q.Query, q.Reduction, client, timeProvider))];
        targets = spec.Targets.Count > 0 ? spec.Targets : [new PrometheusTarget(MetricNames.FleetHost, "")];
    }

    public async Task<IReadOnlyList<MetricSample>> SampleAsync(CancellationToken cancellationToken)
    {
        var points = await Task.WhenAll(probes.Select(p => p.SampleAsync(targets, cancellationToken)));
        return [.. probes.Zip(points).SelectMany(q => q.Second.Select(p => new MetricSample(p.Key, q.First.Metric, p.Value)))];
    }
}
