using System.Text.RegularExpressions;

namespace Downshift.Monitoring;

/// <summary>
/// What a <see cref="MetricMonitor"/> samples and how often: system metrics on hosts (from /proc, over
/// each host's transport), HTTP probes from the controller, log files on hosts, and Prometheus queries.
/// </summary>
public sealed record MonitorSpec
{
    public TimeSpan Interval { get; init; } = MonitorDefaults.Interval;

    /// <summary>Hosts to read system metrics and logs on; empty: every host the monitor is given.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    public IReadOnlyList<ProbeSpec> Probes { get; init; } = [];

    public IReadOnlyList<LogWatchSpec> LogWatches { get; init; } = [];

    /// <summary>The Prometheus queried every interval (metrics <c>prom.NAME</c>); null: none.</summary>
    public PrometheusSpec? Prometheus { get; init; }

    /// <summary>Points kept per series in memory.</summary>
    public int RingCapacity { get; init; } = MonitorDefaults.RingCapacity;

    /// <summary>The bound of one command on a host (a reading or a log read).</summary>
    public TimeSpan CommandTimeout { get; init; } = MonitorDefaults.CommandTimeout;

    /// <summary>Every problem with this spec (empty when it can be used), each naming the field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Interval <= TimeSpan.Zero)
        {
            errors.Add($"interval: must be more than 0 (got {Interval})");
        }

        if (RingCapacity < 1)
        {
            errors.Add($"ring-capacity: must be at least 1 (got {RingCapacity})");
        }

        if (CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"command-timeout: must be more than 0 (got {CommandTimeout})");
        }

        CheckNames("probes", Probes.Select(p => p.Name), errors);
        CheckNames("logs", LogWatches.Select(w => w.Name), errors);
        foreach (var probe in Probes)
        {
            errors.AddRange(probe.Validate().Select(e => $"probes.{probe.Name}.{e}"));
        }

        foreach (var watch in LogWatches)
        {
            errors.AddRange(watch.Validate().Select(e => $"logs.{watch.Name}.{e}"));
        }

        if (Prometheus is { } prometheus)
        {
            CheckNames("prometheus.queries", prometheus.Queries.Select(q => q.Name), errors);
            errors.AddRange(prometheus.Validate().Select(e => $"prometheus.{e}"));
        }

        return errors;
    }

    /// <summary>An absolute http or https URL.</summary>
    public static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>A probe, log watch or query name is part of metric names: lower-case letters, digits, '-' and '_'.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && name[0] != '-' && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    private static void CheckNames(string field, IEnumerable<string> names, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!IsValidName(name))
            {
                errors.Add($"{field}: '{name}' is not a valid name (lower-case letters, digits, '-' and '_'; not '-' first)");
            }
            else if (!seen.Add(name))
            {
                errors.Add($"{field}: the name '{name}' is used twice");
            }
        }
    }
}

/// <summary>An HTTP request the controller sends at an interval; its windows give latency percentiles, error rate and requests/s.</summary>
public sealed record ProbeSpec(string Name, string Url)
{
    public string Method { get; init; } = "GET";

    public string? Body { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The statuses that count as success; empty: any 2xx or 3xx.</summary>
    public IReadOnlyList<int> ExpectStatus { get; init; } = [];

    /// <summary>Time between requests; null: the monitor's interval.</summary>
    public TimeSpan? Interval { get; init; }

    public TimeSpan Timeout { get; init; } = MonitorDefaults.ProbeTimeout;

    /// <summary>The host the probe is about (its series carry this name); null: the fleet (<see cref="MetricNames.FleetHost"/>).</summary>
    public string? Host { get; init; }

    public bool IsExpected(int status) =>
        ExpectStatus.Count == 0 ? status is >= 200 and < 400 : ExpectStatus.Contains(status);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!MonitorSpec.IsHttpUrl(Url))
        {
            errors.Add($"url: '{Url}' is not an absolute http or https URL");
        }

        if (Method.Length == 0 || !Method.All(char.IsAsciiLetterUpper))
        {
            errors.Add($"method: '{Method}' is not an HTTP method (GET, POST, ...)");
        }

        if (ExpectStatus.FirstOrDefault(s => s is < 100 or > 599) is var bad and not 0)
        {
            errors.Add($"expect-status: {bad} is not an HTTP status");
        }

        if (Interval is { } interval && interval <= TimeSpan.Zero)
        {
            errors.Add($"interval: must be more than 0 (got {interval})");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"timeout: must be more than 0 (got {Timeout})");
        }

        return errors;
    }
}

/// <summary>A log file on hosts: lines that match <see cref="Pattern"/> (a .NET regex), per minute.</summary>
public sealed record LogWatchSpec(string Name, string Path, string Pattern)
{
    /// <summary>Hosts whose file is watched; empty: every host the monitor reads.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Path.StartsWith('/'))
        {
            errors.Add($"path: '{Path}' is not an absolute path");
        }

        try
        {
            _ = new Regex(Pattern, RegexOptions.None, MonitorDefaults.RegexTimeout);
        }
        catch (ArgumentException e)
        {
            errors.Add($"pattern: '{Pattern}' is not a valid regular expression: {e.Message}");
        }

        return errors;
    }
}
