namespace Downshift.Monitoring.Prometheus;

/// <summary>How a Prometheus query ended.</summary>
public enum PrometheusStatus
{
    /// <summary>At least one series (or a scalar) came back.</summary>
    Ok,

    /// <summary>The query ran and matched nothing: the metric does not exist, or its target is down (stale). Missing, never 0.</summary>
    Empty,

    /// <summary>Prometheus refused or failed the query (<c>status: error</c>): a syntax error, a timeout inside Prometheus, …</summary>
    QueryError,

    /// <summary>An HTTP status other than 200 without Prometheus's error document (a proxy, a wrong URL).</summary>
    HttpError,

    /// <summary>No connection: refused, reset, no route, DNS.</summary>
    Unreachable,

    /// <summary>No answer within the client's timeout.</summary>
    Timeout,

    /// <summary>An answer that is not the Prometheus API's JSON, or a result that is no number (a string).</summary>
    BadResponse,
}

/// <summary>One value of a series at one time. NaN and ±Inf are kept as Prometheus sent them.</summary>
public sealed record PrometheusValue(DateTimeOffset Time, double Value);

/// <summary>
/// One series of a result: its labels (with <c>__name__</c> when Prometheus sends it) and its values,
/// oldest first — one for an instant query, many for a range query. A scalar is one series without labels.
/// </summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<PrometheusValue> Values);

/// <summary>
/// What a query returned, or why it returned nothing usable. Failures are values, not exceptions:
/// the caller records a missing sample with <see cref="Error"/>, never a 0.
/// </summary>
public sealed record PrometheusResult
{
    public required PrometheusStatus Status { get; init; }

    /// <summary><c>vector</c>, <c>scalar</c>, <c>matrix</c> or <c>string</c> as Prometheus said; empty when there was no answer.</summary>
    public string ResultType { get; init; } = "";

    public IReadOnlyList<PrometheusSeries> Series { get; init; } = [];

    /// <summary>Why there is no data, one line (for <see cref="PrometheusStatus.QueryError"/>: Prometheus's own errorType and message); null when <see cref="PrometheusStatus.Ok"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Warnings Prometheus attached to an answer.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public bool IsOk => Status == PrometheusStatus.Ok;

    internal static PrometheusResult Failed(PrometheusStatus status, string error) => new() { Status = status, Error = error };
}
