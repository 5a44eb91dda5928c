using System.Globalization;
using Downshift.Hosts;

namespace Downshift.Steps.Service.Internal;

/// <summary>
/// The one bash script a service step sends per read or action, so each costs one remote command:
/// pick the manager (auto-detection included), run the action, wait for its state and port on the
/// host, and print a report (<see cref="ServiceReport"/>) with the recent log when it failed.
/// </summary>
internal static class ServiceScript
{
    /// <summary>Reads the state (and, when <paramref name="probePort"/>, whether the port accepts connections while it runs).</summary>
    public static string Status(ServiceOptions options, ServiceManager? manager, bool probePort) =>
        Select(options, manager, action: null) +
        "s=$(state); echo \"state=$s\"\n" +
        (probePort && options.Port is { } port
            ? PortFunction(port) + "if [ \"$s\" = running ]; then if port_open; then echo port=open; else echo port=closed; fi; fi\n"
            : "");

    /// <summary>
    /// Runs the action under <c>timeout WAIT</c> and waits on the host until the state is the wanted
    /// one (and the port accepts connections), a start failed, or <c>wait</c> ran out. The status is
    /// read only when the command's exit does not already tell; while waiting for the port, once a second.
    /// </summary>
    public static string Action(ServiceOptions options, ServiceManager? manager, ServiceAction action)
    {
        var want = action == ServiceAction.Stop ? "stopped" : "running";
        var probePort = want == "running" && options.Port is not null;
        var wait = options.Wait.TotalSeconds;
        var polls = (int)Math.Round(1 / ServiceDefaults.PollInterval.TotalSeconds);
        return Select(options, manager, action) +
               // A monotonic clock in milliseconds (uptime's hundredths, no fork, any bash): bash's SECONDS counts
               // whole seconds, so a 2 s wait could end after 1.1 s.
               "tick() { local u; read -r u _ </proc/uptime; u=${u/./}; ms=$((10#$u * 10)); }\n" +
               $"want={want}; tick; end=$((ms + {Math.Ceiling(options.Wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}))\n" +
               (probePort ? PortFunction(options.Port!.Value) : "") +
               "reached() { case $want:$1 in running:running|stopped:stopped|stopped:failed) return 0;; *) return 1;; esac; }\n" +
               $"out=$(timeout {wait.ToString("0.###", CultureInfo.InvariantCulture)} \"${{cmd[@]}}\" 2>&1); rc=$?\n" +
               "if [ $rc -eq 0 ] && [ $exit_tells = 1 ]; then s=$want; else s=$(state); fi\n" +
               "p=; i=0\n" +
               "while :; do\n" +
               (probePort
                   ? "  if reached \"$s\"; then if port_open; then p=open; break; fi; p=closed\n"
                   : "  if reached \"$s\"; then break\n") +
               // A start has failed for good: failed state, a failing command with nothing under way, or run-then-exited.
               "  elif [ $want = running ] && { [ \"$s\" = failed ] || { [ $rc -ne 0 ] && [ \"$s\" != starting ] && [ \"$s\" != stopping ]; } " +
               "|| { [ $exit_tells = 1 ] && [ $rc -eq 0 ] && [ \"$s\" = stopped ]; }; }; then break\n" +
               "  elif [ $rc -ne 0 ] && [ \"$s\" = unknown ]; then break\n" +
               "  fi\n" +
               "  tick; [ $ms -lt $end ] || break\n" +
               $"  sleep {ServiceDefaults.PollInterval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}; i=$((i + 1))\n" +
               $"  if ! reached \"$s\" || [ $((i % {polls})) -eq 0 ]; then s=$(state); fi\n" +
               "done\n" +
               "echo \"exit=$rc\"; echo \"state=$s\"; if [ -n \"$p\" ]; then echo \"port=$p\"; fi\n" +
               $"echo {ServiceReport.OutputMarker}; printf '%s\\n' \"$out\"\n" +
               $"if ! reached \"$s\" || [ \"$p\" = closed ]; then echo {ServiceReport.LogMarker}; recent; fi\n";
    }

    /// <summary>What the journal shows for an action's script.</summary>
    public static string Display(ServiceOptions options, ServiceManager? manager, ServiceAction action) =>
        (manager?.Command(action) ?? $"{action.ToString().ToLowerInvariant()} {options.Name} (manager detected on the host)") +
        $"; wait up to {options.Wait.TotalSeconds:0.###}s until it is {(action == ServiceAction.Stop ? "stopped" : "running")}" +
        (action != ServiceAction.Stop && options.Port is { } port ? $" and port {port} accepts connections" : "");

    /// <summary>Sets <c>m</c> and the manager's functions (<c>state</c>, <c>recent</c>, <c>cmd</c>, <c>exit_tells</c>); detects the manager when not known yet.</summary>
    private static string Select(ServiceOptions options, ServiceManager? manager, ServiceAction? action)
    {
        var candidates = manager is null
            ? ServiceManager.Kinds.Select(kind => ServiceManager.For(kind, options)!).ToList()
            : [manager];
        var arms = candidates.Select(c =>
            $"  {c.Kind}) {c.StateFunction}\n    {c.RecentFunction}\n    exit_tells={(c.ExitTells ? 1 : 0)}" +
            (action is { } a ? $"; cmd=({string.Join(' ', c.CommandWords(a).Select(Sh.Quote))})" : "") + ";;\n");
        return (manager is null ? $"m=$({ServiceManager.DetectScript(options.Name)})\n" : $"m={manager.Kind}\n") +
               "case $m in\n" + string.Concat(arms) + "  *) echo manager=none; exit 0;;\nesac\n" +
               "echo \"manager=$m\"\n";
    }

    // A bash redirection to /dev/tcp in a subshell: no extra process to exec per probe.
    private static string PortFunction(int port) =>
        $"port_open() {{ (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; }}\n";
}
