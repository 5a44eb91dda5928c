using System.Globalization;
using Downshift.Monitoring;
using Downshift.Monitoring.Rules;

namespace Downshift.Plans.Internal;

/// <summary>Reads the plan's <c>monitor:</c> mapping; every problem positioned, rules at their column.</summary>
internal static class MonitorReader
{
    private static readonly string[] ProbeKeys = ["name", "url", "method", "body", "expect-status", "timeout"];
    private static readonly string[] LogKeys = ["name", "path", "pattern"];

    public static MonitorPlan? Read(YamlMap root)
    {
        var map = root.Map("monitor");
        if (map is null)
        {
            return null;
        }

        map.ReportUnknownKeys(PlanKeys.Monitor, "'monitor'");
        var interval = map.Duration("interval") ?? MonitorDefaults.Interval;
        var prometheus = map.Map("prometheus");
        var plan = new MonitorPlan
        {
            Interval = interval,
            Baseline = map.Duration("baseline") ?? TimeSpan.Zero,
            Bake = map.Duration("bake") ?? TimeSpan.Zero,
            Probes = [.. Probes(map)],
            Logs = [.. Logs(map)],
            Prometheus = prometheus is null ? null : PrometheusReader.Read(prometheus),
            Triggers = [.. Triggers(map, DeclaredSources.Of(map.Node))],
            OnMissing = map.OneOf("on-missing", ["pause", "rollback"]) == "rollback" ? MissingDataPolicy.Rollback : MissingDataPolicy.Pause,
        };

        if (interval <= TimeSpan.Zero)
        {
            map.Error("interval", "'interval' must be more than 0");
        }

        if (plan.Triggers.Count > 0 && plan.Bake <= TimeSpan.Zero)
        {
            map.Error("triggers", "trigger rules are judged during the bake after each host's last step: set 'bake' (e.g. 30s)");
        }

        if (plan.Triggers.Any(t => t.Threshold is RelativeThreshold) && plan.Baseline <= TimeSpan.Zero)
        {
            map.Error("triggers", "a rule relative to the baseline needs 'baseline' (how long to sample before the first change)");
        }

        var spec = plan.ForHost("h", Hosts.HostPlaceholders.Sample);
        foreach (var error in spec.Validate())
        {
            if (error.StartsWith("prometheus.", StringComparison.Ordinal) && prometheus is not null)
            {
                // prometheus.url: …, prometheus.timeout: …, prometheus.queries…: at that key.
                prometheus.Error(error["prometheus.".Length..].Split('.', ':')[0], error);
            }
            else
            {
                map.Error(error.StartsWith("logs", StringComparison.Ordinal) ? "logs" : "probes", error);
            }
        }

        return plan;
    }

    private static IEnumerable<ProbeSpec> Probes(YamlMap map)
    {
        foreach (var item in map.MapList("probes", ProbeKeys) ?? [])
        {
            var name = item.GetValueOrDefault("name")?.Text;
            var url = item.GetValueOrDefault("url")?.Text;
            if (name is null || url is null)
            {
                map.Error("probes", "each probe needs 'name' and 'url'");
                continue;
            }

            var probe = new ProbeSpec(name, url) { Method = item.GetValueOrDefault("method")?.Text ?? "GET", Body = item.GetValueOrDefault("body")?.Text };
            if (item.GetValueOrDefault("expect-status")?.Text is { } status)
            {
                probe = int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                    ? probe with { ExpectStatus = [code] }
                    : Fail(map, "probes", $"probe '{name}': 'expect-status' must be an HTTP status, got '{status}'", probe);
            }

            if (item.GetValueOrDefault("timeout")?.Text is { } timeout)
            {
                probe = Durations.TryParse(timeout, out var value)
                    ? probe with { Timeout = value }
                    : Fail(map, "probes", $"probe '{name}': 'timeout' must be a duration such as 2s, got '{timeout}'", probe);
            }

            yield return probe;
        }
    }

    private static IEnumerable<LogWatchSpec> Logs(YamlMap map)
    {
        foreach (var item in map.MapList("logs", LogKeys) ?? [])
        {
            if (item.GetValueOrDefault("name")?.Text is { } name && item.GetValueOrDefault("path")?.Text is { } path && item.GetValueOrDefault("pattern")?.Text is { } pattern)
            {
                yield return new LogWatchSpec(name, path, pattern);
            }
            else
            {
                map.Error("logs", "each log watch needs 'name', 'path' and 'pattern'");
            }
        }
    }

    private static IEnumerable<TriggerRule> Triggers(YamlMap map, DeclaredSources declared)
    {
        var items = map.Sequence("triggers");
        foreach (var (node, path) in items ?? [])
        {
            if (node is not YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } text } scalar)
            {
                map.Context.Errors.Add(map.Context.Locate(node.Start, path), "each trigger is one rule on one line, e.g. \"http.health.error_rate > 1% for 30s\"");
                continue;
            }

            // The rule's column inside the YAML line: a quoted scalar starts one column later.
            var start = map.Context.Locate(scalar.Start, path);
            var offset = scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted ? 1 : 0;
            var parsed = RuleParser.Parse(text);
            if (parsed.IsValid && declared.Undeclared(parsed.Rule!) is { } undeclared)
            {
                map.Context.Errors.Add(start with { Column = start.Column + offset }, $"trigger rule: {undeclared}");
            }
            else if (parsed.IsValid)
            {
                yield return parsed.Rule!;
            }

            foreach (var error in parsed.Errors)
            {
                map.Context.Errors.Add(error.In(start with { Column = start.Column + offset }), $"trigger rule: {error.Message}");
            }
        }
    }

    private static T Fail<T>(YamlMap map, string key, string message, T value)
    {
        map.Error(key, message);
        return value;
    }
}
