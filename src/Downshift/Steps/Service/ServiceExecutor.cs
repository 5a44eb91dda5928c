using Downshift.Hosts;
using Downshift.Steps.Service.Internal;

namespace Downshift.Steps.Service;

internal sealed class ServiceExecutor(ServiceOptions options) : IStepExecutor
{
    private const string PriorStateKey = "prior-state";

    /// <summary>How long the state the check just read stands in for a second read by prepare.</summary>
    private static readonly TimeSpan CheckedStateFresh = TimeSpan.FromSeconds(2);

    private ServiceManager? resolved;

    /// <summary>The state the check read, and when: prepare runs right after it and reuses it (one status call less in the downtime).</summary>
    private (ServiceState State, long At)? checkedState;

    public string Describe() =>
        $"service {options.Name}: {Verb(options.Action)} ({options.Manager}" + (options.Port is { } p ? $", port {p})" : ")");

    public string? DescribeUndo() => options.Action switch
    {
        ServiceAction.Stop => $"start {options.Name} again if it was running",
        ServiceAction.Start => $"stop {options.Name} again if it was stopped",
        _ => $"restart {options.Name} again",
    };

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (options.Action == ServiceAction.Restart)
        {
            return CheckResult.NotDone;
        }

        var manager = await ManagerAsync(context.Host, cancellationToken);
        var state = await StateAsync(manager, context.Host, cancellationToken);
        checkedState = (state, context.Time.GetTimestamp());
        return (options.Action, state) switch
        {
            (ServiceAction.Stop, _) when state.IsDown() => CheckResult.Done,
            (ServiceAction.Start, ServiceState.Running) => await PortOpenAsync(context.Host, cancellationToken) ? CheckResult.Done : CheckResult.NotDone,
            (_, ServiceState.Unknown) => CheckResult.Unknown,
            _ => CheckResult.NotDone,
        };
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var state = checkedState is { } seen && context.Time.GetElapsedTime(seen.At) < CheckedStateFresh
            ? seen.State
            : await StateAsync(manager, context.Host, cancellationToken);
        checkedState = null;
        return UndoData.Empty.With(PriorStateKey, state.ToString()).With("manager", manager.Kind);
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken) =>
        await DriveAsync(context, options.Action, cancellationToken);

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var prior = Enum.TryParse<ServiceState>(prepared.Get(PriorStateKey), out var state) ? state : ServiceState.Unknown;
        var action = (options.Action, prior) switch
        {
            (ServiceAction.Stop, ServiceState.Running) => ServiceAction.Start,
            (ServiceAction.Start, _) when prior.IsDown() => ServiceAction.Stop,
            (ServiceAction.Restart, _) => ServiceAction.Restart,
            _ => (ServiceAction?)null,
        };
        return action is null
            ? StepOutcome.Skipped($"{options.Name} was {prior.ToString().ToLowerInvariant()} before the step; left as it is")
            : await DriveAsync(context, action.Value, cancellationToken);
    }

    private async Task<StepOutcome> DriveAsync(StepContext context, ServiceAction action, CancellationToken cancellationToken)
    {
        var host = context.Host;
        var manager = await ManagerAsync(host, cancellationToken);
        var command = await host.RunAsync(new HostCommand(manager.Command(action)) { Timeout = options.Wait }, cancellationToken);
        var want = action == ServiceAction.Stop ? ServiceState.Stopped : ServiceState.Running;
        var deadline = context.Time.GetTimestamp();
        var last = ServiceState.Unknown;
        while (context.Time.GetElapsedTime(deadline) < options.Wait)
        {
            last = await StateAsync(manager, host, cancellationToken);
            var reached = want == ServiceState.Stopped ? last.IsDown() : last == ServiceState.Running;
            if (reached && (want == ServiceState.Stopped || await PortOpenAsync(host, cancellationToken)))
            {
                return StepOutcome.Succeeded($"{options.Name} is {Describe(want)} ({manager.Kind})");
            }

            if (want == ServiceState.Running && (last is ServiceState.Failed || (!command.Succeeded && last != ServiceState.Transitioning)))
            {
                break;
            }

            await Task.Delay(ServiceDefaults.PollInterval, context.Time, cancellationToken);
        }

        var log = manager.LogCommand is null
            ? ""
            : (await host.RunAsync(new HostCommand(manager.LogCommand) { Journaled = false }, cancellationToken)).Output.Trim();
        var waited = last == want ? $"port {options.Port} did not accept connections" : $"it is {last.ToString().ToLowerInvariant()}";
        var within = command.Succeeded ? $" within {options.Wait.TotalSeconds:0.#}s" : "";
        return StepOutcome.Failed(
            $"{options.Name} did not {Verb(action)}{within}: {waited}; " +
            $"'{manager.Command(action)}' exited {command.ExitCode}: {command.Output.Trim()}" +
            (log.Length == 0 ? "" : $"; recent log: {log}"));
    }

    /// <summary>The service's manager on this executor's host, found once (auto-detection costs a command).</summary>
    private async Task<ServiceManager> ManagerAsync(IHostTransport host, CancellationToken cancellationToken) =>
        resolved ??= await ServiceManager.ResolveAsync(options, host, cancellationToken);

    private static async Task<ServiceState> StateAsync(ServiceManager manager, IHostTransport host, CancellationToken cancellationToken)
    {
        var result = await host.RunAsync(new HostCommand(manager.StatusCommand) { Journaled = false }, cancellationToken);
        return manager.ParseStatus(result);
    }

    private async Task<bool> PortOpenAsync(IHostTransport host, CancellationToken cancellationToken)
    {
        if (options.Port is not { } port)
        {
            return true;
        }

        var result = await host.RunAsync(
            new HostCommand($"timeout 1 bash -c '</dev/tcp/127.0.0.1/{port}' 2>/dev/null") { Journaled = false },
            cancellationToken);
        return result.Succeeded;
    }

    private static string Verb(ServiceAction action) => action.ToString().ToLowerInvariant();

    private static string Describe(ServiceState state) => state == ServiceState.Running ? "running" : "stopped";
}
