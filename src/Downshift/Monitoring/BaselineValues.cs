using Downshift.Monitoring.Rules;

namespace Downshift.Monitoring;

/// <summary>A <see cref="Baseline"/> as the rules read it: one statistic per host and metric.</summary>
public sealed class BaselineValues(Baseline baseline) : IBaselineValues
{
    public double? Get(string host, string metric, string statistic) => baseline.Find(host, metric) switch
    {
        null => null,
        var stats => statistic switch
        {
            "p95" => stats.P95,
            "mean" => stats.Mean,
            "p50" => stats.P50,
            "max" => stats.Max,
            _ => null,
        },
    };
}
