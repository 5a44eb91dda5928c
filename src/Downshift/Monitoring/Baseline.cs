using Downshift.Monitoring.Internal;

namespace Downshift.Monitoring;

/// <summary>
/// One metric on one host over the baseline: mean, p50, p95 and max of the values, how many points had a
/// value (<see cref="SampleCount"/>) and how many were missing (<see cref="MissingCount"/>). With no
/// value at all the statistics are null: there is no baseline to compare with, which is inconclusive.
/// </summary>
public sealed record BaselineStats(
    string Host, string Metric, double? Mean, double? P50, double? P95, double? Max, int SampleCount, int MissingCount);

/// <summary>What the system looked like before the stop (E2): statistics per host and metric over [<see cref="Start"/>, <see cref="End"/>].</summary>
public sealed record Baseline(DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<BaselineStats> Metrics) : Rules.IBaselineValues
{
    public BaselineStats? Find(string host, string metric) =>
        Metrics.FirstOrDefault(m => m.Host == host && m.Metric == metric);

    /// <summary>A statistic as the trigger rules ask for it (<c>p95</c>, <c>mean</c>, <c>p50</c>, <c>max</c>); null when there is none.</summary>
    public double? Get(string host, string metric, string statistic) => Find(host, metric) is not { } stats
        ? null
        : statistic switch
        {
            "p95" => stats.P95,
            "mean" => stats.Mean,
            "p50" => stats.P50,
            "max" => stats.Max,
            _ => null,
        };

    /// <summary>The statistics of every series over the points whose time is within [start, end] (the journal's series give the same baseline as the live ones).</summary>
    public static Baseline From(IReadOnlyList<MetricSeries> series, DateTimeOffset start, DateTimeOffset end) =>
        new(start, end, [.. series.Select(s => Of(s, start, end))]);

    private static BaselineStats Of(MetricSeries series, DateTimeOffset start, DateTimeOffset end)
    {
        var points = series.Points.Where(p => p.Time >= start && p.Time <= end).ToList();
        var values = points.Where(p => p.Value is not null).Select(p => p.Value!.Value).Order().ToList();
        var missing = points.Count - values.Count;
        return values.Count == 0
            ? new BaselineStats(series.Host, series.Metric, null, null, null, null, 0, missing)
            : new BaselineStats(series.Host, series.Metric, values.Average(), Percentiles.Of(values, 50), Percentiles.Of(values, 95),
                values[^1], values.Count, missing);
    }
}
