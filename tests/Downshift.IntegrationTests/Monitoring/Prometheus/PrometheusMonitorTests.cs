using System.Globalization;
using System.Text.Json;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Monitoring;
using Downshift.Monitoring.Prometheus;
using Downshift.Monitoring.Rules;

namespace Downshift.IntegrationTests.Monitoring.Prometheus;

/// <summary>
/// Prometheus queries declared like a plan declares them (<c>monitor.prometheus</c>), filled in for this
/// machine (<c>local</c>, 127.0.0.1), against a real Prometheus scraping a real node_exporter whose
/// textfile collector serves <c>downshift_test_errors</c>: in a monitor, and in real runs of the CLI
/// where a <c>prom.</c> rule trips during the bake, or Prometheus cannot be reached.
/// </summary>
public sealed class PrometheusMonitorTests(PrometheusStack stack) : IClassFixture<PrometheusStack>, IDisposable
{
    private const string Metric = "downshift_test_errors";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    private readonly TempDirectory work = new("downshift-prom-plan-");
    private readonly LocalTransport local = new(TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The query as a plan writes it: this host's series, by its address and the exporter's port.</summary>
    private string Query => $"{Metric}{{instance=\"{{{{ host.address }}}}:{stack.ExporterPort.ToString(CultureInfo.InvariantCulture)}\"}}";

    private string PrometheusUrl => $"http://{{{{ host.address }}}}:{stack.PrometheusPort.ToString(CultureInfo.InvariantCulture)}";

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task MetricMonitor_PromQueryFilledInForTheHost_SampledWithItsMetricsAndTheRuleTrips()
    {
        // Given 0 errors in Prometheus, and this machine's monitor with the query filled in for it
        await PublishAndWaitAsync(0);
        var plan = new MonitorPlan
        {
            Interval = TimeSpan.FromMilliseconds(250),
            Prometheus = new PrometheusSpec(PrometheusUrl) { Queries = [new PrometheusQuerySpec("errors", Query)] },
        };
        using var monitor = new MetricMonitor(plan.ForHost("local", text => HostPlaceholders.Expand(text, HostEntry.Local)), [local], TimeProvider.System);
        var rule = RuleParser.Parse("prom.errors > 1 for 1s").Rule!;
        RuleEvaluation Judge() => rule.Evaluate(monitor.Snapshot(), null, TimeProvider.System.GetUtcNow(), plan.Interval, ["local"]).Single();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = monitor.RunAsync(stop.Token);

        // When it runs while there are no errors, the rule is healthy
        await Poll.UntilAsync(() => Task.FromResult(Judge().Verdict == RuleVerdict.Healthy), Limit, () => Judge().Explanation, Ct);
        Assert.StartsWith("local prom.errors 0.00 not > 1 for 1s (", Judge().Explanation, StringComparison.Ordinal);

        // And when 5 errors show up in Prometheus, the rule trips on the values Prometheus gave
        await stack.PublishAsync("plan", $"{Metric} 5\n", Ct);
        await Poll.UntilAsync(() => Task.FromResult(Judge().Verdict == RuleVerdict.Tripped), Limit, () => Judge().Explanation, Ct);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Limit, Ct));

