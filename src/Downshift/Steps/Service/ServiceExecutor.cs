using Downshift.Hosts;
using Downshift.Steps.Service.Internal;

namespace Downshift.Steps.Service;

/// <summary>
/// Drives a service with one remote script per read or action (<see cref="ServiceScript"/>): the
/// check reads the state (detecting the manager on the way), prepare keeps what the check read, and
/// each action waits for its state and port on the host itself.
/// </summary>
internal sealed class ServiceExecutor(ServiceOptions options) : IStepExecutor
{
    private const string PriorStateKey = "prior-state";
    private const string ManagerKey = "manager";

    /// <summary>The exit of <c>timeout</c> when the command ran out of time.</summary>
    private const int TimedOut = 124;

    private ServiceManager? resolved;

    /// <summary>The state the check read: the engine prepares right after it on this executor, so prepare needs no read of its own.</summary>
    private ServiceState? checkedState;

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
        var report = await StatusAsync(context.Host, probePort: options.Action == ServiceAction.Start, cancellationToken);
        checkedState = report.State;
        return (options.Action, report.State) switch
        {
            (ServiceAction.Restart, _) => CheckResult.NotDone,
            (ServiceAction.Stop, var state) when state.IsDown() => CheckResult.Done,
            (ServiceAction.Start, ServiceState.Running) => report.PortOpen == false ? CheckResult.NotDone : CheckResult.Done,
            (_, ServiceState.Unknown) => CheckResult.Unknown,
            _ => CheckResult.NotDone,
        };
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var state = checkedState ?? (await StatusAsync(context.Host, probePort: false, cancellationToken)).State;
        checkedState = null;
        var manager = resolved ?? throw DownshiftException.Internal("the service manager is known once the state was read");
        return UndoData.Empty.With(PriorStateKey, state.ToString()).With(ManagerKey, manager.Kind);
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken) =>
        await DriveAsync(context.Host, options.Action, cancellationToken);

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        resolved ??= prepared.Get(ManagerKey) is { } kind ? ServiceManager.For(kind, options) : null;
        var prior = Enum.TryParse<ServiceState>(prepared.Get(PriorStateKey), out var state) ? state : ServiceState.Unknown;
        var action = (options.Action, prior) switch
        {
            // A service on its way up or down counts as where it was heading.
            (ServiceAction.Stop, ServiceState.Running or ServiceState.Starting) => ServiceAction.Start,
            (ServiceAction.Start, _) when prior.IsDown() || prior == ServiceState.Stopping => ServiceAction.Stop,
            (ServiceAction.Restart, _) => ServiceAction.Restart,
            _ => (ServiceAction?)null,
        };
        return action is null
            ? StepOutcome.Skipped($"{options.Name} was {prior.Word()} before the step; left as it is")
            : await DriveAsync(context.Host, action.Value, cancellationToken);
    }

    private async Task<StepOutcome> DriveAsync(IHostTransport host, ServiceAction action, CancellationToken cancellationToken)
    {
        var result = await host.RunAsync(
            new HostCommand(ServiceScript.Action(options, resolved, action))
            {
                Display = ServiceScript.Display(options, resolved, action),
                Timeout = options.Wait + ServiceDefaults.ReportGrace,
            },
            cancellationToken);
        var report = Resolve(result, host);
        if (report.ExitCode is not { } exit)
        {
            return StepOutcome.Failed($"{options.Name}: the service script failed on '{host.HostName}' (exit {result.ExitCode}): {result.Output.Trim()}");
        }

        var want = action == ServiceAction.Stop ? ServiceState.Stopped : ServiceState.Running;
        var reached = want == ServiceState.Stopped ? report.State.IsDown() : report.State == want && report.PortOpen != false;
        if (reached)
        {
            return StepOutcome.Succeeded($"{options.Name} is {want.Word()} ({report.Manager})");
        }

        var command = resolved!.Command(action);
        var waited = report.State == want ? $"port {options.Port} did not accept connections" : $"it is {report.State.Word()}";
        var within = exit is 0 or TimedOut ? $" within {options.Wait.TotalSeconds:0.###}s" : "";
        var ran = exit == TimedOut
            ? $"'{command}' did not return within {options.Wait.TotalSeconds:0.###}s"
            : $"'{command}' exited {exit}: {report.Output}";
        return StepOutcome.Failed(
            $"{options.Name} did not {Verb(action)}{within}: {waited}; {ran}" +
            (report.Log.Length == 0 ? "" : $"; recent log: {report.Log}"));
    }

    private async Task<ServiceReport> StatusAsync(IHostTransport host, bool probePort, CancellationToken cancellationToken)
    {
        var result = await host.RunAsync(
            new HostCommand(ServiceScript.Status(options, resolved, probePort)) { Journaled = false },
            cancellationToken);
        return Resolve(result, host);
    }

    /// <summary>Keeps the manager a script found (auto-detection runs once per executor); none found is an error.</summary>
    private ServiceReport Resolve(CommandResult result, IHostTransport host)
    {
        var report = ServiceReport.Parse(result);
        if (report.Manager.Length == 0)
        {
            throw DownshiftException.InvalidState(
                $"cannot read the state of '{options.Name}' on '{host.HostName}' (exit {result.ExitCode}): {result.Output.Trim()}");
        }

        resolved ??= ServiceManager.For(report.Manager, options)
            ?? throw DownshiftException.InvalidState(
                $"no service manager found on '{host.HostName}' for '{options.Name}' (no systemd, no /etc/init.d/{options.Name}, no supervisorctl)");
        return report;
    }

    private static string Verb(ServiceAction action) => action.ToString().ToLowerInvariant();
}
