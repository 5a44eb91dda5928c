using Downshift.Hosts;

namespace Downshift.Steps.Service.Internal;

internal enum ServiceState
{
    Running,
    Stopped,
    /// <summary>On its way up (supervisor STARTING or BACKOFF, systemd activating or reloading): meant to run.</summary>
    Starting,

    /// <summary>On its way down (supervisor STOPPING, systemd deactivating): meant to be stopped.</summary>
    Stopping,
    Failed,
    Unknown,
}

internal static class ServiceStates
{
    /// <summary>Not running: stopped, or failed to run (supervisor FATAL, systemd failed). A stop has nothing left to do.</summary>
    public static bool IsDown(this ServiceState state) => state is ServiceState.Stopped or ServiceState.Failed;

    /// <summary>The word a service script prints for a state (see <see cref="ServiceManager.StateFunction"/>).</summary>
    public static ServiceState Parse(string? word) => word switch
    {
        "running" => ServiceState.Running,
        "stopped" => ServiceState.Stopped,
        "starting" => ServiceState.Starting,
        "stopping" => ServiceState.Stopping,
        "failed" => ServiceState.Failed,
        _ => ServiceState.Unknown,
    };

    public static string Word(this ServiceState state) => state.ToString().ToLowerInvariant();
}

/// <summary>
/// How one service manager is driven on a host, as bash for <see cref="ServiceScript"/>: the
/// command of an action, a <c>state</c> function that prints the state as one word, and a
/// <c>recent</c> function that prints the service's recent log.
/// </summary>
internal abstract class ServiceManager(string name)
{
    public static readonly IReadOnlyList<string> Kinds = ["systemd", "sysv", "supervisor"];

    public string ServiceName { get; } = name;

    public abstract string Kind { get; }

    /// <summary>True when a command that exits 0 has reached its state (it blocks until then); false when only the status can tell.</summary>
    public abstract bool ExitTells { get; }

    public abstract IReadOnlyList<string> CommandWords(ServiceAction action);

    /// <summary>Bash defining <c>state</c>: prints running, stopped, starting, stopping, failed or unknown.</summary>
    public abstract string StateFunction { get; }

    /// <summary>Bash defining <c>recent</c>: prints the service's recent log, for a failure message.</summary>
    public virtual string RecentFunction => "recent() { :; }";

    /// <summary>The action as an operator would type it, for the journal and messages.</summary>
    public virtual string Command(ServiceAction action) => string.Join(' ', CommandWords(action).Select(Sh.Quote));

    /// <summary>The manager of this kind for the step's service; null for a kind that is not one (auto-detection found none).</summary>
    public static ServiceManager? For(string kind, ServiceOptions options) => kind switch
    {
        "systemd" => new SystemdManager(options.Name),
        "supervisor" => new SupervisorManager(options.Name, options.SupervisorConfig),
        "sysv" => new SysvManager(options.Name),
        _ => null,
    };

    /// <summary>Bash that prints the manager auto-detection picks: systemd, sysv, supervisor or none.</summary>
    public static string DetectScript(string service) =>
        "if [ -d /run/systemd/system ]; then echo systemd; " +
        $"elif [ -x /etc/init.d/{Sh.Quote(service)} ]; then echo sysv; " +
        "elif command -v supervisorctl >/dev/null; then echo supervisor; else echo none; fi";

    protected static string Verb(ServiceAction action) => action.ToString().ToLowerInvariant();
}

internal sealed class SystemdManager(string name) : ServiceManager(name)
{
    public override string Kind => "systemd";

    // systemctl start/stop wait for the job to finish.
    public override bool ExitTells => true;

    public override IReadOnlyList<string> CommandWords(ServiceAction action) => ["systemctl", Verb(action), ServiceName];

    public override string StateFunction =>
        $"state() {{ case $(systemctl is-active {Sh.Quote(ServiceName)} 2>/dev/null) in active) echo running;; inactive) echo stopped;; " +
        "activating|reloading) echo starting;; deactivating) echo stopping;; failed) echo failed;; *) echo unknown;; esac; }";

    public override string RecentFunction => $"recent() {{ journalctl -u {Sh.Quote(ServiceName)} -n 20 --no-pager 2>&1; }}";
}

internal sealed class SupervisorManager(string name, string? config) : ServiceManager(name)
{
    private string Ctl => config is null ? "supervisorctl" : $"supervisorctl -c {Sh.Quote(config)}";

    public override string Kind => "supervisor";

    // Like supervisorctl: stop waits for the stop; start waits startsecs (and exits non-zero on a spawn error).
    public override bool ExitTells => true;

    /// <summary>Through <see cref="SupervisorClient"/>: supervisorctl's job at a third of its CPU (it falls back to supervisorctl itself).</summary>
    public override IReadOnlyList<string> CommandWords(ServiceAction action) => SupervisorClient.CommandWords(Verb(action), ServiceName, config);

    public override string Command(ServiceAction action) => $"{Ctl} {Verb(action)} {Sh.Quote(ServiceName)}";

    // The status line is "NAME  STATE  description"; the spaces around the subject keep a bare "NAME STATE" matching.
    public override string StateFunction =>
        $"state() {{ case \" $({string.Join(' ', SupervisorClient.CommandWords("status", ServiceName, config).Select(Sh.Quote))} 2>&1) \" in *' RUNNING '*) echo running;; " +
        "*' STOPPED '*|*' EXITED '*) echo stopped;; *' STARTING '*|*' BACKOFF '*) echo starting;; *' STOPPING '*) echo stopping;; " +
        "*' FATAL '*) echo failed;; *) echo unknown;; esac; }";

    // stderr has its own log unless the program redirects it into stdout's: read both, keep what exists.
    public override string RecentFunction =>
        $"recent() {{ {{ {Ctl} tail {Sh.Quote(ServiceName)} stderr; {Ctl} tail {Sh.Quote(ServiceName)}; }} 2>&1 | grep -v 'ERROR (no log file)' | tail -n 5; }}";
}

internal sealed class SysvManager(string name) : ServiceManager(name)
{
    private string Script => $"/etc/init.d/{ServiceName}";

    public override string Kind => "sysv";

    // An init script may return before its daemon is up or gone: only the status tells.
    public override bool ExitTells => false;

    public override IReadOnlyList<string> CommandWords(ServiceAction action) => [Script, Verb(action)];

    // LSB: 0 running, 1-3 not running.
    public override string StateFunction =>
        $"state() {{ {Sh.Quote(Script)} status >/dev/null 2>&1; case $? in 0) echo running;; 1|2|3) echo stopped;; *) echo unknown;; esac; }}";
}
