using Downshift.Plans;
using Downshift.Steps;
using Polly;
using Polly.Retry;

namespace Downshift.Engine.Internal;

/// <summary>
/// Calls into a step with its timeout, its retries (Polly) and the rule that exceptions from a step
/// become failed outcomes (the engine must always get the chance to roll back).
/// </summary>
internal static class StepInvoker
{
    public static async Task<StepOutcome> InvokeAsync(
        PlanStep step,
        TimeProvider time,
        Func<CancellationToken, Task<StepOutcome>> action,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(step.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await action(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return StepOutcome.Failed($"timed out after {step.Timeout.TotalSeconds:0.#}s", isTransient: true);
        }
        catch (DownshiftException e)
        {
            return StepOutcome.Failed(e.Message, e.IsTransient) with { IsConnectionLost = e.IsConnectionLost };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return StepOutcome.Failed($"internal error in step '{step.Id}': {e.GetType().Name}: {e.Message}");
        }
    }

    public static async Task<CheckResult> CheckAsync(
        PlanStep step, IStepExecutor executor, StepContext context, CancellationToken cancellationToken)
    {
        var result = CheckResult.Unknown;
        var outcome = await InvokeAsync(
            step,
            context.Time,
            async ct =>
            {
                if (step.Check is { } command)
                {
                    var run = await context.Host.RunAsync(new Hosts.HostCommand(context.Expand(command)) { Timeout = step.Timeout }, ct);
                    result = run.Succeeded ? CheckResult.Done : CheckResult.NotDone;
                }
                else
                {
                    result = await executor.CheckAsync(context, ct);
                }

                return StepOutcome.Succeeded();
            },
            cancellationToken);
        return outcome.IsSuccess ? result : CheckResult.Unknown;
    }

    public static ResiliencePipeline<StepOutcome> RetryPipeline(PlanStep step, TimeProvider time, Func<StepOutcome, int, ValueTask> onRetry)
    {
        if (step.Retries == 0)
        {
            return ResiliencePipeline<StepOutcome>.Empty;
        }

        return new ResiliencePipelineBuilder<StepOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<StepOutcome>
            {
                MaxRetryAttempts = step.Retries,
                Delay = step.RetryDelay,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                // Never retry blindly after a lost connection: the step may have run (the check decides).
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Result: StepResult.Failed, IsConnectionLost: false }),
                OnRetry = args => onRetry(args.Outcome.Result!, args.AttemptNumber + 1),
            })
            .Build();
    }
}
