using Downshift.Monitoring.Prometheus;

namespace Downshift.Monitoring;

/// <summary>
/// A Prometheus server a <see cref="MetricMonitor"/> queries every interval (issue 5 §2): each query's
/// value is the metric <c>prom.NAME</c> of every target, in the same series as the other metrics. A
/// query that fails or comes back empty is a missing point with its error, never 0.
/// </summary>
public sealed record PrometheusSpec(string Url)
{
    public IReadOnlyList<PrometheusQuerySpec> Queries { get; init; } = [];

    /// <summary>
    /// The hosts the values are for, each with the label value a <c>by LABEL</c> reduction matches (its
    /// address, or <c>address:port</c>); empty: one value for the fleet (<see cref="MetricNames.FleetHost"/>).
    /// </summary>
    public IReadOnlyList<PrometheusTarget> Targets { get; init; } = [];

    /// <summary>The bound of one query; the monitor uses at most its interval, so a slow server never delays a tick.</summary>
    public TimeSpan Timeout { get; init; } = PrometheusDefaults.QueryTimeout;

    /// <summary>Every problem (empty when it can be used), each naming its field; the names are checked by <see cref="MonitorSpec.Validate"/>.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!MonitorSpec.IsHttpUrl(Url))
        {
            errors.Add($"url: '{Url}' is not an absolute http or https URL");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"timeout: must be more than 0 (got {Timeout})");
        }

        foreach (var query in Queries)
        {
            if (string.IsNullOrWhiteSpace(query.Query))
            {
                errors.Add($"queries.{query.Name}.query: is empty");
            }
            else if (query.Query.Contains("{{", StringComparison.Ordinal))
            {
                errors.Add($"queries.{query.Name}.query: '{query.Query}' holds a '{{{{ … }}}}' that is not filled in (known: host.name, host.address, host.port, host.user, host.vars.NAME)");
            }

            if (query.Reduction.MatchLabel is { } label && Targets.Count == 0)
            {
                errors.Add($"queries.{query.Name}.reduce: 'by {label}' needs the hosts' addresses (targets), and none are given");
            }
        }

        return errors;
    }
}

/// <summary>A named PromQL instant query, sampled as <c>prom.NAME</c>; its series reduced to one value per host as <see cref="Reduction"/> says.</summary>
public sealed record PrometheusQuerySpec(string Name, string Query)
{
    public PrometheusReduction Reduction { get; init; } = PrometheusReduction.Sum;
}
