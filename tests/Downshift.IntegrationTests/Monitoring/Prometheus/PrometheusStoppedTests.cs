using Downshift.Monitoring.Prometheus;

namespace Downshift.IntegrationTests.Monitoring.Prometheus;

/// <summary>A Prometheus that goes away under the client: a clear failure, never an exception or a 0.</summary>
public sealed class PrometheusStoppedTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task QueryAsync_PrometheusStopped_IsUnreachableAndTheProbeRecordsItMissing()
    {
        // Given a running stack, a client and a probe that worked
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await PrometheusStack.StartAsync(ct);
        using var http = new HttpClient();
        var client = stack.Client(http);
        var probe = new PrometheusProbe("node_up", "up", PrometheusReduction.ByInstance, client, TimeProvider.System);
        PrometheusTarget[] targets = [new("h1", stack.ExporterInstance)];
        Assert.Equal(1, (await probe.SampleAsync(targets, ct).WaitAsync(Limit, ct))["h1"].Value);

        // When Prometheus is stopped
        await stack.StopPrometheusAsync(ct).WaitAsync(Limit, ct);
        var result = await client.QueryAsync("up", at: null, ct).WaitAsync(Limit, ct);
        var points = await probe.SampleAsync(targets, ct).WaitAsync(Limit, ct);

        // Then the query says it could not reach Prometheus, and the probe records a missing point
        Assert.Equal(PrometheusStatus.Unreachable, result.Status);
        Assert.StartsWith($"cannot reach {stack.PrometheusUrl}: ", result.Error, StringComparison.Ordinal);
        Assert.Null(points["h1"].Value);
        Assert.StartsWith($"prom.node_up: cannot reach {stack.PrometheusUrl}", points["h1"].Error, StringComparison.Ordinal);
    }
}
