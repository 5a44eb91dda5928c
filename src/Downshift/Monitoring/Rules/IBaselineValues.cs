namespace Downshift.Monitoring.Rules;

/// <summary>
/// What the rules need of a baseline: one value per host, metric and statistic (<c>p95</c>, <c>mean</c>,
/// see <see cref="BaselineStatistics.Name"/>). The monitor's baseline implements it; null when the
/// baseline has no such value (the metric was not sampled, or every sample was missing).
/// </summary>
public interface IBaselineValues
{
    double? Get(string host, string metric, string statistic);
}
