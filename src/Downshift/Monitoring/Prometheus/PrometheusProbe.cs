using Downshift.Monitoring.Prometheus.Internal;

namespace Downshift.Monitoring.Prometheus;

/// <summary>
/// A named PromQL query sampled as <c>prom.NAME</c>: one <see cref="MetricPoint"/> per host each time.
/// A query that fails, comes back empty, is NaN, or has no (or several) series for a host gives that
/// host a point without a value and with the reason — never 0, and never an exception (only the
/// caller's cancellation is thrown).
/// </summary>
public sealed class PrometheusProbe
{
    private readonly PrometheusClient client;
    private readonly TimeProvider timeProvider;

    /// <param name="name">The name rules use: <c>prom.NAME</c>; see <see cref="MonitorSpec.IsValidName"/>.</param>
    public PrometheusProbe(string name, string query, PrometheusReduction reduction, PrometheusClient client, TimeProvider timeProvider)
    {
        if (!MonitorSpec.IsValidName(name))
        {
            throw new ArgumentException($"a Prometheus probe name is lower-case letters, digits, '_' and '-' (not first): '{name}'", nameof(name));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        Name = name;
        Query = query;
        Reduction = reduction;
        this.client = client;
        this.timeProvider = timeProvider;
    }

    public string Name { get; }

    public string Query { get; }

    public PrometheusReduction Reduction { get; }

    /// <summary>The metric the points belong to: <c>prom.NAME</c>.</summary>
    public string Metric => "prom." + Name;

    /// <summary>Runs the query once (at Prometheus's now) and returns a point for every target's host, stamped with this controller's time.</summary>
    public async Task<IReadOnlyDictionary<string, MetricPoint>> SampleAsync(
        IReadOnlyList<PrometheusTarget> targets, CancellationToken cancellationToken)
    {
        var time = timeProvider.GetUtcNow();
        PrometheusResult result;
        try
        {
            result = await client.QueryAsync(Query, at: null, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = PrometheusResult.Failed(PrometheusStatus.BadResponse, $"{e.GetType().Name}: {e.Message}");
        }

        var points = new Dictionary<string, MetricPoint>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            var (value, error) = ProbeValues.Reduce(result, Reduction, target);
            points[target.Host] = new MetricPoint(time, value, error is null ? null : $"{Metric}: {error}");
        }

        return points;
    }
}
