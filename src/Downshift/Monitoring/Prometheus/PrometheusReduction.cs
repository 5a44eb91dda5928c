namespace Downshift.Monitoring.Prometheus;

/// <summary>
/// How a probe turns the series of one query into one value per host: the one series whose
/// <see cref="MatchLabel"/> (usually <c>instance</c>) is the host's <c>address:port</c>, or, when
/// <see cref="MatchLabel"/> is null, the sum of all series — one fleet-wide value given to every host.
/// </summary>
public sealed record PrometheusReduction(string? MatchLabel)
{
    /// <summary>Match the <c>instance</c> label to each host's <c>address:port</c>.</summary>
    public static PrometheusReduction ByInstance { get; } = new(PrometheusDefaults.InstanceLabel);

    /// <summary>Add up every series; every host gets the sum.</summary>
    public static PrometheusReduction Sum { get; } = new((string?)null);

    /// <summary>Match another label (e.g. <c>host</c>, <c>pod</c>).</summary>
    public static PrometheusReduction ByLabel(string label) => new(label);

    public override string ToString() => MatchLabel is null ? "sum" : $"match {MatchLabel}";
}

/// <summary>
/// A host as a Prometheus query sees it: its name in the run, and the value of the matched label that
/// stands for it — <c>address:port</c> of its exporter; a bare address matches any port.
/// </summary>
public sealed record PrometheusTarget(string Host, string Instance);
