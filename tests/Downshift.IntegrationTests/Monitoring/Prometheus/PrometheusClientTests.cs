using Downshift.IntegrationTests.TestSupport;
using Downshift.Monitoring.Prometheus;

namespace Downshift.IntegrationTests.Monitoring.Prometheus;

/// <summary>The client and the probe against a real Prometheus scraping a real node_exporter (one stack for the class).</summary>
public sealed class PrometheusClientTests(PrometheusStack stack) : IClassFixture<PrometheusStack>, IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);
    private readonly HttpClient http = new();

    private PrometheusClient Client => stack.Client(http);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueryAsync_Up_IsOneForTheExporter()
    {
        // Given Prometheus scraping node_exporter
        // When
        var result = await Client.QueryAsync($"up{{job=\"{PrometheusStack.Job}\"}}", at: null, Ct).WaitAsync(Limit, Ct);

        // Then one series, labelled with the exporter's address, at 1
        Assert.Equal(PrometheusStatus.Ok, result.Status);
        Assert.Equal("vector", result.ResultType);
        var series = Assert.Single(result.Series);
        Assert.Equal(stack.ExporterInstance, series.Labels["instance"]);
        Assert.Equal(1, Assert.Single(series.Values).Value);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task QueryAsync_CpuBusyPercent_ReturnsAValue()
    {
        // Given a CPU query over a rate (it needs two scrapes, so it may be empty for a second)
        const string Cpu = "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5s])))";
        PrometheusResult? result = null;

        // When
        await Poll.UntilAsync(
            async () => (result = await Client.QueryAsync(Cpu, at: null, Ct)).IsOk, Limit,
            () => $"the CPU query did not return a value: {result}", Ct);

        // Then the exporter's CPU is a percentage
        var value = Assert.Single(Assert.Single(result!.Series).Values).Value;
        Assert.InRange(value, 0, 100);
    }

    [Fact]
    public async Task QueryAsync_MetricThatDoesNotExist_IsEmptyAndTheProbeRecordsItMissing()
    {
        // Given a metric no target exports
        const string Absent = "downshift_no_such_metric_total";
        var probe = new PrometheusProbe("absent", Absent, PrometheusReduction.ByInstance, Client, TimeProvider.System);

        // When
        var result = await Client.QueryAsync(Absent, at: null, Ct).WaitAsync(Limit, Ct);
        var points = await probe.SampleAsync([new PrometheusTarget("h1", stack.ExporterInstance)], Ct).WaitAsync(Limit, Ct);

        // Then it is empty, not 0, and the probe's point has no value but the reason
        Assert.Equal(PrometheusStatus.Empty, result.Status);
        Assert.Empty(result.Series);
        var point = points["h1"];
        Assert.Null(point.Value);
        Assert.StartsWith("prom.absent: no data: the query matched no series", point.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_SyntaxError_CarriesPrometheusMessage()
    {
        // Given a query with an unclosed brace
        // When
        var result = await Client.QueryAsync("up{job=", at: null, Ct).WaitAsync(Limit, Ct);

        // Then Prometheus's own error type and message come back
        Assert.Equal(PrometheusStatus.QueryError, result.Status);
        Assert.StartsWith("bad_data: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("parse error", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_AtAnInstantBeforeAnyScrape_IsEmpty()
    {
        // Given an evaluation time an hour before the stack started
        var before = TimeProvider.System.GetUtcNow().AddHours(-1);

        // When
        var result = await Client.QueryAsync($"up{{job=\"{PrometheusStack.Job}\"}}", before, Ct).WaitAsync(Limit, Ct);

        // Then there was no data then
        Assert.Equal(PrometheusStatus.Empty, result.Status);
    }

    [Fact]
    public async Task QueryRangeAsync_Up_ReturnsTheExporterSeriesOverTime()
    {
        // Given the last few seconds
        var now = TimeProvider.System.GetUtcNow();

        // When
        var result = await Client.QueryRangeAsync($"up{{job=\"{PrometheusStack.Job}\"}}", now.AddSeconds(-3), now, TimeSpan.FromSeconds(1), Ct)
            .WaitAsync(Limit, Ct);

        // Then a matrix: the exporter's series, at 1 at every step it has data for, oldest first
        Assert.Equal(PrometheusStatus.Ok, result.Status);
        Assert.Equal("matrix", result.ResultType);
        var series = Assert.Single(result.Series);
        Assert.NotEmpty(series.Values);
        Assert.All(series.Values, v => Assert.Equal(1, v.Value));
        Assert.Equal(series.Values.OrderBy(v => v.Time), series.Values);
    }

    [Fact]
    public async Task SampleAsync_ByInstance_GivesEachHostItsOwnSeriesOrSaysItHasNone()
    {
        // Given h1 behind the exporter and h2 at an address Prometheus does not scrape
        var probe = new PrometheusProbe("node_up", "up", PrometheusReduction.ByInstance, Client, TimeProvider.System);
        PrometheusTarget[] targets = [new("h1", stack.ExporterInstance), new("h2", "127.0.0.1:1")];

        // When
        var points = await probe.SampleAsync(targets, Ct).WaitAsync(Limit, Ct);

        // Then h1 is up, h2 is missing with the reason
        Assert.Equal(1, points["h1"].Value);
        Assert.Null(points["h1"].Error);
        Assert.Null(points["h2"].Value);
        Assert.StartsWith($"prom.node_up: no series with instance=\"127.0.0.1:1\" among 1 (instance=\"{stack.ExporterInstance}\")", points["h2"].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleAsync_Sum_GivesEveryHostTheFleetValue()
    {
        // Given a per-CPU, per-mode counter summed over all series
        var probe = new PrometheusProbe("cpu_seconds", "node_cpu_seconds_total", PrometheusReduction.Sum, Client, TimeProvider.System);

        // When
        var points = await probe.SampleAsync([new("h1", stack.ExporterInstance), new("h2", "10.0.0.2:9100")], Ct).WaitAsync(Limit, Ct);

        // Then both hosts get the same positive sum
        Assert.True(points["h1"].Value > 0, points["h1"].ToString());
        Assert.Equal(points["h1"].Value, points["h2"].Value);
    }

    public void Dispose() => http.Dispose();
}
