using Downshift.Hosts;

namespace Downshift.Steps.Service.Internal;

internal enum ServiceState
{
    Running,
    Stopped,
    Transitioning,
    Failed,
    Unknown,
}

internal static class ServiceStates
{
    /// <summary>Not running: stopped, or failed to run (supervisor FATAL, systemd failed). A stop has nothing left to do.</summary>
    public static bool IsDown(this ServiceState state) => state is ServiceState.Stopped or ServiceState.Failed;
}

/// <summary>How one service manager is driven: the commands, and how to read its status.</summary>
internal abstract class ServiceManager(string name)
{
    public string ServiceName { get; } = name;

    public abstract string Kind { get; }

    public abstract string Command(ServiceAction action);

    public abstract string StatusCommand { get; }

    public abstract ServiceState ParseStatus(CommandResult result);

    /// <summary>Recent output of the service, for a failure message; null when the manager has none.</summary>
    public virtual string? LogCommand => null;

    public static async Task<ServiceManager> ResolveAsync(
        ServiceOptions options, IHostTransport host, CancellationToken cancellationToken)
    {
        var kind = options.Manager;
        if (kind == "auto")
        {
            var probe = await host.RunAsync(
                new HostCommand(
                    "if [ -d /run/systemd/system ]; then echo systemd; " +
                    $"elif [ -x /etc/init.d/{Sh.Quote(options.Name)} ]; then echo sysv; " +
                    "elif command -v supervisorctl >/dev/null; then echo supervisor; else echo none; fi")
                { Journaled = false },
                cancellationToken);
            kind = probe.StdoutText.Trim();
        }

        return kind switch
        {
            "systemd" => new SystemdManager(options.Name),
            "supervisor" => new SupervisorManager(options.Name, options.SupervisorConfig),
            "sysv" => new SysvManager(options.Name),
            _ => throw DownshiftException.InvalidState(
                $"no service manager found on '{host.HostName}' for '{options.Name}' (no systemd, no /etc/init.d/{options.Name}, no supervisorctl)"),
        };
    }
}

internal sealed class SystemdManager(string name) : ServiceManager(name)
{
    public override string Kind => "systemd";

    public override string Command(ServiceAction action) =>
        $"systemctl {action.ToString().ToLowerInvariant()} {Sh.Quote(ServiceName)}";

    public override string StatusCommand => $"systemctl is-active {Sh.Quote(ServiceName)}";

    public override string LogCommand => $"journalctl -u {Sh.Quote(ServiceName)} -n 20 --no-pager";

    public override ServiceState ParseStatus(CommandResult result) => result.StdoutText.Trim() switch
    {
        "active" => ServiceState.Running,
        "inactive" => ServiceState.Stopped,
        "activating" or "deactivating" or "reloading" => ServiceState.Transitioning,
        "failed" => ServiceState.Failed,
        _ => ServiceState.Unknown,
    };
}

internal sealed class SupervisorManager(string name, string? config) : ServiceManager(name)
{
    private string Ctl => config is null ? "supervisorctl" : $"supervisorctl -c {Sh.Quote(config)}";

    public override string Kind => "supervisor";

    public override string Command(ServiceAction action) =>
        $"{Ctl} {action.ToString().ToLowerInvariant()} {Sh.Quote(ServiceName)}";

    public override string StatusCommand => $"{Ctl} status {Sh.Quote(ServiceName)}";

    // stderr has its own log unless the program redirects it into stdout's: read both, keep what exists.
    public override string LogCommand =>
        $"{{ {Ctl} tail {Sh.Quote(ServiceName)} stderr; {Ctl} tail {Sh.Quote(ServiceName)}; }} 2>&1 | grep -v 'ERROR (no log file)' | tail -n 5";

    public override ServiceState ParseStatus(CommandResult result)
    {
        var text = result.StdoutText;
        return text switch
        {
            _ when text.Contains(" RUNNING ", StringComparison.Ordinal) => ServiceState.Running,
            _ when text.Contains(" STOPPED ", StringComparison.Ordinal) || text.Contains(" EXITED ", StringComparison.Ordinal) => ServiceState.Stopped,
            _ when text.Contains(" STARTING ", StringComparison.Ordinal) || text.Contains(" STOPPING ", StringComparison.Ordinal) || text.Contains(" BACKOFF ", StringComparison.Ordinal) => ServiceState.Transitioning,
            _ when text.Contains(" FATAL ", StringComparison.Ordinal) => ServiceState.Failed,
            _ => ServiceState.Unknown,
        };
    }
}

internal sealed class SysvManager(string name) : ServiceManager(name)
{
    private string Script => $"/etc/init.d/{Sh.Quote(ServiceName)}";

    public override string Kind => "sysv";

    public override string Command(ServiceAction action) => $"{Script} {action.ToString().ToLowerInvariant()}";

    public override string StatusCommand => $"{Script} status";

    // LSB: 0 running, 1-3 not running.
    public override ServiceState ParseStatus(CommandResult result) => result.ExitCode switch
    {
        0 => ServiceState.Running,
        >= 1 and <= 3 => ServiceState.Stopped,
        _ => ServiceState.Unknown,
    };
}
