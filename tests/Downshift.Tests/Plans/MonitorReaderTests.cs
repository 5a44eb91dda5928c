using Downshift.Monitoring;
using Downshift.Monitoring.Prometheus;
using Downshift.Plans;

namespace Downshift.Tests.Plans;

/// <summary>The plan's <c>monitor:</c> as the loader reads it: Prometheus queries, and every mistake at its position.</summary>
public sealed class MonitorReaderTests
{
    private const string File = "plan.yaml";

    /// <summary>A valid plan without a monitor; the test appends its <c>monitor:</c> from line 11 on.</summary>
    private const string Head = """
        downshift: 1
        name: watched
        reason: {kind: bug, detail: "2.0 loses writes"}
        scope: {kind: system}
        from: "2.0"
        to: "1.9"
        vars: {prom_port: "9090"}
        phases:
          - name: change
            steps:
              - {id: say, kind: shell, command: "true", undo: "true"}

        """;

    [Fact]
    public void Load_PrometheusQueries_MappedWithReductionsTimeoutAndHostPlaceholdersKept()
    {
        // Given a monitor with a Prometheus, two queries and a rule on one of them
        var text = Head + """
            monitor:
              bake: 10s
              prometheus:
                url: "http://{{ host.address }}:{{ prom_port }}"
                timeout: 2s
                queries:
                  - {name: errors, query: 'rate(shop_errors_total{instance="{{ host.address }}:8080"}[30s])'}
                  - {name: load, query: node_load1, reduce: by instance}
              triggers:
                - "prom.errors > 0.5 for 5s"
            """;

        // When
        var result = PlanLoader.Load(File, text, new Dictionary<string, string>());

        // Then plan variables are resolved, {{ host.… }} is left for each host, and the reductions are read
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var prometheus = result.Plan!.Monitor!.Prometheus!;
        Assert.Equal("http://{{ host.address }}:9090", prometheus.Url);
        Assert.Equal(TimeSpan.FromSeconds(2), prometheus.Timeout);
        Assert.Equal(
            [
                new PrometheusQuerySpec("errors", "rate(shop_errors_total{instance=\"{{ host.address }}:8080\"}[30s])"),
                new PrometheusQuerySpec("load", "node_load1") { Reduction = PrometheusReduction.ByInstance },
            ],
            prometheus.Queries);
        Assert.Equal("prom.errors", Assert.Single(result.Plan.Monitor.Triggers).Metric);
    }

    [Fact]
    public void Load_PrometheusUrlFromAnInventoryVariable_ValidBeforeAnyHostIsKnown()
    {
        // Given a Prometheus per site, named by each host's inventory variable / When
        var text = Head + "monitor:\n  prometheus: {url: \"http://{{ host.vars.prometheus }}:9090\", queries: [{name: up, query: up}]}\n";
        var result = PlanLoader.Load(File, text, new Dictionary<string, string>());

        // Then the plan is valid, the variable left for each host
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("http://{{ host.vars.prometheus }}:9090", result.Plan!.Monitor!.Prometheus!.Url);
    }

