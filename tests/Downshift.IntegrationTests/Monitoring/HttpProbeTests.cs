using Downshift.Monitoring;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Monitoring;

/// <summary>Probes against real HTTP servers on 127.0.0.1: one that fails half the time, one that is down.</summary>
public sealed class HttpProbeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Probe_ServerAnswers500HalfTheTime_ErrorRateAboutHalf()
    {
        // Given a server that answers every other request with 500
        using var server = new LoopbackHttp(n => n % 2 == 0 ? 500 : 200);
        using var handler = HttpProbe.CreateHandler();
        using var client = new HttpMessageInvoker(handler);
        var probe = new HttpProbe(new ProbeSpec("shop", server.Url) { Interval = TimeSpan.FromMilliseconds(50) }, client, TimeProvider.System);

        // When it probes for 2 s
        var points = await ProbeForAsync(probe, TimeSpan.FromSeconds(2));

        // Then about half failed; latencies and the pace are measured
        Assert.InRange(points[MetricNames.HttpErrorRate("shop")].Value!.Value, 0.4, 0.6);
        Assert.InRange(points[MetricNames.HttpRequestsPerSecond("shop")].Value!.Value, 10, 25);
        Assert.True(points[MetricNames.HttpLatencyP50("shop")].Value > 0);
        Assert.True(points[MetricNames.HttpLatencyP99("shop")].Value >= points[MetricNames.HttpLatencyP50("shop")].Value);
        Assert.True(server.Requests >= 20, $"{server.Requests} requests");
    }

    [Fact]
    public async Task Probe_ServerDown_ErrorRateOneAndNoCrash()
    {
        // Given a URL that nothing listens on
        var url = $"http://127.0.0.1:{Ports.GetFreeTcpPort()}/health";
        using var handler = HttpProbe.CreateHandler();
        using var client = new HttpMessageInvoker(handler);
        var probe = new HttpProbe(new ProbeSpec("shop", url) { Interval = TimeSpan.FromMilliseconds(100) }, client, TimeProvider.System);

        // When it probes for 1 s, twice
        var first = await ProbeForAsync(probe, TimeSpan.FromSeconds(1));
        var second = await ProbeForAsync(probe, TimeSpan.FromSeconds(1));

        // Then every window is all errors, and a refused connection has no latency: missing, with why
        foreach (var points in new[] { first, second })
        {
            Assert.Equal(1.0, points[MetricNames.HttpErrorRate("shop")].Value);
            Assert.Null(points[MetricNames.HttpLatencyP95("shop")].Value);
            Assert.Contains("refused", points[MetricNames.HttpLatencyP95("shop")].Error, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<Dictionary<string, MetricPoint>> ProbeForAsync(HttpProbe probe, TimeSpan time)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(time);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.RunAsync(time, stop.Token)).WaitAsync(Bound, Ct);
        return probe.CloseWindow().ToDictionary(s => s.Metric, s => s.Point);
    }
}
