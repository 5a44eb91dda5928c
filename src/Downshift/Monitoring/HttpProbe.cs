using System.Text;
using Downshift.Monitoring.Internal;

namespace Downshift.Monitoring;

/// <summary>How one probe request went. <see cref="Error"/> is null when the status was expected.</summary>
public sealed record ProbeOutcome(DateTimeOffset Time, TimeSpan Latency, int? Status, string? Error)
{
    /// <summary>No answer within the probe's timeout (its latency counts: a slow server is slow, not missing).</summary>
    public bool TimedOut { get; init; }
}

/// <summary>
/// An HTTP request the controller sends at an interval (<see cref="RunAsync"/>), with a timeout; each
/// <see cref="CloseWindow"/> gives the window's latency p50/p95/p99 (ms), error rate (0..1: a status
/// that was not expected, a timeout, a refused or broken connection) and requests/s. Requests overlap
/// when the server is slower than the interval, so the pace stays the declared one. Use one handler
/// per monitor (<see cref="CreateHandler"/>); the probe never disposes the client it is given.
/// </summary>
public sealed class HttpProbe(ProbeSpec spec, HttpMessageInvoker client, TimeProvider timeProvider)
{
    private readonly Lock gate = new();
    private List<ProbeOutcome> window = [];
    private DateTimeOffset windowStart = timeProvider.GetUtcNow();

    public ProbeSpec Spec { get; } = spec;

    /// <summary>The host name its series carry.</summary>
    public string Host => Spec.Host ?? MetricNames.FleetHost;

    /// <summary>For a monitor's probes: no proxy, no redirects followed (a 3xx is an answer), connections renewed each minute.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    };

    /// <summary>Sends requests every interval (the first at once) until cancelled; then waits for those in flight.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        ResetWindow();
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(Spec.Interval ?? interval, timeProvider);
        try
        {
            do
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(SendAsync(cancellationToken));
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        finally
        {
            try
            {
                await Task.WhenAll(inFlight);
            }
            catch (OperationCanceledException)
            {
                // Stopped with the probe: a request cut short is not an outcome.
            }
        }
    }

    /// <summary>Sends one request, adds it to the open window and says how it went; throws only for the caller's cancellation.</summary>
    public async Task<ProbeOutcome> SendAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Spec.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var start = timeProvider.GetTimestamp();
        ProbeOutcome outcome;
        try
        {
            using var request = Request();
            using var response = await client.SendAsync(request, linked.Token);
            await response.Content.CopyToAsync(Stream.Null, linked.Token);
            var status = (int)response.StatusCode;
            outcome = new ProbeOutcome(timeProvider.GetUtcNow(), timeProvider.GetElapsedTime(start), status,
                Spec.IsExpected(status) ? null : $"HTTP {status} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = timeout.IsCancellationRequested
                ? new ProbeOutcome(timeProvider.GetUtcNow(), timeProvider.GetElapsedTime(start), null,
                    $"no answer within {Spec.Timeout.TotalSeconds:0.###}s") { TimedOut = true }
                : new ProbeOutcome(timeProvider.GetUtcNow(), timeProvider.GetElapsedTime(start), null, "the request was cancelled by the HTTP stack");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = new ProbeOutcome(timeProvider.GetUtcNow(), timeProvider.GetElapsedTime(start), null, Describe(e));
        }

        lock (gate)
        {
            window.Add(outcome);
        }

        return outcome;
    }

    /// <summary>The metrics of the requests that ended since the window opened; a new window opens.</summary>
    public IReadOnlyList<MetricSample> CloseWindow()
    {
        List<ProbeOutcome> ended;
        DateTimeOffset start;
        var end = timeProvider.GetUtcNow();
        lock (gate)
        {
            (ended, window, start, windowStart) = (window, [], windowStart, end);
        }

        return ProbeWindow.Summarize(Host, Spec.Name, end, end - start, ended);
    }

    private void ResetWindow()
    {
        lock (gate)
        {
            (window, windowStart) = ([], timeProvider.GetUtcNow());
        }
    }

    private HttpRequestMessage Request()
    {
        var request = new HttpRequestMessage(new HttpMethod(Spec.Method), Spec.Url);
        if (Spec.Body is { } body)
        {
            var json = body.TrimStart().StartsWith('{') || body.TrimStart().StartsWith('[');
            request.Content = new StringContent(body, Encoding.UTF8, json ? "application/json" : "text/plain");
        }

        foreach (var (name, value) in Spec.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is { } content)
            {
                content.Headers.Remove(name);
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private static string Describe(Exception e) => e is HttpRequestException ? e.Message : $"{e.GetType().Name}: {e.Message}";
}
