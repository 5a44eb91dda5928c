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
        await using var session = await OpenAsync(plan, runId, control.Cancel);
        if (session.Refusal is { } refusal)
        {
            return new RunResult(runId, RunStatus.Failed, refusal) { Refusal = refusal };
        }

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
                targets = JsonDocument.Parse(HostEntryJson.Serialize(plan.HostEntries)).RootElement,
            }));
        foreach (var host in session.Hosts)
        {
            await recorder.AppendAsync(JournalEvent.LeaseAcquired, host.HostName, result: $"{options.StateDirectory}/lease");
        }

        return await ForwardThenFinishAsync(plan, session, recorder, replay: null, new Dictionary<string, CheckResult>(), control);
    }

    public async Task<RunResult> ResumeAsync(
        string runId, IReadOnlyDictionary<string, CheckResult> assumptions, RunControl control)
    {
        var (plan, replay) = await LoadRunAsync(runId);
        var resumable = replay.Status == RunStatus.Running
            || (replay.Status == RunStatus.NeedsAttention && !replay.RollbackStarted && replay.InFlightSteps().Count > 0);
        if (!resumable)
        {
            return new RunResult(runId, replay.Status, $"run {runId} is {replay.Status.ToWire()}; there is nothing to resume");
        }

        await using var session = await OpenAsync(plan, runId, control.Cancel);
        if (session.Refusal is { } refusal)
        {
            return new RunResult(runId, RunStatus.Failed, refusal) { Refusal = refusal };
        }

        var recorder = Recorder(runId);
        await recorder.AppendAsync(JournalEvent.Resumed, result: replay.RollbackStarted ? "continuing the rollback" : "continuing the run");
        observer.Message(null, replay.RollbackStarted ? $"resuming the rollback of run {runId}" : $"resuming run {runId}");
        if (replay.RollbackStarted)
        {
            return await RollbackAndFinishAsync(plan, session, recorder, replay.RollbackReason ?? "resumed rollback", replay.Cancelled, control);
        }

        return await ForwardThenFinishAsync(plan, session, recorder, replay, assumptions, control);
    }

    public async Task<RunResult> RollbackAsync(string runId, RunControl control)
    {
        var (plan, replay) = await LoadRunAsync(runId);
        if (replay.StepsToUndo().Count == 0 && replay.Status is RunStatus.RolledBack or RunStatus.Cancelled)
        {
            return new RunResult(runId, replay.Status, $"run {runId} is already {replay.Status.ToWire()}; nothing to undo");
        }

        await using var session = await OpenAsync(plan, runId, control.Cancel);
        if (session.Refusal is { } refusal)
        {
            return new RunResult(runId, RunStatus.Failed, refusal) { Refusal = refusal };
        }

        var recorder = Recorder(runId);
        return await RollbackAndFinishAsync(plan, session, recorder, $"requested by {options.Operator} (downshift rollback)", false, control);
    }

    /// <summary>
    /// Clears the leases a stopped run still holds, after a person checked its hosts. The run's
    /// records stay as they are; the clearing is journaled.
    /// </summary>
    public async Task<RunResult> UnlockAsync(string runId, CancellationToken cancellationToken)
    {
        var (plan, replay) = await LoadRunAsync(runId);
        var recorder = Recorder(runId);
        foreach (var entry in plan.HostEntries)
        {
            await using var host = await connector.ConnectAsync(entry, cancellationToken);
            await new HostLease(host, options.StateDirectory, time).ReleaseAsync(runId, cancellationToken);
            await recorder.AppendAsync(JournalEvent.LeaseReleased, entry.Name, result: $"cleared by {options.Operator} (downshift unlock)");
        }

        return new RunResult(runId, replay.Status, $"leases of run {runId} cleared on {plan.Hosts.Count} host(s); the run stays {replay.Status.ToWire()}");
    }

    private async Task<RunResult> ForwardThenFinishAsync(
        Plan plan,
        HostSession session,
        RunRecorder recorder,
        RunReplay? replay,
        IReadOnlyDictionary<string, CheckResult> assumptions,
        RunControl control)
    {
        foreach (var host in session.Hosts)
        {
            var runner = new HostRunner(plan, host, recorder, observer, options);
            var outcome = await runner.ForwardAsync(replay, assumptions, control);
            switch (outcome.Result)
            {
                case ForwardResult.Completed:
                    continue;
                case ForwardResult.NeedsAttention:
                    return await FinishAsync(session, recorder, RunStatus.NeedsAttention, outcome.Reason, [outcome.Reason]);
                default:
                    return await RollbackAndFinishAsync(
                        plan, session, recorder, outcome.Reason, outcome.Result == ForwardResult.Cancelled, control);
            }
        }

        return await FinishAsync(session, recorder, RunStatus.Succeeded, $"{plan.Name}: {plan.FromVersion} → {plan.ToVersion} done", []);
    }

    private async Task<RunResult> RollbackAndFinishAsync(
        Plan plan, HostSession session, RunRecorder recorder, string reason, bool cancelled, RunControl control)
    {
        var replay = RunReplay.From(await journal.ReadAsync(recorder.RunId, CancellationToken.None));
        var toUndo = replay.StepsToUndo();
        var attention = new List<string>();
        foreach (var host in session.Hosts)
        {
            var runner = new HostRunner(plan, host, recorder, observer, options);
            var (_, problems) = await runner.RollbackAsync(toUndo, reason, control);
            attention.AddRange(problems);
        }

        var status = attention.Count > 0 ? RunStatus.NeedsAttention : cancelled ? RunStatus.Cancelled : RunStatus.RolledBack;
        var summary = attention.Count > 0
            ? $"rollback incomplete after: {reason}"
            : $"rolled back after: {reason}";
        return await FinishAsync(session, recorder, status, summary, attention);
    }

    private async Task<RunResult> FinishAsync(
        HostSession session, RunRecorder recorder, RunStatus status, string summary, IReadOnlyList<string> attention)
    {
        foreach (var item in attention)
        {
            await recorder.AppendAsync(JournalEvent.Note, result: $"needs attention: {item}");
        }

        await recorder.AppendAsync(JournalEvent.RunFinished, result: status.ToWire(), output: summary);
        if (status != RunStatus.NeedsAttention)
        {
            foreach (var host in session.Hosts)
            {
                var lease = new HostLease(host, options.StateDirectory, time);
                await lease.ReleaseAsync(recorder.RunId, CancellationToken.None);
                await recorder.AppendAsync(JournalEvent.LeaseReleased, host.HostName);
            }
        }

        return new RunResult(recorder.RunId, status, summary) { Attention = attention };
    }

    private async Task<(Plan Plan, RunReplay Replay)> LoadRunAsync(string runId)
    {
        var header = await journal.FindRunAsync(runId, CancellationToken.None) ?? throw DownshiftException.RunNotFound(runId);
        var records = await journal.ReadAsync(runId, CancellationToken.None);

        // The hosts as resolved when the run started (the inventory may have changed since).
        var started = records.FirstOrDefault(r => r.Event == JournalEvent.RunStarted);
        var hosts = HostEntryJson.FromProperty(started?.Data, "targets");
        var loaded = PlanLoader.Load(header.PlanPath, header.PlanText, header.Variables, new PlanLoadOptions { ResolvedHosts = hosts });
        if (loaded.Plan is null)
        {
            throw DownshiftException.InvalidState(
                $"the plan stored with run {runId} no longer validates: {string.Join("; ", loaded.Errors)}");
        }

        return (loaded.Plan, RunReplay.From(records));
    }

    private async Task<HostSession> OpenAsync(Plan plan, string runId, CancellationToken cancellationToken)
    {
        var session = new HostSession();
        foreach (var entry in plan.HostEntries)
        {
            var host = await connector.ConnectAsync(entry, cancellationToken);
            var refusal = await new HostLease(host, options.StateDirectory, time)
                .AcquireAsync(runId, options.Controller, options.ProcessId, cancellationToken);
            if (refusal is not null)
            {
                await host.DisposeAsync();
                foreach (var held in session.Hosts)
                {
                    await new HostLease(held, options.StateDirectory, time).ReleaseAsync(runId, CancellationToken.None);
                }

                session.Refusal = refusal;
                return session;
            }

            session.Hosts.Add(host);
        }

        return session;
    }

    private RunRecorder Recorder(string runId) => new(journal, runId, options.Operator, time);

    private string NewRunId() =>
        $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    private sealed class HostSession : IAsyncDisposable
    {
        public List<IHostTransport> Hosts { get; } = [];

        public string? Refusal { get; set; }

        public async ValueTask DisposeAsync()
        {
            foreach (var host in Hosts)
            {
                await host.DisposeAsync();
            }
        }
    }
}
