using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.Engine.Internal;

internal enum ForwardResult
{
    Completed,
    Failed,
    Cancelled,
    NeedsAttention,
}

internal sealed record ForwardOutcome(ForwardResult Result, string Reason);

/// <summary>
/// Runs one plan on one host: the steps forward (do, or judge an in-flight one by its check) and
/// the rollback (undo in reverse order, every undo attempted, then the health checks again).
/// </summary>
internal sealed class HostRunner(
    Plan plan,
    HostEntry target,
    IHostTransport transport,
    RunRecorder recorder,
    IRunObserver observer,
    EngineOptions options)
{
    private readonly Dictionary<int, IStepExecutor> executors = [];

    /// <summary>The plan's <c>fingerprint:</c> on this host (P9, V6), or null when it declares none.</summary>
    private readonly HostStateProof? proof = plan.Fingerprint is { } spec ? new HostStateProof(spec, transport, recorder, observer, target.Name) : null;

    public string Host => target.Name;

    public HostEntry Target => target;

    public IHostTransport Transport => transport;

    /// <summary>This host's rollback started but was never proven by the plan's fingerprint: a rollback or resume must finish it.</summary>
    public bool RollbackUnproven => proof?.Pending() == true;

    /// <summary>
    /// Before the host's first change: every staging step kind (a package download, a dependency
    /// check) does its work for the steps not yet done. Nothing on the host changes; a failure is
    /// journaled as the step's failure, so the host counts as failed and has nothing to undo.
    /// </summary>
    public async Task<ForwardOutcome> StageAsync(RunReplay? replay, RunControl control)
    {
        foreach (var step in plan.Steps)
        {
            if (replay?.Find(Host, step.Index) is { State: not StepState.NotStarted } || Executor(step) is not IStagingStep staging)
            {
                continue;
            }

            var start = recorder.Time.GetTimestamp();
            StepOutcome outcome;
            try
            {
                outcome = await StepInvoker.InvokeAsync(step, recorder.Time, ct => staging.StageAsync(Context(step), ct), control.Cancel);
            }
            catch (OperationCanceledException) when (control.Cancel.IsCancellationRequested)
            {
                return new ForwardOutcome(ForwardResult.Cancelled, $"cancelled by the operator while staging '{step.Id}'");
            }

            if (!outcome.IsSuccess)
            {
                return await FailedAsync(step, $"staging failed (nothing was changed): {outcome.Detail}", start);
            }

            await recorder.AppendAsync(JournalEvent.Note, Host, step, $"staged: {outcome.Detail ?? "ok"}");
            observer.Message(Host, $"staged {step.Id}: {outcome.Detail ?? "ok"}");
        }

        return new ForwardOutcome(ForwardResult.Completed, "");
    }

    /// <summary>
    /// The plan's checks that ran after the first change (they describe the healthy new version),
    /// run again: after a canary's bake time. Returns the problems, empty when all pass.
    /// </summary>
    public Task<IReadOnlyList<string>> VerifyAgainAsync(CancellationToken cancellationToken) =>
        RunChecksAsync(plan.Steps.SkipWhile(s => s.IsCheck).Where(s => s.IsCheck), "after the bake time", cancellationToken);

    public async Task<ForwardOutcome> ForwardAsync(
        RunReplay? replay, IReadOnlyDictionary<string, CheckResult> assumptions, RunControl control)
    {
        var watch = plan.Monitor is { } monitor ? new HostWatch(monitor, target, transport, recorder, observer) : null;
        var untouched = plan.Steps.All(s => replay?.Find(Host, s.Index) is null or { State: StepState.NotStarted });
        if (proof is not null && untouched)
        {
            // P9, V6: the state to prove the rollback against and to compare the permissions with.
            try
            {
                if (await proof.RecordBeforeAsync(control.Cancel) is { } failed)
                {
                    return new ForwardOutcome(ForwardResult.Failed, failed);
                }
            }
            catch (OperationCanceledException) when (control.Cancel.IsCancellationRequested)
            {
                return new ForwardOutcome(ForwardResult.Cancelled, "cancelled by the operator while the host was fingerprinted");
            }
        }

        if (watch is not null && untouched)
        {
            // E2: the baseline, before the host's first change (a resumed host keeps the one it journaled).
            try
            {
                await watch.RecordBaselineAsync(control.Cancel);
            }
            catch (OperationCanceledException) when (control.Cancel.IsCancellationRequested)
            {
                return new ForwardOutcome(ForwardResult.Cancelled, "cancelled by the operator while the baseline was sampled");
            }
        }

        foreach (var step in plan.Steps)
        {
            var state = replay?.Find(Host, step.Index);
            UndoData? prepared = null;
            switch (state?.State ?? StepState.NotStarted)
            {
                case StepState.Succeeded or StepState.AlreadyDone:
                    continue;
                case StepState.Failed:
                    return new ForwardOutcome(ForwardResult.Failed, $"step '{step.Id}' failed: {state!.LastResult}");
                case StepState.InFlight:
                    var judged = await JudgeInFlightAsync(step, state!, assumptions, control.Cancel);
                    if (judged == CheckResult.Done)
                    {
                        continue;
                    }

                    if (judged == CheckResult.Unknown)
                    {
                        return new ForwardOutcome(
                            ForwardResult.NeedsAttention,
                            $"step '{step.Id}' was in flight when the run stopped and its effect cannot be told (no check). " +
                            $"Look at host '{Host}', then 'downshift resume {recorder.RunId} --assume-done {step.Id}' " +
                            $"or '--assume-not-done {step.Id}', or 'downshift rollback {recorder.RunId}'");
                    }

                    prepared = state!.Prepared ? UndoData.FromJson(state.UndoData) : null;
                    break;
                case StepState.NotStarted:
                    break;
                default:
                    return new ForwardOutcome(ForwardResult.Failed, $"step '{step.Id}' is being undone ({state!.State})");
            }

            var outcome = await RunStepAsync(step, prepared, control);
            if (outcome.Result != ForwardResult.Completed)
            {
                return outcome;
            }
        }

        if (proof is not null)
        {
            // V6: users, groups, sudoers, SUID files, modes and owners as before, unless the plan expects otherwise.
            try
            {
                if (await proof.CheckPermissionsAsync(control.Cancel) is { } verdict)
                {
                    return verdict;
                }
            }
            catch (OperationCanceledException) when (control.Cancel.IsCancellationRequested)
            {
                return new ForwardOutcome(ForwardResult.Cancelled, "cancelled by the operator while the host was fingerprinted");
            }
        }

        if (watch is not null)
        {
            // E6, E8: the bake, judged by the trigger rules; a rule that trips fails the host (it rolls back).
            try
            {
                var baked = await watch.BakeAsync(control.Cancel);
                if (baked.Result != ForwardResult.Completed)
                {
                    return baked;
                }
            }
            catch (OperationCanceledException) when (control.Cancel.IsCancellationRequested)
            {
                return new ForwardOutcome(ForwardResult.Cancelled, "cancelled by the operator during the bake");
            }
        }

        return new ForwardOutcome(ForwardResult.Completed, "every step succeeded");
    }

    public async Task<(bool Clean, IReadOnlyList<string> Attention)> RollbackAsync(
        IReadOnlyList<StepReplay> toUndo, string reason, RunControl control)
    {
        // Proven when it undoes anything now, or when an earlier rollback of this host was never proven (the process died first).
        var prove = proof is not null && (toUndo.Any(s => s.Host == Host) || proof.Pending());
        observer.RollbackStarted(Host, reason);
        await recorder.AppendAsync(JournalEvent.RollbackStarted, Host, result: reason);
        var attention = new List<string>();
        foreach (var undo in toUndo.Where(s => s.Host == Host))
        {
            var step = plan.Steps.First(s => s.Index == undo.StepIndex);
            if (control.Abort.IsCancellationRequested)
            {
                attention.Add($"undo of '{step.Id}' on '{Host}' was not run: the rollback was aborted");
                continue;
            }

            var outcome = await UndoStepAsync(step, undo, control.Abort);
            if (!outcome.IsSuccess)
            {
                attention.Add($"undo of '{step.Id}' on '{Host}' failed: {outcome.Detail}");
            }
        }

        if (attention.Count == 0)
        {
            attention.AddRange(await RecheckHealthAsync(control.Abort));
        }

        if (attention.Count == 0 && prove && await proof!.ProveRollbackAsync(control.Abort) is { } unproven)
        {
            attention.Add(unproven);
        }

        return (attention.Count == 0, attention);
    }

    private async Task<ForwardOutcome> RunStepAsync(PlanStep step, UndoData? prepared, RunControl control)
    {
        var executor = Executor(step);
        var context = Context(step);
        var start = recorder.Time.GetTimestamp();
        observer.StepStarted(Host, step, executor.Describe());
        await recorder.AppendAsync(JournalEvent.StepStarted, Host, step, command: executor.Describe());
        try
        {
            if (prepared is null && step.IsCheck)
            {
                prepared = UndoData.Empty; // a check changes nothing: no StepPrepared, so it never counts as a change
            }
            else if (prepared is null)
            {
                if (await StepInvoker.CheckAsync(step, executor, context, control.Cancel) == CheckResult.Done)
                {
                    await recorder.AppendAsync(JournalEvent.StepAlreadyDone, Host, step, "already done: its check says it took effect");
                    observer.StepFinished(Host, step, StepOutcome.Skipped("already done"), recorder.Time.GetElapsedTime(start));
                    return new ForwardOutcome(ForwardResult.Completed, "");
                }

                UndoData captured = UndoData.Empty;
                var prepare = await StepInvoker.InvokeAsync(
                    step,
                    recorder.Time,
                    async ct =>
                    {
                        captured = await executor.PrepareAsync(context, ct);
                        return StepOutcome.Succeeded();
                    },
                    control.Cancel);
                if (!prepare.IsSuccess)
                {
                    return await FailedAsync(step, $"could not prepare: {prepare.Detail}", start);
                }

                prepared = captured;
                await recorder.AppendAsync(JournalEvent.StepPrepared, Host, step, data: prepared.ToJson());
            }

            var pipeline = StepInvoker.RetryPipeline(step, recorder.Time, async (failed, attempt) =>
            {
                observer.StepRetrying(Host, step, failed, attempt);
                await recorder.AppendAsync(JournalEvent.StepRetry, Host, step, $"attempt {attempt}: {failed.Detail}");
            });
            var ready = prepared;
            var outcome = await pipeline.ExecuteAsync(
                async ct => await StepInvoker.InvokeAsync(step, recorder.Time, t => executor.ExecuteAsync(context, ready, t), ct),
                control.Cancel);

            if (outcome.IsConnectionLost)
            {
                outcome = await AfterConnectionLostAsync(step, executor, context, ready, outcome, control.Cancel);
            }

            if (!outcome.IsSuccess)
            {
                return await FailedAsync(step, outcome.Detail ?? "failed", start);
            }

            await recorder.AppendAsync(
                JournalEvent.StepSucceeded, Host, step, "ok", output: outcome.Detail, duration: recorder.Time.GetElapsedTime(start));
            observer.StepFinished(Host, step, outcome, recorder.Time.GetElapsedTime(start));
            return new ForwardOutcome(ForwardResult.Completed, "");
        }
        catch (OperationCanceledException) when (control.Cancel.IsCancellationRequested)
        {
            await recorder.AppendAsync(
                JournalEvent.StepFailed, Host, step, "cancelled by the operator", duration: recorder.Time.GetElapsedTime(start));
            await recorder.AppendAsync(JournalEvent.Cancelled, Host, step, "cancelled by the operator (Ctrl+C)");
            observer.StepFinished(Host, step, StepOutcome.Failed("cancelled"), recorder.Time.GetElapsedTime(start));
            return new ForwardOutcome(ForwardResult.Cancelled, $"cancelled by the operator during step '{step.Id}'");
        }
    }

    /// <summary>
    /// The connection broke while the step ran: wait for the host to answer again, then judge the step
    /// by its check — done: it succeeded; not done: it never took effect, so it runs again (once);
    /// no check: it cannot be told, so the step fails and the rollback takes over. Never a blind re-run.
    /// </summary>
    private async Task<StepOutcome> AfterConnectionLostAsync(
        PlanStep step, IStepExecutor executor, StepContext context, UndoData prepared, StepOutcome lost, CancellationToken cancellationToken)
    {
        await recorder.AppendAsync(JournalEvent.Note, Host, step, $"connection lost mid-step; reconnecting to judge the step by its check: {lost.Detail}");
        observer.Message(Host, $"connection lost during {step.Id}; reconnecting");
        if (!await ReconnectedAsync(cancellationToken))
        {
            return StepOutcome.Failed($"connection lost mid-step and the host did not answer again within {ReconnectWindow.TotalSeconds:0}s: {lost.Detail}");
        }

        var judged = await StepInvoker.CheckAsync(step, executor, context, cancellationToken);
        await recorder.AppendAsync(JournalEvent.Note, Host, step, $"after the reconnect, its check says {judged}");
        return judged switch
        {
            CheckResult.Done => StepOutcome.Succeeded("judged done by its check after the connection came back"),
            CheckResult.NotDone => await StepInvoker.InvokeAsync(step, recorder.Time, t => executor.ExecuteAsync(context, prepared, t), cancellationToken),
            _ => StepOutcome.Failed($"connection lost mid-step and the step has no check, so whether it ran cannot be told: {lost.Detail}"),
        };
    }

    private static readonly TimeSpan ReconnectWindow = TimeSpan.FromSeconds(30);

    /// <summary>Tries a no-op command until the host answers (the transport reconnects on its own), within a bound.</summary>
    private async Task<bool> ReconnectedAsync(CancellationToken cancellationToken)
    {
        var start = recorder.Time.GetTimestamp();
        while (recorder.Time.GetElapsedTime(start) < ReconnectWindow)
        {
            try
            {
                var probe = await transport.RunAsync(new HostCommand("true") { Journaled = false, Timeout = TimeSpan.FromSeconds(10) }, cancellationToken);
                if (probe.Succeeded)
                {
                    return true;
                }
            }
            catch (DownshiftException e) when (e.IsTransient)
            {
                // not back yet: wait below, as after a failing probe
            }

            await Task.Delay(TimeSpan.FromSeconds(1), recorder.Time, cancellationToken);
        }

        return false;
    }

    private async Task<ForwardOutcome> FailedAsync(PlanStep step, string reason, long start)
    {
        await recorder.AppendAsync(
            JournalEvent.StepFailed, Host, step, reason, duration: recorder.Time.GetElapsedTime(start));
        observer.StepFinished(Host, step, StepOutcome.Failed(reason), recorder.Time.GetElapsedTime(start));
        return new ForwardOutcome(ForwardResult.Failed, $"step '{step.Id}' failed: {reason}");
    }

    private async Task<CheckResult> JudgeInFlightAsync(
        PlanStep step, StepReplay state, IReadOnlyDictionary<string, CheckResult> assumptions, CancellationToken cancellationToken)
    {
        var judged = assumptions.TryGetValue(step.Id, out var assumed)
            ? assumed
            : await StepInvoker.CheckAsync(step, Executor(step), Context(step), cancellationToken);
        var how = assumptions.ContainsKey(step.Id) ? "by the operator (--assume)" : "by its check";
        await recorder.AppendAsync(JournalEvent.Note, Host, step, $"in flight when the run stopped; judged {judged} {how}");
        if (judged == CheckResult.Done)
        {
            await recorder.AppendAsync(JournalEvent.StepSucceeded, Host, step, $"ok (judged done {how} after the run stopped)");
            observer.StepFinished(Host, step, StepOutcome.Succeeded($"judged done {how}"), TimeSpan.Zero);
        }

        return judged;
    }

    private async Task<StepOutcome> UndoStepAsync(PlanStep step, StepReplay state, CancellationToken cancellationToken)
    {
        var executor = Executor(step);
        var context = Context(step);
        var start = recorder.Time.GetTimestamp();
        await recorder.AppendAsync(JournalEvent.UndoStarted, Host, step, command: step.UndoText(executor));
        StepOutcome outcome;
        try
        {
            outcome = step.Undo.Mode switch
            {
                UndoMode.None => StepOutcome.Skipped($"declared 'undo: none': {step.Undo.Reason}"),
                UndoMode.Command when state.State is StepState.Failed or StepState.InFlight && step.Check is not null
                    && await StepInvoker.CheckAsync(step, executor, context, cancellationToken) == CheckResult.NotDone =>
                    StepOutcome.Skipped("never took effect (its check says so)"),
                UndoMode.Command => await StepInvoker.InvokeAsync(
                    step,
                    recorder.Time,
                    async ct =>
                    {
                        var run = await context.Host.RunAsync(new HostCommand(context.Expand(step.Undo.Command!)) { Timeout = step.Timeout }, ct);
                        return run.Succeeded ? StepOutcome.Succeeded() : StepOutcome.Failed($"exit {run.ExitCode}: {run.Output.Trim()}");
                    },
                    cancellationToken),
                _ => await StepInvoker.InvokeAsync(
                    step, recorder.Time, ct => executor.UndoAsync(context, UndoData.FromJson(state.UndoData), ct), cancellationToken),
            };
        }
        catch (OperationCanceledException)
        {
            outcome = StepOutcome.Failed("the rollback was aborted by the operator");
        }

        var kind = outcome.Result switch
        {
            StepResult.Succeeded => JournalEvent.UndoSucceeded,
            StepResult.Skipped => JournalEvent.UndoSkipped,
            _ => JournalEvent.UndoFailed,
        };
        await recorder.AppendAsync(
            kind,
            Host,
            step,
            outcome.Result == StepResult.Failed ? outcome.Detail ?? "failed" : outcome.Detail ?? "ok",
            duration: recorder.Time.GetElapsedTime(start));
        observer.UndoFinished(Host, step, outcome, recorder.Time.GetElapsedTime(start));
        return outcome;
    }

    private Task<IReadOnlyList<string>> RecheckHealthAsync(CancellationToken cancellationToken) =>
        RunChecksAsync(HealthSteps(), "after the rollback", cancellationToken);

    private async Task<IReadOnlyList<string>> RunChecksAsync(IEnumerable<PlanStep> checks, string when, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var step in checks)
        {
            var executor = Executor(step);
            var outcome = await StepInvoker.InvokeAsync(
                step, recorder.Time, ct => executor.ExecuteAsync(Context(step), UndoData.Empty, ct), cancellationToken);
            await recorder.AppendAsync(
                JournalEvent.HealthCheck, Host, step, outcome.IsSuccess ? "ok" : $"failed: {outcome.Detail}", command: executor.Describe());
            observer.Message(Host, $"health {when}: {step.Id} {(outcome.IsSuccess ? "ok" : $"FAILED: {outcome.Detail}")}");
            if (!outcome.IsSuccess)
            {
                problems.Add($"{when}, health check '{step.Id}' on '{Host}' fails: {outcome.Detail}");
            }
        }

        return problems;
    }

    /// <summary>The checks that ran before the first change: they describe the healthy original.</summary>
    private IEnumerable<PlanStep> HealthSteps() =>
        plan.Steps.TakeWhile(s => s.IsCheck);

    /// <summary>One executor per step and host, so what it learns of the host (its service manager) is learnt once.</summary>
    private IStepExecutor Executor(PlanStep step)
    {
        if (!executors.TryGetValue(step.Index, out var executor))
        {
            executor = step.CreateExecutor();
            executors[step.Index] = executor;
        }

        return executor;
    }

    private StepContext Context(PlanStep step) => new()
    {
        Host = new JournalingTransport(transport, recorder, step),
        RunId = recorder.RunId,
        Step = step,
        WorkDirectory = $"{options.StateDirectory}/runs/{recorder.RunId}/{step.Index:D3}-{step.Id}",
        PlanDirectory = Path.GetDirectoryName(Path.GetFullPath(plan.SourcePath)) ?? ".",
        Time = recorder.Time,
        Target = target,
        Backups = options.Backups,
    };
}
