namespace Downshift.Monitoring.Prometheus;

/// <summary>Named defaults of the Prometheus client and probes.</summary>
public static class PrometheusDefaults
{
    /// <summary>How long one query may take, the HTTP round trip included; Prometheus is asked to give up by then too.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The label a probe matches against a host's <c>address:port</c> unless the plan says another.</summary>
    public const string InstanceLabel = "instance";
}
