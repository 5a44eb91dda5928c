using Downshift.IntegrationTests.TestSupport;
using Downshift.Monitoring;
using Downshift.Monitoring.Prometheus;
using Downshift.Monitoring.Rules;

namespace Downshift.IntegrationTests.Monitoring.Prometheus;

/// <summary>Rules over series sampled by PrometheusProbe from a real Prometheus, before and after the exporter dies.</summary>
public sealed class PrometheusRuleEndToEndTests
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Rules_ExporterStops_UpRuleTripsAndTheVanishedMetricIsInconclusive()
    {
        // Given a stack, probes for up and for one of the exporter's own metrics, and rules over them
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await PrometheusStack.StartAsync(ct);
        using var http = new HttpClient();
        var client = stack.Client(http);
        var sampler = new Sampler(
            [
                new PrometheusProbe("node_up", $"up{{job=\"{PrometheusStack.Job}\"}}", PrometheusReduction.ByInstance, client, TimeProvider.System),
                new PrometheusProbe("node_load", "node_load1", PrometheusReduction.ByInstance, client, TimeProvider.System),
            ],
            new PrometheusTarget("h1", stack.ExporterInstance));
        var down = Rule("prom.node_up < 1 for 2s");
        var load = Rule("prom.node_load > 1000 for 2s");

        // When sampled while the exporter runs, the up rule is healthy (once 2 s are covered), and never trips
        await Poll.UntilAsync(
            async () =>
            {
                await sampler.SampleAsync(ct);
                Assert.NotEqual(RuleVerdict.Tripped, sampler.Judge(down).Verdict);
                return sampler.Judge(down).Verdict == RuleVerdict.Healthy && sampler.Judge(load).Verdict == RuleVerdict.Healthy;
            },
            Limit, () => $"not healthy while the exporter runs: {sampler.Judge(down).Explanation} | {sampler.Judge(load).Explanation}", ct);
        Assert.StartsWith("h1 prom.node_up 1 not < 1 for 2s (", sampler.Judge(down).Explanation, StringComparison.Ordinal);

        // And when the exporter is stopped, sampling goes on until the up rule trips
        await stack.StopExporterAsync(ct).WaitAsync(Limit, ct);
        await Poll.UntilAsync(
            async () =>
            {
                await sampler.SampleAsync(ct);
                return sampler.Judge(down).Verdict == RuleVerdict.Tripped;
            },
            Limit, () => $"the up rule did not trip: {sampler.Judge(down).Explanation}", ct);

        // Then up is a real 0 for the whole window (Prometheus records the failed scrapes): tripped
        var tripped = sampler.Judge(down);
        Assert.All(tripped.Values, p => Assert.Equal(0, p.Value));
        Assert.StartsWith("h1 prom.node_up 0.00 < 1 for 2s (", tripped.Explanation, StringComparison.Ordinal);

        // And the exporter's own metric went stale: no data, so its rule is inconclusive, not healthy
        var vanished = sampler.Judge(load);
        Assert.Equal(RuleVerdict.Inconclusive, vanished.Verdict);
        Assert.Contains("samples missing (last error: prom.node_load: no data: the query matched no series", vanished.Explanation, StringComparison.Ordinal);
    }

    private static TriggerRule Rule(string text) => RuleParser.Parse(text).Rule ?? throw new InvalidOperationException(text);

    /// <summary>Samples every probe for one host, at most every <see cref="Every"/>, keeping each metric's points.</summary>
    private sealed class Sampler(IReadOnlyList<PrometheusProbe> probes, PrometheusTarget target)
    {
        private readonly Dictionary<string, List<MetricPoint>> points = probes.ToDictionary(p => p.Metric, _ => new List<MetricPoint>());
        private DateTimeOffset last = DateTimeOffset.MinValue;

        public async Task SampleAsync(CancellationToken cancellationToken)
        {
            var wait = last + Every - TimeProvider.System.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            last = TimeProvider.System.GetUtcNow();
            foreach (var probe in probes)
            {
                var sample = await probe.SampleAsync([target], cancellationToken).WaitAsync(Limit, cancellationToken);
                points[probe.Metric].Add(sample[target.Host]);
            }
        }

        public RuleEvaluation Judge(TriggerRule rule) =>
            rule.EvaluateHost(target.Host, points[rule.Metric], baseline: null, TimeProvider.System.GetUtcNow(), Every);
    }
}
