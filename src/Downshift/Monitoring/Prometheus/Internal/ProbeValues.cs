namespace Downshift.Monitoring.Prometheus.Internal;

/// <summary>One host's value out of a query's series, or why there is none.</summary>
internal static class ProbeValues
{
    public static (double? Value, string? Error) Reduce(PrometheusResult result, PrometheusReduction reduction, PrometheusTarget target)
    {
        if (!result.IsOk)
        {
            return (null, result.Error);
        }

        if (result.ResultType == "matrix")
        {
            return (null, "the query returns a range vector; a probe needs an instant vector or a scalar");
        }

        if (reduction.MatchLabel is not { } label)
        {
            return Known(result.Series.Sum(s => s.Values[^1].Value), "the sum");
        }

        var matches = result.Series.Where(s => s.Labels.TryGetValue(label, out var value) && Matches(value, target.Instance)).ToList();
        return matches.Count switch
        {
            1 => Known(matches[0].Values[^1].Value, $"{label}=\"{target.Instance}\""),
            0 => (null, $"no series with {label}=\"{target.Instance}\" among {result.Series.Count} ({Seen(result, label)})"),
            _ => (null, $"{matches.Count} series with {label}=\"{target.Instance}\": aggregate them in the query, e.g. sum by ({label}) (…)"),
        };
    }

    private static (double?, string?) Known(double value, string what) =>
        double.IsFinite(value) ? (value, null) : (null, $"Prometheus returned {value} for {what}");

    /// <summary>address:port matches exactly; a bare address matches that address on any port.</summary>
    private static bool Matches(string labelValue, string instance) =>
        labelValue == instance || (!instance.Contains(':', StringComparison.Ordinal) && labelValue.StartsWith(instance + ":", StringComparison.Ordinal));

    private static string Seen(PrometheusResult result, string label)
    {
        var values = result.Series.Select(s => s.Labels.GetValueOrDefault(label) is { } v ? $"{label}=\"{v}\"" : $"no {label} label").Distinct().Take(3).ToList();
        return string.Join(", ", values) + (result.Series.Count > 3 ? ", …" : "");
    }
}
