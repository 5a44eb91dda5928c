using System.Net.Http.Headers;
using Downshift.Monitoring;
using Downshift.Monitoring.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.Tests.Monitoring;

public sealed class HttpProbeTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 22, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider time = new(Start);

    [Fact]
    public void Percentiles_Of_InterpolatesBetweenClosestRanks()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToList();

        Assert.Equal(50.5, Percentiles.Of(values, 50), 9);
        Assert.Equal(95.05, Percentiles.Of(values, 95), 9);
        Assert.Equal(99.01, Percentiles.Of(values, 99), 9);
        Assert.Equal(7.0, Percentiles.Of([7.0], 99));
    }

    [Fact]
    public async Task CloseWindow_HalfTheAnswers500_ErrorRateHalfAndLatencyPercentiles()
    {
        // Given a server that takes 10, 20, ... 100 ms and answers 500 to every other request
        var n = 0;
        using var handler = new StubHandler(async (_, _) =>
        {
            var i = Interlocked.Increment(ref n);
            time.Advance(TimeSpan.FromMilliseconds(10 * i));
            return await StubHandler.Status(i % 2 == 0 ? 500 : 200);
        });
        using var client = new HttpMessageInvoker(handler);
        var probe = new HttpProbe(new ProbeSpec("api", "http://shop.test/health"), client, time);

        // When ten requests end in a window
        for (var i = 0; i < 10; i++)
        {
            await probe.SendAsync(Ct);
        }

        var window = probe.CloseWindow().ToDictionary(s => s.Metric, s => s.Point);

        // Then half failed, every answer has a latency (a 500 is an answer), and 10 requests in 0.55 s
        Assert.Equal(0.5, window[MetricNames.HttpErrorRate("api")].Value);
        Assert.Equal(55.0, window[MetricNames.HttpLatencyP50("api")].Value!.Value, 6);
        Assert.Equal(95.5, window[MetricNames.HttpLatencyP95("api")].Value!.Value, 6);
        Assert.Equal(99.1, window[MetricNames.HttpLatencyP99("api")].Value!.Value, 6);
        Assert.Equal(10 / 0.55, window[MetricNames.HttpRequestsPerSecond("api")].Value!.Value, 6);
        Assert.Equal(MetricNames.FleetHost, probe.Host);
    }

    [Fact]
    public async Task SendAsync_NoAnswerWithinTimeout_TimedOutErrorWithItsLatency()
    {
        // Given a server that never answers and a probe with a 2 s timeout
        using var handler = new StubHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var client = new HttpMessageInvoker(handler);
        var probe = new HttpProbe(new ProbeSpec("api", "http://shop.test/") { Timeout = TimeSpan.FromSeconds(2) }, client, time);

        // When a request is sent and 2 s pass
        var sending = probe.SendAsync(Ct);
        await Poll(() => handler.Requests == 1);
        time.Advance(TimeSpan.FromSeconds(2));
        var outcome = await sending.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // Then it failed as a timeout, and its latency counts (slow is slow, not missing)
        Assert.True(outcome.TimedOut);
        Assert.Equal("no answer within 2s", outcome.Error);
        var window = probe.CloseWindow().ToDictionary(s => s.Metric, s => s.Point);
        Assert.Equal(1.0, window[MetricNames.HttpErrorRate("api")].Value);
        Assert.Equal(2000.0, window[MetricNames.HttpLatencyP95("api")].Value);
    }

    [Fact]
    public async Task CloseWindow_ConnectionRefused_ErrorRateOneAndLatencyMissingWithTheError()
    {
        using var handler = new StubHandler((_, _) => throw new HttpRequestException("Connection refused (shop.test:80)"));
        using var client = new HttpMessageInvoker(handler);
        var probe = new HttpProbe(new ProbeSpec("api", "http://shop.test/") { Host = "h1" }, client, time);

        await probe.SendAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var window = probe.CloseWindow();

        Assert.All(window, s => Assert.Equal("h1", s.Host));
        var points = window.ToDictionary(s => s.Metric, s => s.Point);
        Assert.Equal(1.0, points[MetricNames.HttpErrorRate("api")].Value);
        Assert.Null(points[MetricNames.HttpLatencyP50("api")].Value);
        Assert.Contains("Connection refused", points[MetricNames.HttpLatencyP50("api")].Error, StringComparison.Ordinal);
        Assert.Equal(1.0, points[MetricNames.HttpRequestsPerSecond("api")].Value);
    }

    [Fact]
    public void CloseWindow_NoRequestEnded_ErrorRateAndLatencyInconclusive()
    {
        using var handler = new StubHandler((_, _) => StubHandler.Status(200));
        using var client = new HttpMessageInvoker(handler);
        var probe = new HttpProbe(new ProbeSpec("api", "http://shop.test/"), client, time);
        time.Advance(TimeSpan.FromSeconds(1));

        var points = probe.CloseWindow().ToDictionary(s => s.Metric, s => s.Point);

        Assert.Null(points[MetricNames.HttpErrorRate("api")].Value);
        Assert.Equal("no request ended in the 1s window", points[MetricNames.HttpErrorRate("api")].Error);
        Assert.Null(points[MetricNames.HttpLatencyP99("api")].Value);
        Assert.Equal(0.0, points[MetricNames.HttpRequestsPerSecond("api")].Value);
    }

    [Fact]
    public async Task SendAsync_PostWithBodyHeadersAndExpectedStatus_SendsThemAndJudgesByTheList()
    {
        using var handler = new StubHandler((_, _) => StubHandler.Status(201));
        using var client = new HttpMessageInvoker(handler);
        var spec = new ProbeSpec("order", "http://shop.test/orders")
        {
            Method = "POST",
            Body = """{"sku":"A1"}""",
            Headers = new Dictionary<string, string> { ["X-Probe"] = "downshift", ["Content-Type"] = "application/vnd.shop+json" },
            ExpectStatus = [200],
        };
        var probe = new HttpProbe(spec, client, time);

        var outcome = await probe.SendAsync(Ct);

        Assert.Equal("HTTP 201 Created", outcome.Error);
        var request = Assert.Single(handler.Seen);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("downshift", Assert.Single(request.Headers.GetValues("X-Probe")));
        Assert.Equal(new MediaTypeHeaderValue("application/vnd.shop+json"), request.Content!.Headers.ContentType);
    }

    [Fact]
    public async Task RunAsync_EveryInterval_SendsWithoutWaitingForSlowAnswers()
    {
        // Given a server that answers only when released
        var release = new TaskCompletionSource();
        using var handler = new StubHandler(async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return await StubHandler.Status(200);
        });
        using var client = new HttpMessageInvoker(handler);
        var probe = new HttpProbe(new ProbeSpec("api", "http://shop.test/") { Interval = TimeSpan.FromMilliseconds(500) }, client, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // When the probe runs for 2 s
        var running = probe.RunAsync(TimeSpan.FromSeconds(1), stop.Token);
        for (var i = 0; i < 4; i++)
        {
            await Poll(() => handler.Requests == i + 1);
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        // Then it kept its pace: 5 requests in flight at once
        await Poll(() => handler.Requests == 5);
        Assert.False(release.Task.IsCompleted);

        // And stopping it ends it, the requests in flight with it
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    private static Task Poll(Func<bool> done) =>
        Task.Run(async () =>
        {
            while (!done())
            {
                await Task.Delay(5, Ct);
            }
        }, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
}
