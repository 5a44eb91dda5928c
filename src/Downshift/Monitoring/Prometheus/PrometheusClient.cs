using System.Globalization;
using Downshift.Monitoring.Prometheus.Internal;

namespace Downshift.Monitoring.Prometheus;

/// <summary>
/// PromQL over the HTTP API of a Prometheus server: instant queries (<c>/api/v1/query</c>) for probes and
/// range queries (<c>/api/v1/query_range</c>) for bottleneck analysis (V4). Every failure — an empty
/// result, <c>status: error</c>, another HTTP status, no connection, no answer within <see cref="Timeout"/> —
/// is a <see cref="PrometheusResult"/> that says so; only the caller's cancellation throws.
/// </summary>
public sealed class PrometheusClient
{
    private readonly HttpClient http;
    private readonly TimeProvider time;

    public PrometheusClient(HttpClient http, Uri baseUrl)
        : this(http, baseUrl, PrometheusDefaults.QueryTimeout)
    {
    }

    /// <param name="baseUrl">The server's root, e.g. <c>http://prometheus:9090/</c> (a path prefix such as <c>/prometheus/</c> is kept).</param>
    /// <param name="timeout">How long one query may take (see <see cref="PrometheusDefaults.QueryTimeout"/>).</param>
    /// <param name="timeProvider">The clock the timeout runs on (default: the system's).</param>
    public PrometheusClient(HttpClient http, Uri baseUrl, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        this.http = http;
        time = timeProvider ?? TimeProvider.System;
        BaseUrl = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/");
        Timeout = timeout;
    }

    public Uri BaseUrl { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Evaluates <paramref name="promql"/> at one instant (<paramref name="at"/>, or Prometheus's now): a vector or a scalar.</summary>
    public Task<PrometheusResult> QueryAsync(string promql, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var query = $"api/v1/query?query={Uri.EscapeDataString(promql)}&timeout={Seconds(Timeout)}";
        if (at is { } time)
        {
            query += $"&time={Seconds(time)}";
        }

        return GetAsync(query, cancellationToken);
    }

    /// <summary>Evaluates <paramref name="promql"/> every <paramref name="step"/> from <paramref name="start"/> to <paramref name="end"/>: a matrix.</summary>
    public Task<PrometheusResult> QueryRangeAsync(
        string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var query = $"api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={Seconds(start)}&end={Seconds(end)}" +
            $"&step={Seconds(step)}&timeout={Seconds(Timeout)}";
        return GetAsync(query, cancellationToken);
    }

    private async Task<PrometheusResult> GetAsync(string relative, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(Timeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            using var response = await http.GetAsync(new Uri(BaseUrl, relative), HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var body = await response.Content.ReadAsByteArrayAsync(limit.Token);
            return PrometheusResponse.Read(response.StatusCode, response.ReasonPhrase, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PrometheusResult.Failed(PrometheusStatus.Timeout, $"no answer from {BaseUrl} within {Timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return PrometheusResult.Failed(PrometheusStatus.Unreachable, $"cannot reach {BaseUrl}: {e.Message}");
        }
    }

    private static string Seconds(DateTimeOffset time) => Seconds(TimeSpan.FromMilliseconds(time.ToUnixTimeMilliseconds()));

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
