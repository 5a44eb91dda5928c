using Downshift.Journal;
using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.Engine.Internal;

internal enum FleetResult
{
    /// <summary>Every host ran every step.</summary>
    Completed,

    /// <summary>Every batch ran; some hosts failed within the budget and went back on their own.</summary>
    CompletedWithFailures,

    /// <summary>The canary failed or the failure budget was spent: no new batch started.</summary>
    Stopped,

    Cancelled,

    /// <summary>A host's state cannot be told (a step in flight without a check): a human must look.</summary>
    NeedsAttention,
}

internal sealed record FleetOutcome(FleetResult Result, string Reason, IReadOnlyList<string> Attention);

/// <summary>
/// Rolls a plan through the fleet (issue 3 §5): stage every host first (nothing changes yet), then
/// the canary batch, its bake time and checks, then the batches, at most <c>concurrency</c> hosts at
/// once. A failed host rolls back at once; past the failure budget no new host starts. The caller
/// decides the fleet's rollback from the outcome.
/// </summary>
internal sealed class FleetRollout(
    Plan plan,
    IReadOnlyList<HostRunner> runners,
    RunRecorder recorder,
    IRunObserver observer)
{
    private readonly Lock gate = new();
    private readonly HashSet<string> failed = new(StringComparer.Ordinal);
    private readonly List<string> attention = [];
    private readonly HashSet<string> canaryHosts = new(StringComparer.Ordinal);
    private bool budgetSpent;
    private bool cancelled;
    private string? stopReason;

    private RolloutStrategy Strategy => plan.Strategy;

    private int Total => runners.Count;

    public async Task<FleetOutcome> ForwardAsync(
        RunReplay? replay, IReadOnlyDictionary<string, CheckResult> assumptions, RunControl control)
    {
        foreach (var host in replay?.FailedHosts ?? new HashSet<string>())
        {
            failed.Add(host);
        }

        if (Strategy.BudgetSpent(failed.Count, Total))
        {
            Stop($"{failed.Count} of {Total} host(s) had failed before the run stopped (budget: {Strategy.MaxFailed})");
        }

        await FinishEarlierHostRollbacksAsync(replay, control);
        if (!await StageAsync(replay, control))
        {
            return Outcome();
        }

        var batches = Strategy.Batches([.. runners.Select(r => r.Host)]);
        var canary = Strategy.HasCanary(Total);
        if (canary && batches[0].FirstOrDefault(IsFailed) is { } failedCanary)
        {
            // A canary that failed before the run stopped still stops the fleet, whatever the budget says.
            Stop($"the canary failed on {failedCanary} before the run stopped");
        }

        for (var i = 0; i < batches.Count && !Stopping(); i++)
        {
            var isCanary = canary && i == 0;
            var label = Strategy.BatchLabel(i, batches.Count, Total);
            var batch = runners.Where(r => batches[i].Contains(r.Host, StringComparer.Ordinal) && !IsFailed(r.Host)).ToList();
            if (isCanary)
            {
                canaryHosts.UnionWith(batch.Select(r => r.Host));
            }

            await recorder.AppendAsync(JournalEvent.Note, result: $"{label}: {string.Join(", ", batch.Select(r => r.Host))}");
            observer.Message(null, $"{label}: {string.Join(", ", batch.Select(r => r.Host))}");
            await ForEachHostAsync(batch, runner => ForwardHostAsync(runner, replay, assumptions, control), control.Cancel);
            if (isCanary && !Stopping())
            {
                await BakeCanaryAsync(batch, control);
            }

        }

        return Outcome();
    }

    private FleetOutcome Outcome()
    {
        lock (gate)
        {
            if (attention.Count > 0)
            {
                return new FleetOutcome(FleetResult.NeedsAttention, attention[0], [.. attention]);
            }

            if (cancelled)
            {
                return new FleetOutcome(FleetResult.Cancelled, stopReason ?? "cancelled by the operator", []);
            }

            if (budgetSpent)
            {
                return new FleetOutcome(FleetResult.Stopped, stopReason ?? "stopped", []);
            }

            return failed.Count > 0
                ? new FleetOutcome(FleetResult.CompletedWithFailures, $"{failed.Count} of {Total} host(s) failed and went back: {string.Join(", ", failed)}", [])
                : new FleetOutcome(FleetResult.Completed, "every host succeeded", []);
        }
    }

    /// <summary>Staging on every host before any host changes; a host that cannot stage counts as failed.</summary>
    private async Task<bool> StageAsync(RunReplay? replay, RunControl control)
    {
        await ForEachHostAsync(
            runners.Where(r => !IsFailed(r.Host)),
            async runner =>
            {
                var outcome = await runner.StageAsync(replay, control);
                Judge(runner, outcome);
            },
            control.Cancel);
        return !Stopping();
    }

    private async Task ForwardHostAsync(
        HostRunner runner, RunReplay? replay, IReadOnlyDictionary<string, CheckResult> assumptions, RunControl control)
    {
        var outcome = await runner.ForwardAsync(replay, assumptions, control);
        Judge(runner, outcome);
        if (outcome.Result == ForwardResult.Failed)
        {
            await RollBackHostAsync(runner, outcome.Reason, control);
        }
    }

    private void Judge(HostRunner runner, ForwardOutcome outcome)
    {
        lock (gate)
        {
            switch (outcome.Result)
            {
                case ForwardResult.Failed:
                    failed.Add(runner.Host);
                    if (canaryHosts.Contains(runner.Host) && !budgetSpent)
                    {
                        // A failed canary stops the fleet whatever the budget says.
                        budgetSpent = true;
                        stopReason = $"the canary failed on {runner.Host}: {outcome.Reason}";
                    }
                    else if (Strategy.BudgetSpent(failed.Count, Total) && !budgetSpent)
                    {
                        budgetSpent = true;
                        stopReason = failed.Count == 1 && Total == 1
                            ? outcome.Reason
                            : $"{failed.Count} of {Total} host(s) failed (budget: {Strategy.MaxFailed}); last: {runner.Host}: {outcome.Reason}";
                    }

                    break;
                case ForwardResult.Cancelled:
                    cancelled = true;
                    stopReason ??= outcome.Reason;
                    break;
                case ForwardResult.NeedsAttention:
                    attention.Add(outcome.Reason);
                    break;
            }
        }
    }

    /// <summary>A failed host goes back at once, whatever happens to the rest of the fleet.</summary>
    private async Task RollBackHostAsync(HostRunner runner, string reason, RunControl control)
    {
        var toUndo = StepsToUndo(runner.Host);
        var (_, problems) = await runner.RollbackAsync(toUndo, reason, control);
        if (problems.Count > 0)
        {
            lock (gate)
            {
                attention.AddRange(problems);
            }
        }
    }

    /// <summary>After a crash, a failed host's rollback that had started is finished before anything else.</summary>
    private async Task FinishEarlierHostRollbacksAsync(RunReplay? replay, RunControl control)
    {
        if (replay is null)
        {
            return;
        }

        foreach (var runner in runners.Where(r => replay.FailedHosts.Contains(r.Host)))
        {
            if (replay.StepsToUndo.Any(s => s.Host == runner.Host) || runner.RollbackUnproven)
            {
                await RollBackHostAsync(runner, replay.RollbackReason ?? "a step failed on this host", control);
            }
        }
    }

    private async Task BakeCanaryAsync(IReadOnlyList<HostRunner> canary, RunControl control)
    {
        if (Strategy.Bake <= TimeSpan.Zero)
        {
            return;
        }

        observer.Message(null, $"canary baking for {Strategy.Bake.TotalSeconds:0.#}s, then its checks again");
        await recorder.AppendAsync(JournalEvent.Note, result: $"canary bake: {Strategy.Bake.TotalSeconds:0.#}s");
        try
        {
            await Task.Delay(Strategy.Bake, recorder.Time, control.Cancel);
        }
        catch (OperationCanceledException)
        {
            lock (gate)
            {
                cancelled = true;
                stopReason ??= "cancelled by the operator during the canary's bake time";
            }

            return;
        }

        await ForEachHostAsync(
            canary.Where(r => !IsFailed(r.Host)),
            async runner =>
            {
                var problems = await runner.VerifyAgainAsync(control.Cancel);
                if (problems.Count > 0)
                {
                    Judge(runner, new ForwardOutcome(ForwardResult.Failed, problems[0]));
                    await RollBackHostAsync(runner, $"canary check failed after the bake time: {problems[0]}", control);
                }
            },
            control.Cancel);
    }

    private void Stop(string reason)
    {
        lock (gate)
        {
            budgetSpent = true;
            stopReason = reason;
        }
    }

    private bool Stopping()
    {
        lock (gate)
        {
            return budgetSpent || cancelled || attention.Count > 0;
        }
    }

    private bool IsFailed(string host)
    {
        lock (gate)
        {
            return failed.Contains(host);
        }
    }

    /// <summary>The host's steps to undo, from the records this run has (no journal read).</summary>
    private IReadOnlyList<StepReplay> StepsToUndo(string host) =>
        [.. recorder.Replay(plan).StepsToUndo.Where(s => s.Host == host)];

    /// <summary>Runs the hosts at most <c>concurrency</c> at a time; a host not yet started does not start once the fleet stops.</summary>
    private async Task ForEachHostAsync(IEnumerable<HostRunner> hosts, Func<HostRunner, Task> work, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Strategy.Concurrency);
        var tasks = hosts.Select(async runner =>
        {
            try
            {
                await slots.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (!Stopping())
                {
                    await work(runner);
                }
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
    }
}
