using System.Security.Cryptography;
using System.Text.Json;
using Downshift.Engine.Internal;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.Engine;

/// <summary>
/// Runs plans: forward step by step with a write-ahead journal, and on failure or Ctrl+C undoes the
/// completed steps in reverse order (E7, E8, E9). Resume and rollback work from the journal alone,
/// so they work after the CLI was killed.
/// </summary>
public sealed class RunEngine(
    IJournal journal,
    IHostConnector connector,
    TimeProvider time,
    IRunObserver observer,
    EngineOptions options)
{
    public async Task<RunResult> RunAsync(Plan plan, RunControl control)
    {
        var runId = NewRunId();

        // Write-ahead: the run and its RunStarted are on disk before any host is touched (taking a
        // lease is the first change on a host), so every lease names a run that resume, rollback and
        // unlock know. A run that is refused or cannot reach its hosts ends `failed` at once.
        await journal.CreateRunAsync(
            new RunHeader
            {
                RunId = runId,
                PlanName = plan.Name,
                PlanPath = Path.GetFullPath(plan.SourcePath),
                PlanHash = plan.ContentHash,
                PlanText = plan.Text,
                Variables = plan.Overrides,
                Operator = options.Operator,
                StartedAt = time.GetUtcNow(),
            },
            CancellationToken.None);
        var recorder = Recorder(runId);
        await recorder.AppendAsync(
            JournalEvent.RunStarted,
            result: $"{plan.FromVersion} → {plan.ToVersion}",
            data: JsonSerializer.Serialize(new
            {
                plan = plan.Name, hash = plan.ContentHash, from = plan.FromVersion, to = plan.ToVersion, hosts = plan.Hosts,
                strategy = plan.Strategy.ToString(),
                targets = HostEntryJson.ToElement(plan.HostEntries),
            }));

        await using var session = await OpenOrFinishAsync(plan, recorder, control.Cancel);
        if (session.Refusal is { } refusal)
        {
            await recorder.AppendAsync(JournalEvent.RunFinished, result: RunStatus.Failed.ToWire(), output: $"refused, nothing was changed: {refusal}");
            return new RunResult(runId, RunStatus.Failed, refusal) { Refusal = refusal };
        }

        foreach (var runner in session.Runners)
        {
            await recorder.AppendAsync(JournalEvent.LeaseAcquired, runner.Host, result: $"{options.StateDirectory}/lease");
            if (runner.Transport is Hosts.Ssh.IHostKeyTrustReport { NewlyTrustedKey: { } trusted })
            {
                await recorder.AppendAsync(JournalEvent.Note, runner.Host, result: trusted.ToString());
            }
        }

        return await ForwardThenFinishAsync(plan, session, recorder, replay: null, new Dictionary<string, CheckResult>(), control);
    }

    /// <summary>Opens the hosts of a new run; if that throws (a host unreachable, Ctrl+C), the run is journaled as ended first.</summary>
    private async Task<HostSession> OpenOrFinishAsync(Plan plan, RunRecorder recorder, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(plan, recorder, cancellationToken);
        }
        catch (Exception e) when (e is DownshiftException or OperationCanceledException)
        {
            var status = e is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed;
            await recorder.AppendAsync(JournalEvent.RunFinished, result: status.ToWire(), output: $"not started, nothing was changed: {e.Message}");
            throw;
        }
    }

    public async Task<RunResult> ResumeAsync(
        string runId, IReadOnlyDictionary<string, CheckResult> assumptions, RunControl control)
    {
        var (plan, replay, recorder) = await LoadRunAsync(runId);
        var resumable = replay.Status == RunStatus.Running
            || (replay.Status == RunStatus.NeedsAttention && !replay.FleetRollbackStarted && replay.InFlightSteps().Count > 0);
        if (!resumable)
        {
            // A run that finished but was killed while giving its leases back still holds them: give them back.
            List<HostEntry> held = replay.Status == RunStatus.NeedsAttention ? [] : plan.HostEntries.Where(e => replay.LeasesHeld.Contains(e.Name)).ToList();
            var released = await ReleaseLeasesAsync(recorder, [.. held.Select(e => (e, (IHostTransport?)null))], "released on resume (the run had finished)", control.Cancel);
            return new RunResult(
                runId,
                replay.Status,
                $"run {runId} is {replay.Status.ToWire()}; there is nothing to resume" + (released.Count > 0 ? $" (released the lease it still held on {released.Count} host(s))" : ""))
            {
                Hosts = HostSummaries.Of(replay), // a LeaseReleased changes no host's state
                Attention = released.Problems,
            };
        }

        await using var session = await OpenAsync(plan, recorder, control.Cancel);
        if (session.Refusal is { } refusal)
        {
            return new RunResult(runId, RunStatus.Failed, refusal) { Refusal = refusal };
        }

        await recorder.AppendAsync(JournalEvent.Resumed, result: replay.FleetRollbackStarted ? "continuing the rollback" : "continuing the run");
        observer.Message(null, replay.FleetRollbackStarted ? $"resuming the rollback of run {runId}" : $"resuming run {runId}");
        if (replay.FleetRollbackStarted)
        {
            return await RollbackAndFinishAsync(plan, session, recorder, replay.RollbackReason ?? "resumed rollback", replay.Cancelled, control);
        }

        return await ForwardThenFinishAsync(plan, session, recorder, replay, assumptions, control);
    }

    public async Task<RunResult> RollbackAsync(string runId, RunControl control)
    {
        var (plan, replay, recorder) = await LoadRunAsync(runId);
        if (replay.StepsToUndo.Count == 0 && replay.Status is RunStatus.RolledBack or RunStatus.Cancelled)
        {
            return new RunResult(runId, replay.Status, $"run {runId} is already {replay.Status.ToWire()}; nothing to undo");
        }

        await using var session = await OpenAsync(plan, recorder, control.Cancel);
        if (session.Refusal is { } refusal)
        {
            return new RunResult(runId, RunStatus.Failed, refusal) { Refusal = refusal };
        }

        return await RollbackAndFinishAsync(plan, session, recorder, $"requested by {options.Operator} (downshift rollback)", false, control);
    }

    /// <summary>
    /// Clears the leases a stopped run still holds, after a person checked its hosts. The run's
    /// records stay as they are; the clearing is journaled. A host that cannot be reached keeps its
    /// lease; the result names it (<see cref="RunResult.Attention"/>) and the others are cleared.
    /// </summary>
    public async Task<RunResult> UnlockAsync(string runId, CancellationToken cancellationToken)
    {
        var (plan, replay, recorder) = await LoadRunAsync(runId);
        var released = await ReleaseLeasesAsync(
            recorder, [.. plan.HostEntries.Select(e => (e, (IHostTransport?)null))], $"cleared by {options.Operator} (downshift unlock)", cancellationToken);
        return new RunResult(runId, replay.Status, $"leases of run {runId} cleared on {released.Count} of {plan.HostEntries.Count} host(s); the run stays {replay.Status.ToWire()}")
        {
            Attention = released.Problems,
        };
    }

    /// <summary>
    /// Gives back this run's lease on each host, every host at once (a fleet waits for its slowest host
    /// only), and journals each release. A host whose lease cannot be given back (unreachable) gets a
    /// Note and is named in the problems; the others go on. Never throws for a host: the run's outcome,
    /// already journaled, stands.
    /// </summary>
    /// <param name="hosts">Each host with its open transport, or null to connect for the release.</param>
    private async Task<(int Count, IReadOnlyList<string> Problems)> ReleaseLeasesAsync(
        RunRecorder recorder, IReadOnlyList<(HostEntry Entry, IHostTransport? Transport)> hosts, string? note, CancellationToken cancellationToken)
    {
        var problems = await Task.WhenAll(hosts.Select(async host =>
        {
            try
            {
                if (host.Transport is { } open)
                {
                    await new HostLease(open, options.StateDirectory, time).ReleaseAsync(recorder.RunId, cancellationToken);
                }
                else
                {
                    await using var connected = await connector.ConnectAsync(host.Entry, cancellationToken);
                    await new HostLease(connected, options.StateDirectory, time).ReleaseAsync(recorder.RunId, cancellationToken);
                }

                await recorder.AppendAsync(JournalEvent.LeaseReleased, host.Entry.Name, result: note);
                return null;
            }
            catch (Exception e) when (e is DownshiftException or OperationCanceledException)
            {
                var problem = $"the lease on '{host.Entry.Name}' was not released: {e.Message}; 'downshift unlock {recorder.RunId}' clears it once the host answers";
                await recorder.AppendAsync(JournalEvent.Note, host.Entry.Name, result: problem);
                observer.Message(host.Entry.Name, problem);
                return problem;
            }
        }));
        var left = problems.OfType<string>().ToList();
        return (hosts.Count - left.Count, left);
    }

    private async Task<RunResult> ForwardThenFinishAsync(
        Plan plan,
        HostSession session,
        RunRecorder recorder,
        RunReplay? replay,
        IReadOnlyDictionary<string, CheckResult> assumptions,
        RunControl control)
    {
        var rollout = new FleetRollout(plan, session.Runners, recorder, observer);
        var outcome = await rollout.ForwardAsync(replay, assumptions, control);
        switch (outcome.Result)
        {
            case FleetResult.Completed:
                return await FinishAsync(plan, session, recorder, RunStatus.Succeeded, $"{plan.Name}: {plan.FromVersion} → {plan.ToVersion} done on {plan.Hosts.Count} host(s)", []);
            case FleetResult.NeedsAttention:
                return await FinishAsync(plan, session, recorder, RunStatus.NeedsAttention, outcome.Reason, outcome.Attention);
            case FleetResult.Cancelled:
                return await RollbackAndFinishAsync(plan, session, recorder, outcome.Reason, cancelled: true, control);
            case FleetResult.Stopped when plan.Strategy.Rollback == FleetRollback.WholeFleet:
                return await RollbackAndFinishAsync(plan, session, recorder, outcome.Reason, cancelled: false, control);
            default:
                // Within the budget, or rollback: failed-hosts — the failed hosts already went back.
                var replayed = recorder.Replay(plan);
                var left = HostSummaries.Of(replayed).Where(h => h.State == HostState.Changed).Select(h => h.Host).ToList();
                var status = left.Count > 0 ? RunStatus.Partial
                    : outcome.Result == FleetResult.Stopped ? NothingChanged(replayed)
                    : RunStatus.RolledBack;
                var summary = status == RunStatus.Partial
                    ? $"{outcome.Reason}; {left.Count} host(s) changed to {plan.ToVersion}: {string.Join(", ", left)}"
                    : outcome.Reason;
                return await FinishAsync(plan, session, recorder, status, summary, [], replayed);
        }
    }

    /// <summary>Rolls back every host that changed, at most <c>concurrency</c> hosts at a time, last batch first.</summary>
    private async Task<RunResult> RollbackAndFinishAsync(
        Plan plan, HostSession session, RunRecorder recorder, string reason, bool cancelled, RunControl control)
    {
        var replay = recorder.Replay(plan);
        var toUndo = replay.StepsToUndo;
        if (toUndo.Count == 0 && !cancelled && replay.FleetRollbackStarted is false && NothingChanged(replay) == RunStatus.Failed)
        {
            return await FinishAsync(plan, session, recorder, RunStatus.Failed, $"stopped before any change: {reason}", []);
        }

        await recorder.AppendAsync(JournalEvent.RollbackStarted, result: reason);
        observer.Message(null, $"rolling back the fleet: {reason}");
        var attention = new List<string>();
        using var slots = new SemaphoreSlim(plan.Strategy.Concurrency);
        var hosts = session.Runners.Where(r => toUndo.Any(s => s.Host == r.Host) || r.RollbackUnproven).Reverse();
        await Task.WhenAll(hosts.Select(async runner =>
        {
            await slots.WaitAsync(CancellationToken.None);
            try
            {
                var (_, problems) = await runner.RollbackAsync(toUndo, reason, control);
                lock (attention)
                {
                    attention.AddRange(problems);
                }
            }
            finally
            {
                slots.Release();
            }
        }));

        var status = attention.Count > 0 ? RunStatus.NeedsAttention : cancelled ? RunStatus.Cancelled : RunStatus.RolledBack;
        var summary = attention.Count > 0
            ? $"rollback incomplete after: {reason}"
            : $"rolled back after: {reason}";
        return await FinishAsync(plan, session, recorder, status, summary, attention);
    }

    /// <summary>A stop where no host changed anything (staging failed) is a failure, not a rollback.</summary>
    private static RunStatus NothingChanged(RunReplay replay) => replay.AnyChange ? RunStatus.RolledBack : RunStatus.Failed;

    /// <param name="replay">The run's replay when the caller has it after the last step or undo record; else it is read once here.</param>
    private async Task<RunResult> FinishAsync(
        Plan plan, HostSession session, RunRecorder recorder, RunStatus status, string summary, IReadOnlyList<string> attention, RunReplay? replay = null)
    {
        foreach (var item in attention)
        {
            await recorder.AppendAsync(JournalEvent.Note, result: $"needs attention: {item}");
        }

        // Only notes, RunFinished and LeaseReleased follow: none of them changes a host's state.
        var hosts = HostSummaries.Of(replay ?? recorder.Replay(plan));
        await recorder.AppendAsync(JournalEvent.RunFinished, result: status.ToWire(), output: summary);
        var problems = attention;
        if (status != RunStatus.NeedsAttention)
        {
            var released = await ReleaseLeasesAsync(
                recorder, [.. session.Runners.Select(r => (r.Target, (IHostTransport?)r.Transport))], note: null, CancellationToken.None);
            problems = [.. attention, .. released.Problems];
        }

        return new RunResult(recorder.RunId, status, summary) { Attention = problems, Hosts = hosts };
    }

    /// <summary>The stored run, read once: its plan, its replay, and a recorder that starts from its records.</summary>
    private async Task<(Plan Plan, RunReplay Replay, RunRecorder Recorder)> LoadRunAsync(string runId)
    {
        var run = await StoredRun.LoadAsync(journal, runId, CancellationToken.None) ?? throw DownshiftException.RunNotFound(runId);
        if (run.Plan is null)
        {
            throw DownshiftException.InvalidState(
                $"the plan stored with run {runId} no longer validates: {string.Join("; ", run.PlanErrors)}");
        }

        return (run.Plan, run.Replay, Recorder(runId, run.Records));
    }

    /// <summary>
    /// Connects to every host (the connector bounds how many at once) and takes each host's lease.
    /// If any host is held by another run, the leases taken are given back and the run is refused;
    /// if any host cannot be reached, nothing is changed and the error names every such host.
    /// </summary>
    private async Task<HostSession> OpenAsync(Plan plan, RunRecorder recorder, CancellationToken cancellationToken)
    {
        var runId = recorder.RunId;
        var session = new HostSession();
        var opened = await Task.WhenAll(plan.HostEntries.Select(async entry =>
        {
            IHostTransport? transport = null;
            try
            {
                transport = await connector.ConnectAsync(entry, cancellationToken);
                var refusal = await new HostLease(transport, options.StateDirectory, time)
                    .AcquireAsync(runId, options.Controller, options.ProcessId, cancellationToken);
                return (Entry: entry, Transport: transport, Refusal: refusal, Error: (Exception?)null);
            }
            catch (Exception e) when (e is DownshiftException or OperationCanceledException)
            {
                if (transport is not null)
                {
                    // Connected, but the lease could not be taken: the acquire may have written it before it failed.
                    await GiveBackQuietlyAsync(transport, runId);
                    await transport.DisposeAsync();
                }

                return (Entry: entry, Transport: (IHostTransport?)null, Refusal: (string?)null, Error: e);
            }
        }));

        foreach (var (entry, transport, _, _) in opened)
        {
            if (transport is not null)
            {
                session.Runners.Add(new HostRunner(plan, entry, transport, recorder, observer, options));
            }
        }

        var refusals = opened.Where(o => o.Refusal is not null).Select(o => o.Refusal!).ToList();
        var errors = opened.Where(o => o.Error is not null).ToList();
        if (refusals.Count == 0 && errors.Count == 0)
        {
            return session;
        }

        foreach (var (_, transport, refusal, _) in opened)
        {
            if (transport is not null && refusal is null)
            {
                await new HostLease(transport, options.StateDirectory, time).ReleaseAsync(runId, CancellationToken.None);
            }
        }

        await session.DisposeAsync();
        if (errors.Count > 0 && refusals.Count == 0)
        {
            if (errors[0].Error is OperationCanceledException canceled)
            {
                throw canceled;
            }

            throw errors.Count == 1
                ? errors[0].Error!
                : DownshiftException.HostUnreachable(
                    string.Join(", ", errors.Select(e => e.Entry.Name)),
                    string.Join("; ", errors.Select(e => $"{e.Entry.Name}: {e.Error!.Message}")));
        }

        session.Refusal = string.Join("; ", refusals);
        return session;
    }

    /// <summary>
    /// Best effort, bounded: removes this run's lease after its acquire failed. If even that fails the
    /// lease stays; it names a journaled run, so 'downshift unlock RUN' clears it.
    /// </summary>
    private async Task GiveBackQuietlyAsync(IHostTransport transport, string runId)
    {
        try
        {
            await new HostLease(transport, options.StateDirectory, time).ReleaseAsync(runId, CancellationToken.None)
                .WaitAsync(LeaseGiveBackBound, time, CancellationToken.None);
        }
        catch (Exception e) when (e is DownshiftException or TimeoutException)
        {
            // the error that matters is the acquire's, reported by the caller
        }
    }

    private static readonly TimeSpan LeaseGiveBackBound = TimeSpan.FromSeconds(10);

    private RunRecorder Recorder(string runId, IReadOnlyList<JournalRecord>? earlier = null) =>
        new(journal, runId, options.Operator, time, earlier ?? []);

    private string NewRunId() =>
        $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    private sealed class HostSession : IAsyncDisposable
    {
        /// <summary>One runner per host, in plan order.</summary>
        public List<HostRunner> Runners { get; } = [];

        public string? Refusal { get; set; }

        public async ValueTask DisposeAsync()
        {
            foreach (var runner in Runners)
            {
                await runner.Transport.DisposeAsync();
            }

            Runners.Clear();
        }
    }
}
