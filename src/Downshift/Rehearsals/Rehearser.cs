using System.Text.Json;
using Downshift.Engine;
using Downshift.Fingerprints;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.Rehearsals;

/// <summary>
/// <c>downshift rehearse</c> (issue 5 §5; P8, P9): on every host of the plan, fingerprint → run (the
/// engine's <see cref="RunEngine.RunAsync"/>, journaled as a normal run) → roll back
/// (<see cref="RunEngine.RollbackAsync"/>, as <c>downshift rollback</c>) → fingerprint again → compare
/// with the plan's declared expected differences. The outcome is stored, bound to the plan's content hash.
/// </summary>
public sealed class Rehearser(
    RunEngine engine,
    IHostConnector connector,
    IRehearsalStore store,
    IRunObserver observer,
    TimeProvider time,
    string operatorName)
{
    public async Task<RehearsalResult> RehearseAsync(Plan plan, RunControl control)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(control);
        var spec = plan.Fingerprint ?? FingerprintSpec.Empty;
        observer.Message(null, $"rehearsal of plan {plan.Name} (sha256 {plan.ContentHash}): fingerprinting {plan.HostEntries.Count} host(s) before the run");

        // Before: a host that cannot be fingerprinted stops the rehearsal while nothing has changed.
        var before = await Task.WhenAll(plan.HostEntries.Select(h => CollectAsync(h, spec, control.Cancel)));

        var run = await engine.RunAsync(plan, control);
        if (run.Refusal is not null || run.Status == RunStatus.Cancelled)
        {
            return new RehearsalResult(plan.ContentHash, run);
        }

        RunResult? rollback = null;
        if (run.Status is RunStatus.Succeeded or RunStatus.Partial)
        {
            observer.Message(null, $"rehearsal: rolling run {run.RunId} back");
            rollback = await engine.RollbackAsync(run.RunId, control);
            if (rollback.Refusal is not null || rollback.Status == RunStatus.Cancelled)
            {
                return new RehearsalResult(plan.ContentHash, run) { Rollback = rollback };
            }
        }

        observer.Message(null, "rehearsal: fingerprinting again after the rollback");
        var hosts = await Task.WhenAll(plan.HostEntries.Select((h, i) => CompareAsync(h, before[i], spec, control.Cancel)));
        var result = new RehearsalResult(plan.ContentHash, run) { Rollback = rollback, Hosts = hosts, Compared = true };
        var record = await store.AppendRehearsalAsync(
            new RehearsalRecord
            {
                PlanHash = plan.ContentHash,
                PlanName = plan.Name,
                RunId = run.RunId,
                Passed = result.Passed,
                Operator = operatorName,
                Time = time.GetUtcNow(),
                Data = JsonSerializer.Serialize(RehearsalJson.Of(result), RehearsalJson.Compact),
            },
            CancellationToken.None);
        return result with { Record = record };
    }

    private async Task<HostFingerprint> CollectAsync(HostEntry host, FingerprintSpec spec, CancellationToken cancellationToken)
    {
        await using var transport = await connector.ConnectAsync(host, cancellationToken);
        return await new FingerprintCollector(time).CollectAsync(transport, spec, cancellationToken);
    }

    /// <summary>The host after the rollback against <paramref name="before"/>; a host that cannot be read now is a problem, not an exception (the run is over).</summary>
    private async Task<HostRehearsal> CompareAsync(HostEntry host, HostFingerprint before, FingerprintSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            var after = await CollectAsync(host, spec, cancellationToken);
            return new HostRehearsal(host.Name, FingerprintDiff.Compare(before, after, spec.ExpectedDifferences), null);
        }
        catch (Exception e) when (e is DownshiftException or OperationCanceledException)
        {
            return new HostRehearsal(host.Name, null, $"cannot be fingerprinted after the rollback: {e.Message}");
        }
    }
}
