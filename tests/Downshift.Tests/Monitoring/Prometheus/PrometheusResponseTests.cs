using System.Net;
using System.Text;
using Downshift.Monitoring.Prometheus;

namespace Downshift.Tests.Monitoring.Prometheus;

/// <summary>The client and the probe over canned HTTP answers: the shapes and failures a real server rarely shows on demand.</summary>
public sealed class PrometheusResponseTests
{
    private static readonly Uri Base = new("http://prometheus.test/prom");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueryAsync_Request_KeepsThePathPrefixAndEscapesTheQuery()
    {
        // Given a server under a path prefix
        Uri? asked = null;
        var client = Client(request => { asked = request.RequestUri; return Json("""{"status":"success","data":{"resultType":"vector","result":[]}}"""); });

        // When
        await client.QueryAsync("up{job=\"a\"}", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), Ct);

        // Then
        Assert.Equal("http://prometheus.test/prom/api/v1/query?query=up%7Bjob%3D%22a%22%7D&timeout=5&time=1700000000.5", asked!.AbsoluteUri);
    }

    [Fact]
    public async Task QueryRangeAsync_Request_HasStartEndAndStep()
    {
        Uri? asked = null;
        var client = Client(request => { asked = request.RequestUri; return Json("""{"status":"success","data":{"resultType":"matrix","result":[]}}"""); });
        var end = DateTimeOffset.FromUnixTimeSeconds(1_700_000_060);

        var result = await client.QueryRangeAsync("up", end.AddMinutes(-1), end, TimeSpan.FromMilliseconds(500), Ct);

        Assert.Equal(PrometheusStatus.Empty, result.Status);
        Assert.Equal("http://prometheus.test/prom/api/v1/query_range?query=up&start=1700000000&end=1700000060&step=0.5&timeout=5", asked!.AbsoluteUri);
    }

    [Fact]
    public async Task QueryAsync_ScalarNaN_IsKeptAndTheProbeRecordsItMissing()
    {
        // Given a scalar NaN (0/0), with a warning
        var client = Client(_ => Json("""{"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"NaN"]},"warnings":["careful"]}"""));

        // When
        var result = await client.QueryAsync("0/0", null, Ct);
        var point = (await Probe(client, PrometheusReduction.Sum).SampleAsync([new("h1", "10.0.0.1:9100")], Ct))["h1"];

        // Then the client keeps what Prometheus said; the probe does not turn it into a number
        Assert.Equal(PrometheusStatus.Ok, result.Status);
        Assert.True(double.IsNaN(Assert.Single(Assert.Single(result.Series).Values).Value));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), result.Series[0].Values[0].Time);
        Assert.Equal(["careful"], result.Warnings);
        Assert.Null(point.Value);
        Assert.Equal("prom.q: Prometheus returned NaN for the sum", point.Error);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>", PrometheusStatus.HttpError, "HTTP 502 Bad Gateway: <html>bad gateway</html>")]
    [InlineData(HttpStatusCode.OK, "not json", PrometheusStatus.BadResponse, "not an answer of the Prometheus API")]
    [InlineData(HttpStatusCode.ServiceUnavailable, """{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}""", PrometheusStatus.QueryError, "timeout: query timed out in expression evaluation")]
    [InlineData(HttpStatusCode.OK, """{"status":"success","data":{"resultType":"string","result":[1,"abc"]}}""", PrometheusStatus.BadResponse, "the query returns a string, not a number")]
    [InlineData(HttpStatusCode.OK, """{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}""", PrometheusStatus.BadResponse, "not an answer of the Prometheus API")]
    public async Task QueryAsync_Failure_IsAResultThatSaysWhy(HttpStatusCode code, string body, PrometheusStatus status, string error)
    {
        // Given an answer that carries no usable data
        var client = Client(_ => new HttpResponseMessage(code) { Content = new StringContent(body, Encoding.UTF8) });

        // When
        var result = await client.QueryAsync("up", null, Ct);

        // Then no exception: a status and a reason
        Assert.Equal(status, result.Status);
        Assert.Empty(result.Series);
        Assert.StartsWith(error, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_NoAnswerInTime_IsATimeout()
    {
        // Given a server that never answers and a client that waits 100 ms
        var client = new PrometheusClient(new HttpClient(new Stub(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        })), Base, TimeSpan.FromMilliseconds(100));

        // When
        var result = await client.QueryAsync("up", null, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // Then
        Assert.Equal(PrometheusStatus.Timeout, result.Status);
        Assert.Equal("no answer from http://prometheus.test/prom/ within 0.1 s", result.Error);
    }

    [Fact]
    public async Task QueryAsync_CallerCancels_Throws()
    {
        // Given a server that never answers
        var client = Client(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(50));

        // When  Then the caller's cancellation is not turned into a result
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.QueryAsync("up", null, cancel.Token).WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task SampleAsync_SeveralSeriesForAHost_IsMissingWithAHint()
    {
        // Given two series of one instance (per CPU), one of another, and a host named by its bare address
        var client = Client(_ => Json("""
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"instance":"10.0.0.1:9100","cpu":"0"},"value":[1700000000,"1"]},
              {"metric":{"instance":"10.0.0.1:9100","cpu":"1"},"value":[1700000000,"2"]},
              {"metric":{"instance":"10.0.0.2:9100","cpu":"0"},"value":[1700000000,"3"]}]}}
            """));

        // When
        var points = await Probe(client, PrometheusReduction.ByInstance).SampleAsync([new("h1", "10.0.0.1:9100"), new("h2", "10.0.0.2")], Ct);

        // Then h1 is ambiguous (no silent pick), h2 matches on any port
        Assert.Null(points["h1"].Value);
        Assert.Equal("prom.q: 2 series with instance=\"10.0.0.1:9100\": aggregate them in the query, e.g. sum by (instance) (…)", points["h1"].Error);
        Assert.Equal(3, points["h2"].Value);
    }

    [Fact]
    public async Task SampleAsync_RangeVectorOrAFaultInTheClient_IsMissingNotAnException()
    {
        // Given one query that returns a matrix, and a handler that throws something unexpected
        var matrix = Client(_ => Json("""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a:1"},"values":[[1,"1"]]}]}}"""));
        var broken = Client(_ => throw new InvalidOperationException("handler bug"));
        PrometheusTarget[] targets = [new("h1", "a:1")];

        // When
        var fromMatrix = (await Probe(matrix, PrometheusReduction.ByInstance).SampleAsync(targets, Ct))["h1"];
        var fromBroken = (await Probe(broken, PrometheusReduction.ByInstance).SampleAsync(targets, Ct))["h1"];

        // Then both are missing points with their reason
        Assert.Null(fromMatrix.Value);
        Assert.Contains("range vector", fromMatrix.Error, StringComparison.Ordinal);
        Assert.Null(fromBroken.Value);
        Assert.Contains("handler bug", fromBroken.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PrometheusProbe_BadName_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Probe(Client(_ => Json("{}")), PrometheusReduction.Sum, "no.dots"));

    private static PrometheusProbe Probe(PrometheusClient client, PrometheusReduction reduction, string name = "q") =>
        new(name, "q", reduction, client, TimeProvider.System);

    private static PrometheusClient Client(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        Client((request, _) => Task.FromResult(answer(request)));

    private static PrometheusClient Client(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) =>
        new(new HttpClient(new Stub(answer)), Base);

    private static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed class Stub(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            answer(request, cancellationToken);
    }
}