    [Fact]
    public void Load_PrometheusWithManyMistakes_ReportsEveryOneAtItsPosition()
    {
        // Given a Prometheus with a bad URL, an unknown key, a duplicate name, a query without PromQL, an
        // unknown reduction, and rules on a query, a probe and a log watch that are not declared
        var text = Head + """
            monitor:
              bake: 10s
              prometheus:
                url: "http://{{ host.address }}:notaport"
                scrape: 1s
                queries:
                  - {name: errors, query: 'rate(shop_errors_total[30s])'}
                  - {name: errors, query: up}
                  - {name: load, reduce: max}
                  - {name: cpu, query: node_load1, reduce: by instance label}
              probes:
                - {name: orders, url: "http://{{ host.address }}:8080/orders"}
              triggers:
                - "prom.errors > 0.5 for 5s"
                - "prom.latency > 100 for 5s"
                - "http.checkout.error_rate > 1%"
                - "log.errors.per_minute > 5"
                - "cpu.percent > 90"
            """;

        // When
        var result = PlanLoader.Load(File, text, new Dictionary<string, string>());

        // Then there is no plan, and every mistake is reported at once, where it is
        Assert.Null(result.Plan);
        var errors = result.Errors;
        AssertError(errors, (15, 10), "monitor.prometheus.url", "prometheus.url: 'http://host.invalid:notaport' is not an absolute http or https URL");
        AssertError(errors, (16, 5), "monitor.prometheus.scrape", "unknown key 'scrape' in 'monitor.prometheus'");
        AssertError(errors, (18, 7), "monitor.prometheus.queries", "prometheus.queries: the name 'errors' is used twice");
        AssertError(errors, (20, 9), "monitor.prometheus.queries[2]", "each query needs 'name' and 'query' (PromQL)");
        AssertError(errors, (21, 9), "monitor.prometheus.queries[3]", "query 'cpu': 'reduce' must be 'sum' or 'by LABEL' (e.g. 'by instance'), not 'by instance label'");
        AssertError(errors, (26, 8), "monitor.triggers[1]", "trigger rule: 'prom.latency' names 'latency', which is not in monitor.prometheus.queries (declared: cpu, errors, load)");
        AssertError(errors, (27, 8), "monitor.triggers[2]", "trigger rule: 'http.checkout.error_rate' names 'checkout', which is not in monitor.probes (declared: orders)");
        AssertError(errors, (28, 8), "monitor.triggers[3]", "trigger rule: 'log.errors.per_minute' names 'errors', which is not in monitor.logs (none is declared)");
        Assert.Equal(8, errors.Count);
    }

    [Fact]
    public void Load_PrometheusWithoutUrlAndAQueryWithAnUnknownKey_BothReportedAndTheRuleNotBlamed()
    {
        // Given a Prometheus without 'url' whose one query has a misspelt key, and a rule on that query
        var text = Head + """
            monitor:
              bake: 10s
              prometheus:
                queries:
                  - {name: errors, query: up, reduse: sum}
              triggers:
                - "prom.errors > 0.5"
            """;

        // When
        var result = PlanLoader.Load(File, text, new Dictionary<string, string>());

        // Then both mistakes are reported where they are; the query is declared, so the rule is not an error
        Assert.Null(result.Plan);
        AssertError(result.Errors, (15, 5), "monitor.prometheus", "missing required key 'url'");
        AssertError(result.Errors, (16, 35), "monitor.prometheus.queries[0].reduse", "unknown key 'reduse' in an item of 'queries'; did you mean 'reduce'?");
        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void Load_PrometheusWithoutQueries_Reported()
    {
        // Given a Prometheus with an empty list of queries / When
        var result = PlanLoader.Load(File, Head + "monitor:\n  prometheus: {url: \"http://prometheus:9090\", queries: []}\n", new Dictionary<string, string>());

        // Then
        AssertError(result.Errors, (13, 56), "monitor.prometheus.queries", "'queries' is empty: declare at least one {name, query}");
        Assert.Single(result.Errors);
    }

    [Fact]
    public void Load_QueryWithAnUnknownHostPlaceholder_Reported()
    {
        // Given a query with {{ host.ip }}, which no host has / When
        var text = Head + "monitor:\n  prometheus:\n    url: http://prometheus:9090\n    queries: [{name: up, query: 'up{instance=\"{{ host.ip }}:9100\"}'}]\n";
        var result = PlanLoader.Load(File, text, new Dictionary<string, string>());

        // Then the plan is refused before any host is reached
        AssertError(result.Errors, (15, 14), "monitor.prometheus.queries", "prometheus.queries.up.query: 'up{instance=\"{{ host.ip }}:9100\"}' holds a '{{ … }}' that is not filled in");
        Assert.Single(result.Errors);
    }

    private static void AssertError(IReadOnlyList<PlanError> errors, (int Line, int Column) at, string path, string message) =>
        PlanAssert.Error(errors, File, at, path, message);
}
