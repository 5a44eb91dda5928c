using System.Globalization;

namespace Downshift.Lab.Internal;

/// <summary>
/// Removes every trace of one lab, from its state files and its names alone (so it works after a crash,
/// and twice): host inits by their unshare PID, what is left in its netns, its veths, netns and bridge,
/// its HTTP repository server, leaked mounts, and its directory. Touches only objects named ds-NAME-*.
/// </summary>
internal static class Teardown
{
    public static async Task RunAsync(string name, LabPaths paths, CancellationToken cancellationToken)
    {
        var state = await LabState.ReadAsync(paths.Directory, cancellationToken);
        var prefix = new LabNames(name, "0.0.0").Prefix;
        var pids = new List<int>();

        foreach (var host in paths.ExistingHostNames())
        {
            if (ReadPid(paths.UnsharePid(host)) is { } pid && IsOurs(pid, "unshare", prefix))
            {
                // unshare --fork ignores SIGTERM while it waits; SIGKILL it and --kill-child ends the host's pid namespace.
                await Processes.SignalAsync(pid, "KILL", cancellationToken);
                pids.Add(pid);
            }
        }

        var namespaces = (await Run.CaptureAsync("ip", ["netns", "list"], cancellationToken)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => ns.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        foreach (var ns in namespaces)
        {
            foreach (var pid in await NetnsPidsAsync(ns, cancellationToken))
            {
                await Processes.SignalAsync(pid, "KILL", cancellationToken);
                pids.Add(pid);
            }
        }

        if (state?.RepositoryServerPid is { } server && IsOurs(server, "http.server", state.Names.Gateway))
        {
            await Processes.SignalAsync(server, "TERM", cancellationToken);
            pids.Add(server);
        }

        var stubborn = await Processes.WaitGoneAsync(pids, TimeSpan.FromSeconds(5), cancellationToken);
        foreach (var pid in stubborn)
        {
            await Processes.SignalAsync(pid, "KILL", cancellationToken);
        }

        await Processes.WaitGoneAsync(stubborn, TimeSpan.FromSeconds(5), cancellationToken);

        foreach (var link in await LinksAsync(prefix, cancellationToken))
        {
            await Run.CaptureAsync("ip", ["link", "del", link], cancellationToken);
        }

        foreach (var ns in namespaces)
        {
            await Run.CaptureAsync("ip", ["netns", "del", ns], cancellationToken);
        }

        await UnmountLeftoversAsync(paths.Directory, cancellationToken);
        if (Directory.Exists(paths.Directory))
        {
            await Run.CheckedAsync("rm", ["-rf", "--one-file-system", paths.Directory], cancellationToken);
        }
    }

    public static int? ReadPid(string path) =>
        File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    public static async Task<IReadOnlyList<int>> NetnsPidsAsync(string ns, CancellationToken cancellationToken) =>
        (await Run.CaptureAsync("ip", ["netns", "pids", ns], cancellationToken)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>Interface names (in this namespace) that start with PREFIX.</summary>
    public static async Task<IReadOnlyList<string>> LinksAsync(string prefix, CancellationToken cancellationToken) =>
        (await Run.CaptureAsync("ip", ["-o", "link", "show"], cancellationToken)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 3) is [_, var ifname, _] ? ifname.Trim().Split('@')[0] : "")
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(n => n.EndsWith("br", StringComparison.Ordinal)) // veths first, the bridge last
            .ToList();

    /// <summary>A PID from a state file is ours only if it is still that program for this lab (PIDs are reused).</summary>
    private static bool IsOurs(int pid, string program, string marker)
    {
        var commandLine = Processes.CommandLine(pid);
        return Processes.IsAlive(pid) && commandLine.Contains(program, StringComparison.Ordinal) && commandLine.Contains(marker, StringComparison.Ordinal);
    }

    private static async Task UnmountLeftoversAsync(string directory, CancellationToken cancellationToken)
    {
        var mounts = (await File.ReadAllLinesAsync("/proc/mounts", cancellationToken))
            .Select(line => line.Split(' ')[1])
            .Where(target => target == directory || target.StartsWith(directory + "/", StringComparison.Ordinal))
            .OrderByDescending(target => target.Length);
        foreach (var target in mounts)
        {
            await Run.CaptureAsync("umount", ["-l", target], cancellationToken);
        }
    }
}
