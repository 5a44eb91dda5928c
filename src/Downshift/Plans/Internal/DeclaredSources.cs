using Downshift.Monitoring.Rules;
using YamlDotNet.RepresentationModel;

namespace Downshift.Plans.Internal;

/// <summary>
/// The names <c>monitor:</c> declares for trigger rules to use: probes (<c>http.NAME.…</c>), log watches
/// (<c>log.NAME.per_minute</c>) and Prometheus queries (<c>prom.NAME</c>). Taken from the YAML as written,
/// so an item with a mistake of its own (reported there) still declares its name and no rule is blamed for it.
/// </summary>
internal sealed class DeclaredSources
{
    private readonly Dictionary<string, (string List, IReadOnlySet<string> Names)> byPrefix;

    private DeclaredSources(IReadOnlySet<string> probes, IReadOnlySet<string> logs, IReadOnlySet<string> queries) =>
        byPrefix = new(StringComparer.Ordinal)
        {
            ["http"] = ("monitor.probes", probes),
            ["log"] = ("monitor.logs", logs),
            ["prom"] = ("monitor.prometheus.queries", queries),
        };

    public static DeclaredSources Of(YamlMappingNode monitor) => new(
        NamesIn(Child(monitor, "probes")),
        NamesIn(Child(monitor, "logs")),
        NamesIn(Child(Child(monitor, "prometheus") as YamlMappingNode, "queries")));

    /// <summary>Why <paramref name="rule"/> names a probe, log watch or query that is not declared; null when it is (or names a host metric).</summary>
    public string? Undeclared(TriggerRule rule)
    {
        if (rule.ProbeName is not { } name || !byPrefix.TryGetValue(rule.Metric.Split('.')[0], out var source) || source.Names.Contains(name))
        {
            return null;
        }

        var known = source.Names.Count == 0 ? "none is declared" : $"declared: {string.Join(", ", source.Names.Order(StringComparer.Ordinal))}";
        return $"'{rule.Metric}' names '{name}', which is not in {source.List} ({known})";
    }

    private static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static HashSet<string> NamesIn(YamlNode? list) =>
        list is YamlSequenceNode items
            ? [.. items.Children.OfType<YamlMappingNode>().Select(item => (Child(item, "name") as YamlScalarNode)?.Value).OfType<string>()]
            : [];
}
