using Downshift.Hosts;
using Downshift.Monitoring;
using Downshift.Monitoring.Prometheus;

namespace Downshift.Tests.Monitoring;

public sealed class MonitorPlanTests
{
    private static readonly MonitorPlan Plan = new()
    {
        Interval = TimeSpan.FromMilliseconds(500),
        Probes = [new ProbeSpec("orders", "http://{{ host.address }}:8080/orders")],
        Prometheus = new PrometheusSpec("http://{{ host.vars.prometheus }}:9090")
        {
            Queries =
            [
                new PrometheusQuerySpec("errors", "rate(shop_errors_total{instance=\"{{ host.address }}:8080\", host=\"{{ host.name }}\"}[30s])"),
                new PrometheusQuerySpec("load", "node_load1") { Reduction = PrometheusReduction.ByInstance },
            ],
        },
    };

    [Fact]
    public void ForHost_PrometheusQueries_FilledInWithTheHostsValuesLikeProbesAndTheHostIsTheTarget()
    {
        // Given two hosts of an inventory, one with the Prometheus it reports to as a variable
        var web1 = new HostEntry("web1") { Address = "10.0.0.11", Vars = new Dictionary<string, string> { ["prometheus"] = "prom-a" } };
        var web2 = new HostEntry("web2") { Address = "10.0.0.12", Vars = new Dictionary<string, string> { ["prometheus"] = "prom-b" } };

        // When each host's monitor is made with the engine's templating
        var first = Plan.ForHost(web1.Name, text => HostPlaceholders.Expand(text, web1)).Prometheus!;
        var second = Plan.ForHost(web2.Name, text => HostPlaceholders.Expand(text, web2)).Prometheus!;

        // Then the URL and the queries carry each host's values, the reductions are kept, and the host is the one target (by its address)
        Assert.Equal("http://prom-a:9090", first.Url);
        Assert.Equal("rate(shop_errors_total{instance=\"10.0.0.11:8080\", host=\"web1\"}[30s])", first.Queries[0].Query);
        Assert.Equal("node_load1", first.Queries[1].Query);
        Assert.Equal(PrometheusReduction.ByInstance, first.Queries[1].Reduction);
        Assert.Equal([new PrometheusTarget("web1", "10.0.0.11")], first.Targets);
        Assert.Equal("http://prom-b:9090", second.Url);
        Assert.Equal("rate(shop_errors_total{instance=\"10.0.0.12:8080\", host=\"web2\"}[30s])", second.Queries[0].Query);
        Assert.Equal([new PrometheusTarget("web2", "10.0.0.12")], second.Targets);

        // And the plan itself is left as written, for the next host
        Assert.Equal("http://{{ host.vars.prometheus }}:9090", Plan.Prometheus!.Url);
        Assert.Empty(Plan.Prometheus.Targets);
    }

    [Fact]
    public void ForHost_LocalHost_TargetIsLoopback()
    {
        // Given / When the plan runs on the controller itself
        var plan = Plan with { Prometheus = Plan.Prometheus! with { Url = "http://127.0.0.1:9090" } };
        var spec = plan.ForHost(HostEntry.Local.Name, text => HostPlaceholders.Expand(text, HostEntry.Local));

        // Then its queries match it as Prometheus labels this machine's exporters
        Assert.Equal([new PrometheusTarget(HostEntry.Local.Name, "127.0.0.1")], spec.Prometheus!.Targets);
        Assert.Contains("instance=\"127.0.0.1:8080\"", spec.Prometheus.Queries[0].Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sum", null)]
    [InlineData("by instance", "instance")]
    [InlineData(" by  host ", "host")]
    public void PrometheusReduction_TryParse_SumOrByLabel(string text, string? label)
    {
        Assert.True(PrometheusReduction.TryParse(text, out var reduction));
        Assert.Equal(label, reduction.MatchLabel);
    }

    [Theory]
    [InlineData("max")]
    [InlineData("by")]
    [InlineData("by 1abel")]
    [InlineData("by instance, job")]
    public void PrometheusReduction_TryParse_AnythingElseRefused(string text) =>
        Assert.False(PrometheusReduction.TryParse(text, out _));

    [Theory]
    [InlineData("-load", false)]
    [InlineData("load-1", true)]
    [InlineData("_load", true)]
    public void Validate_QueryName_OneRuleForThePlanAndTheMonitor(string name, bool valid)
    {
        // Given a query with this name
        var spec = new MonitorSpec { Prometheus = new PrometheusSpec("http://prometheus.invalid:9090") { Queries = [new PrometheusQuerySpec(name, "node_load1")] } };

        // When the plan's validation judges it, and the monitor is built from it
        var problems = spec.Validate();
        var built = Record.Exception(() => new MetricMonitor(spec, [], TimeProvider.System).Dispose());

        // Then both agree: a name the plan accepts builds a monitor, one it refuses is refused with its reason
        Assert.Equal(valid, problems.Count == 0);
        Assert.Equal(valid, built is null);
        Assert.Equal(valid ? [] : [$"prometheus.queries: '{name}' is not a valid name (lower-case letters, digits, '-' and '_'; not '-' first)"], problems);
    }
}
