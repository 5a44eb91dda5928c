using Downshift.Monitoring.Prometheus;
using Downshift.Monitoring.Rules;

namespace Downshift.Monitoring;

/// <summary>
/// A plan's <c>monitor:</c> (E2, E6, E8): what each host is watched with, the baseline recorded before
/// its first change, the bake time watched after its last step, and the trigger rules that roll it back.
/// Probe URLs, the Prometheus URL and its queries may hold <c>{{ host.address }}</c> and the like, filled in per host.
/// </summary>
public sealed record MonitorPlan
{
    /// <summary>What a <c>by LABEL</c> Prometheus reduction matches on each host: its address (any port).</summary>
    private const string HostAddress = "{{ host.address }}";

    public TimeSpan Interval { get; init; } = MonitorDefaults.Interval;

    /// <summary>How long the baseline is sampled on each host before its first change (zero: none).</summary>
    public TimeSpan Baseline { get; init; }

    /// <summary>How long each host is watched after its last step before it counts as done (zero: no bake).</summary>
    public TimeSpan Bake { get; init; }

    public IReadOnlyList<ProbeSpec> Probes { get; init; } = [];

    public IReadOnlyList<LogWatchSpec> Logs { get; init; } = [];

    /// <summary>The Prometheus queried every interval (metrics <c>prom.NAME</c>), as written: no targets, placeholders not filled in; null: none.</summary>
    public PrometheusSpec? Prometheus { get; init; }

    public IReadOnlyList<TriggerRule> Triggers { get; init; } = [];

    /// <summary>What an inconclusive rule (missing data) does at the end of the bake; a rule's own <c>on-missing</c> wins.</summary>
    public MissingDataPolicy OnMissing { get; init; } = MissingDataPolicy.Pause;

    /// <summary>The monitor of one host: its probes' URLs and Prometheus queries filled in for it and their series named after it.</summary>
    public MonitorSpec ForHost(string host, Func<string, string> expand) => new()
    {
        Interval = Interval,
        Hosts = [host],
        // Two requests per sampling window unless the probe says otherwise: a window in which no request
        // ended is a missing point (inconclusive), so one request per window would leave gaps.
        Probes = [.. Probes.Select(p => p with { Url = expand(p.Url), Body = p.Body is null ? null : expand(p.Body), Host = host, Interval = p.Interval ?? Interval / 2 })],
        LogWatches = Logs,
        Prometheus = Prometheus is { } source
            ? source with
            {
                Url = expand(source.Url),
                Queries = [.. source.Queries.Select(q => q with { Query = expand(q.Query) })],
                Targets = [new PrometheusTarget(host, expand(HostAddress))],
            }
            : null,
    };
}
