using System.Globalization;
using Downshift.Hosts;

namespace Downshift.Engine.Internal;

/// <summary>
/// One run per host: a lease file on the host, created atomically (noclobber). A lease whose
/// process is gone is stale; it is never taken over silently, because its run may have left the
/// host half-changed — the refusal says how to finish or clear it.
/// </summary>
internal sealed class HostLease(IHostTransport host, string stateDirectory, TimeProvider time)
{
    private string LeasePath => $"{stateDirectory}/lease";

    /// <summary>Returns null when acquired (or already ours), else the reason it is refused.</summary>
    /// <param name="command">For a holder that is not a run (<c>restore</c>): the command, written into the lease and named in refusals.</param>
    public async Task<string?> AcquireAsync(string runId, string controller, int processId, CancellationToken cancellationToken, string? command = null)
    {
        var content = $"run={runId} pid={processId} controller={controller} since={time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}" +
                      (command is null ? "" : $" command={command}");
        var file = Sh.Quote(LeasePath);
        var script = $"mkdir -p {Sh.Quote(stateDirectory)} && if ( set -C; printf '%s\\n' {Sh.Quote(content)} > {file} ) 2>/dev/null; " +
                     $"then echo ACQUIRED; else cat {file}; fi";
        var result = await host.RunCheckedAsync(script, cancellationToken, $"acquire lease {LeasePath}");
        var text = result.StdoutText.Trim();
        if (text == "ACQUIRED")
        {
            return null;
        }

        var holder = Parse(text);
        var sameController = holder.GetValueOrDefault("controller") == controller;
        var holderPid = int.TryParse(holder.GetValueOrDefault("pid"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : -1;
        var alive = !sameController || (holderPid != processId && ProcessAlive(holderPid));
        if (holder.GetValueOrDefault("run") == runId && alive && sameController)
        {
            return $"run {runId} is still running (pid {holderPid}); stop it first (Ctrl+C, or kill {holderPid})";
        }

        if (holder.GetValueOrDefault("run") == runId)
        {
            await host.RunCheckedAsync($"printf '%s\\n' {Sh.Quote(content)} > {file}", cancellationToken, $"renew lease {LeasePath}");
            return null;
        }

        var other = holder.GetValueOrDefault("run") ?? "?";
        if (holder.GetValueOrDefault("command") is { } by)
        {
            return alive
                ? $"host '{host.HostName}' is held by 'downshift {by}' (pid {holder.GetValueOrDefault("pid")} on {holder.GetValueOrDefault("controller")}, since {holder.GetValueOrDefault("since")}); wait for it to finish"
                : $"host '{host.HostName}' is held by 'downshift {by}', whose process (pid {holder.GetValueOrDefault("pid")}) is gone: what it was writing may be half-written. " +
                  $"Check the host by hand, then remove the lease ({LeasePath})";
        }

        return alive
            ? $"host '{host.HostName}' is held by run {other} (pid {holder.GetValueOrDefault("pid")} on {holder.GetValueOrDefault("controller")}, since {holder.GetValueOrDefault("since")}); wait for it to finish"
            : $"host '{host.HostName}' is held by run {other}, whose process (pid {holder.GetValueOrDefault("pid")}) is gone: the host may be half-changed. " +
              $"Finish that run with 'downshift resume {other}' or undo it with 'downshift rollback {other}'; " +
              $"once you have checked the host by hand, 'downshift unlock {other}' clears the lease ({LeasePath})";
    }

    public async Task ReleaseAsync(string runId, CancellationToken cancellationToken)
    {
        var file = Sh.Quote(LeasePath);
        await host.RunCheckedAsync(
            $"if grep -q {Sh.Quote($"run={runId} ")} {file} 2>/dev/null; then rm -f {file}; fi",
            cancellationToken,
            $"release lease {LeasePath}");
    }

    private static Dictionary<string, string> Parse(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0])
            .ToDictionary(g => g.Key, g => g.First()[1]);

    /// <summary>A process counts as alive when /proc has it and it is not a zombie.</summary>
    private static bool ProcessAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
