using System.Text.RegularExpressions;

namespace Downshift.Monitoring.Prometheus;

/// <summary>
/// How a probe turns the series of one query into one value per host: the one series whose
/// <see cref="MatchLabel"/> (usually <c>instance</c>) is the host's <c>address:port</c>, or, when
/// <see cref="MatchLabel"/> is null, the sum of all series — one fleet-wide value given to every host.
/// Written in a plan as <c>sum</c> or <c>by LABEL</c> (<see cref="TryParse"/>, <see cref="ToString"/>).
/// </summary>
public sealed partial record PrometheusReduction(string? MatchLabel)
{
    /// <summary>Match the <c>instance</c> label to each host's <c>address:port</c>.</summary>
    public static PrometheusReduction ByInstance { get; } = new(PrometheusDefaults.InstanceLabel);

    /// <summary>Add up every series; every host gets the sum.</summary>
    public static PrometheusReduction Sum { get; } = new((string?)null);

    /// <summary>Match another label (e.g. <c>host</c>, <c>pod</c>).</summary>
    public static PrometheusReduction ByLabel(string label) => new(label);

    /// <summary>What a plan may write: <c>sum</c>, or <c>by LABEL</c> with a Prometheus label name (<c>by instance</c>).</summary>
    public const string Syntax = "'sum' or 'by LABEL' (e.g. 'by instance')";

    /// <summary>Reads <c>sum</c> or <c>by LABEL</c>; false for anything else.</summary>
    public static bool TryParse(string text, out PrometheusReduction reduction)
    {
        var match = Written().Match(text);
        reduction = match.Groups[1].Success ? ByLabel(match.Groups[1].Value) : Sum;
        return match.Success;
    }

    public override string ToString() => MatchLabel is null ? "sum" : $"by {MatchLabel}";

    [GeneratedRegex(@"^\s*(?:sum|by\s+([A-Za-z_][A-Za-z0-9_]*))\s*$")]
    private static partial Regex Written();
}

/// <summary>
/// A host as a Prometheus query sees it: its name in the run, and the value of the matched label that
/// stands for it — <c>address:port</c> of its exporter; a bare address matches any port.
/// </summary>
public sealed record PrometheusTarget(string Host, string Instance);