        // Then the window's values are 5, and the series sits with the host's own metrics, under the same host
        Assert.All(Judge().Values, p => Assert.Equal(5, p.Value));
        Assert.StartsWith("local prom.errors 5 > 1 for 1s (", Judge().Explanation, StringComparison.Ordinal);
        Assert.Contains(monitor.Snapshot(), s => s is { Host: "local", Metric: MetricNames.CpuPercent });
        Assert.Contains(monitor.Snapshot(), s => s is { Host: "local", Metric: "prom.errors" });
    }

    [Fact]
    public async Task MetricMonitor_PrometheusUnreachable_EveryPromPointMissingWithTheErrorAndTheRuleInconclusive()
    {
        // Given a monitor whose Prometheus URL has nothing listening behind it
        var url = $"http://127.0.0.1:{Ports.GetFreeTcpPort().ToString(CultureInfo.InvariantCulture)}/";
        var spec = new MonitorSpec
        {
            Interval = TimeSpan.FromMilliseconds(250),
            Prometheus = new PrometheusSpec(url) { Queries = [new PrometheusQuerySpec("errors", Metric)], Targets = [new PrometheusTarget("local", "127.0.0.1")] },
        };
        using var monitor = new MetricMonitor(spec, [local], TimeProvider.System);

        // When it runs for 2 s
        await monitor.RunAsync(TimeSpan.FromSeconds(2), Ct).WaitAsync(Limit, Ct);

        // Then every prom.errors point is missing with why (never 0), the host's own metrics were read all along,
        var points = monitor.Find("local", "prom.errors")!.Points;
        Assert.True(points.Count >= 8, $"{points.Count} points");
        Assert.All(points, p => Assert.Null(p.Value));
        Assert.All(points, p => Assert.StartsWith($"prom.errors: cannot reach {url}: ", p.Error, StringComparison.Ordinal));
        Assert.All(monitor.Find("local", MetricNames.MemoryPercent)!.Points, p => Assert.NotNull(p.Value));

        // And a rule on it is inconclusive, not healthy
        var verdict = RuleParser.Parse("prom.errors > 1 for 1s").Rule!.Evaluate(monitor.Snapshot(), null, TimeProvider.System.GetUtcNow(), spec.Interval, ["local"]).Single();
        Assert.Equal(RuleVerdict.Inconclusive, verdict.Verdict);
        Assert.Contains("samples missing (last error: prom.errors: cannot reach", verdict.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PromRuleTripsDuringTheBake_HostRolledBackWithTheRuleAndItsValuesInTheReport()
    {
        // Given 1 error at rest, and a plan whose step makes it 5 (its undo makes it 1 again), judged by a rule relative to the baseline
        await PublishAndWaitAsync(1);
        var plan = await WritePlanAsync(
            PrometheusUrl, baseline: "2s", bake: "15s", trigger: "prom.errors > 2 x baseline for 1s", errorsAfterStep: 5);

        // When it runs
        var run = await CliAsync(["run", plan, "--json"]);

        // Then the rule tripped in the bake: the host is rolled back (the undo ran), the summary names the rule and the values
        Assert.True(run.ExitCode == 3, run.ToString());
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Contains(
            "trigger 'prom.errors > 2 x baseline for 1s' tripped: local prom.errors 5 > 2 (2 x baseline.p95) for 1s",
            result.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("rolled-back", result.GetProperty("hosts")[0].GetProperty("state").GetString());
        Assert.Equal($"{Metric} 1\n", await File.ReadAllTextAsync(Path.Combine(stack.TextfileDirectory, "plan.prom"), Ct));

        // And the report shows the baseline of prom.errors, and the trigger with its values and the baseline value
        var report = (await CliAsync(["report", RunId(run)])).Stdout;
        Assert.Contains("## Monitoring", report, StringComparison.Ordinal);
        Assert.Contains("prom.errors mean 1 p95 1", report, StringComparison.Ordinal);
        Assert.Contains("### Trigger on local", report, StringComparison.Ordinal);
        Assert.Contains("\"baseline\":1", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PromRuleHealthy_BakeVsBaselineNamesThePromMetric()
    {
        // Given 1 error at rest, and a plan whose step makes it 2, under a rule it stays below
        await PublishAndWaitAsync(1);
        var plan = await WritePlanAsync(PrometheusUrl, baseline: "2s", bake: "3s", trigger: "prom.errors > 10 for 1s", errorsAfterStep: 2);

        // When it runs
        var run = await CliAsync(["run", plan, "--json"]);

        // Then the bake passed, and its comparison with the baseline lists prom.errors with the other metrics
        Assert.True(run.ExitCode == 0, run.ToString());
        var log = (await CliAsync(["log", RunId(run)])).Stdout;
        Assert.Matches(@"bake vs baseline \(means\): .*prom\.errors 1 -> 2 \(\+100%\)", log);
        Assert.Contains("every rule healthy: local prom.errors 2 not > 10 for 1s", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PrometheusUnreachable_BakeInconclusiveAndTheRunWaitsForAHuman()
    {
        // Given a plan whose Prometheus has nothing listening behind it
        await stack.PublishAsync("plan", $"{Metric} 1\n", Ct);
        var closed = $"http://{{{{ host.address }}}}:{Ports.GetFreeTcpPort().ToString(CultureInfo.InvariantCulture)}";
        var plan = await WritePlanAsync(closed, baseline: "1s", bake: "2s", trigger: "prom.errors > 1 for 1s", errorsAfterStep: 1);

        // When it runs
        var run = await CliAsync(["run", plan, "--json"]);

        // Then the bake could not tell the host is healthy: the run needs attention (on-missing: pause), with why
        Assert.True(run.ExitCode == 4, run.ToString());
        Assert.Contains("inconclusive", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("prom.errors: cannot reach http://127.0.0.1:", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Publishes <paramref name="errors"/> as the plan's file and waits until Prometheus answers it for this exporter.</summary>
    private async Task PublishAndWaitAsync(int errors)
    {
        await stack.PublishAsync("plan", $"{Metric} {errors.ToString(CultureInfo.InvariantCulture)}\n", Ct);
        using var http = new HttpClient();
        var client = stack.Client(http);
        var query = HostPlaceholders.Expand(Query, HostEntry.Local);
        PrometheusResult? last = null;
        await Poll.UntilAsync(
            async () => (last = await client.QueryAsync(query, at: null, Ct)).Series is [{ Values: [{ Value: var value }] }] && value == errors,
            Limit, () => $"Prometheus does not answer {errors} for {query}: {last}", Ct);
    }

    /// <summary>
    /// A plan on this machine whose one step publishes <paramref name="errorsAfterStep"/> errors and ends once Prometheus
    /// answers them for this exporter (the query selects its one series). Prometheus lags the host by up to a scrape
    /// interval (docs/plan-reference.md, <c>prometheus</c>); waiting here lets the bake see the new value from its first
    /// sample, whatever the scrape timing. Its undo publishes what was there.
    /// </summary>
    private async Task<string> WritePlanAsync(string url, string baseline, string bake, string trigger, int errorsAfterStep)
    {
        var file = Sh.Quote(Path.Combine(stack.TextfileDirectory, "plan.prom"));
        var path = work.Combine("plan.yaml");
        var scraped = HostPlaceholders.Expand(PrometheusUrl, HostEntry.Local) + "/api/v1/query";
        await File.WriteAllTextAsync(path, $$$"""
            downshift: 1
            name: prom-rule
            reason: {kind: other, detail: "a prom. rule in the bake"}
            scope: {kind: system}
            from: "1"
            to: "0"
            monitor:
              interval: 250ms
              baseline: {{{baseline}}}
              bake: {{{bake}}}
              prometheus:
                url: "{{{url}}}"
                queries:
                  - {name: errors, query: '{{{Query}}}'}
              triggers:
                - "{{{trigger}}}"
            phases:
              - name: change
                steps:
                  - id: publish
                    kind: shell
                    command: |
                      cp {{{file}}} {{{file}}}.before && printf '{{{Metric}}} {{{errorsAfterStep}}}\n' > {{{file}}}.tmp && mv {{{file}}}.tmp {{{file}}}
                      for i in $(seq 300); do
                        curl -fsG {{{scraped}}} --data-urlencode {{{Sh.Quote("query=" + HostPlaceholders.Expand(Query, HostEntry.Local))}}} | grep -qF ',"{{{errorsAfterStep}}}"]' && exit 0
                        sleep 0.1
                      done
                      echo "Prometheus never scraped {{{errorsAfterStep}}}" >&2; exit 1
                    undo: "mv {{{file}}}.before {{{file}}}"
            """, Ct);
        return path;
    }

    private Task<ProcessResult> CliAsync(string[] args) => CliRunner.RunAsync(args, new Dictionary<string, string?>
    {
        ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
        ["DOWNSHIFT_STATE_DIR"] = work.Combine("state"),
    }, timeout: RunLimit, cancellationToken: Ct);

    private static string RunId(ProcessResult run) => JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run").GetString()!;
}
