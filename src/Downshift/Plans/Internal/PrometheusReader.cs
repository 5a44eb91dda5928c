using Downshift.Monitoring;
using Downshift.Monitoring.Prometheus;

namespace Downshift.Plans.Internal;

/// <summary>
/// Reads <c>monitor.prometheus</c>: the server's URL and the named queries (metrics <c>prom.NAME</c>),
/// every problem at its key or list item. URL, names and duplicates are checked with the rest of the
/// monitor (<see cref="MonitorSpec.Validate"/>), once the placeholders are filled in.
/// </summary>
internal static class PrometheusReader
{
    public static PrometheusSpec? Read(YamlMap map)
    {
        map.ReportUnknownKeys(PlanKeys.Prometheus, "'monitor.prometheus'");
        var url = map.String("url", required: true);
        var timeout = map.Duration("timeout") ?? PrometheusDefaults.QueryTimeout;
        var queries = Queries(map);
        return url is null ? null : new PrometheusSpec(url) { Queries = queries, Timeout = timeout };
    }

    private static List<PrometheusQuerySpec> Queries(YamlMap map)
    {
        var queries = new List<PrometheusQuerySpec>();
        var items = map.MapList("queries", PlanKeys.PrometheusQuery, required: true);
        if (items is { Count: 0 })
        {
            map.Error("queries", "'queries' is empty: declare at least one {name, query}");
        }

        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var name = items![i].GetValueOrDefault("name")?.Text;
            var query = items[i].GetValueOrDefault("query")?.Text;
            if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(query))
            {
                map.ItemError("queries", i, "each query needs 'name' and 'query' (PromQL)");
                continue;
            }

            var reduction = PrometheusReduction.Sum;
            if (items[i].GetValueOrDefault("reduce")?.Text is { } reduce && !PrometheusReduction.TryParse(reduce, out reduction))
            {
                map.ItemError("queries", i, $"query '{name}': 'reduce' must be {PrometheusReduction.Syntax}, not '{reduce}'");
            }

            queries.Add(new PrometheusQuerySpec(name, query) { Reduction = reduction });
        }

        return queries;
    }
}
