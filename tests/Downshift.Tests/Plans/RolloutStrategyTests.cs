using Downshift.Plans;

namespace Downshift.Tests.Plans;

public sealed class RolloutStrategyTests
{
    [Theory]
    [InlineData(0, "2", 5, "h1,h2|h3,h4|h5")]
    [InlineData(1, "2", 5, "h1|h2,h3|h4,h5")]
    [InlineData(1, "50%", 5, "h1|h2,h3,h4|h5")]
    [InlineData(0, "100%", 3, "h1,h2,h3")]
    [InlineData(2, "1", 3, "h1,h2|h3")]
    public void Batches_CanaryThenBatchSize_CutInPlanOrder(int canary, string batch, int hosts, string expected)
    {
        var strategy = new RolloutStrategy
        {
            Canary = HostCount.Hosts(canary),
            Batch = batch.EndsWith('%') ? HostCount.Percent(int.Parse(batch[..^1])) : HostCount.Hosts(int.Parse(batch)),
        };
        var names = Enumerable.Range(1, hosts).Select(i => $"h{i}").ToList();

        var batches = strategy.Batches(names);

        Assert.Equal(expected, string.Join("|", batches.Select(b => string.Join(",", b))));
    }

    [Theory]
    [InlineData(1, 5, "canary|batch 1/2|batch 2/2")]
    [InlineData(0, 5, "batch 1/3|batch 2/3|batch 3/3")]
    public void BatchLabel_WithAndWithoutCanary_OneNamingForTheRunAndTheDryRun(int canary, int hosts, string expected)
    {
        // Given batches of two after an optional canary
        var strategy = new RolloutStrategy { Canary = HostCount.Hosts(canary), Batch = HostCount.Hosts(2) };
        var batches = strategy.Batches([.. Enumerable.Range(1, hosts).Select(i => $"h{i}")]);

        // When / Then
        Assert.Equal(expected, string.Join("|", batches.Select((_, i) => strategy.BatchLabel(i, batches.Count, hosts))));
    }

    [Theory]
    [InlineData("0", 10, 0, false)]
    [InlineData("0", 10, 1, true)]
    [InlineData("10%", 20, 2, false)]
    [InlineData("10%", 20, 3, true)]
    [InlineData("10%", 5, 1, true)]
    [InlineData("2", 5, 2, false)]
    public void BudgetSpent_CountOrShareRoundedDown(string maxFailed, int total, int failed, bool spent)
    {
        var strategy = new RolloutStrategy
        {
            MaxFailed = maxFailed.EndsWith('%') ? HostCount.Percent(int.Parse(maxFailed[..^1])) : HostCount.Hosts(int.Parse(maxFailed)),
        };

        Assert.Equal(spent, strategy.BudgetSpent(failed, total));
    }

    [Fact]
    public void Load_FullStrategy_EveryFieldRead()
    {
        var text = Engine.EngineHarness.PlanText("""
            strategy:
              canary: 1
              bake: 30s
              batch: 25%
              concurrency: 4
              max-failed: 10%
              rollback: failed-hosts
            phases:
              - name: main
                steps:
                  - id: a
                    kind: shell
                    command: "true"
                    undo: none
                    undo-reason: test
            """);

        var result = PlanLoader.Load("plan.yaml", text, new Dictionary<string, string>());

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var s = result.Plan!.Strategy;
        Assert.Equal(HostCount.Hosts(1), s.Canary);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Bake);
        Assert.Equal(HostCount.Percent(25), s.Batch);
        Assert.Equal(4, s.Concurrency);
        Assert.Equal(HostCount.Percent(10), s.MaxFailed);
        Assert.Equal(FleetRollback.FailedHosts, s.Rollback);
    }

    [Fact]
    public void Load_BadStrategy_EveryErrorPositioned()
    {
        var text = Engine.EngineHarness.PlanText("""
            strategy:
              batch: 0
              canary: 150%
              concurency: 3
              max-failed: lots
              rollback: everything
              bake: 10s
            phases:
              - name: main
                steps:
                  - id: a
                    kind: shell
                    command: "true"
                    undo: none
                    undo-reason: test
            """);

        var result = PlanLoader.Load("plan.yaml", text, new Dictionary<string, string>());

        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.Contains("plan.yaml:11:10", StringComparison.Ordinal) && e.Contains("'batch' must be a number of hosts (1 or more)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'canary' must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown key 'concurency'", StringComparison.Ordinal) && e.Contains("did you mean 'concurrency'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'max-failed' must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'rollback' must be one of whole-fleet, failed-hosts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'bake' waits after the canary", StringComparison.Ordinal));
    }
}
