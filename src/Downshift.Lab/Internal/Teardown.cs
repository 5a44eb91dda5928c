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
        var unshares = paths.ExistingHostNames()
            .Select(host => ReadPid(paths.UnsharePid(host)))
            .OfType<int>()
            .Where(pid => IsOurs(pid, "unshare", prefix))
            .ToList();
        // unshare --fork ignores SIGTERM while it waits; SIGKILL it and --kill-child ends the host's pid namespace.
        await Processes.SignalAsync(unshares, "KILL", cancellationToken);

        var namespaces = (await Run.CaptureAsync("ip", ["netns", "list"], cancellationToken)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => ns.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        var inNamespaces = await PidsInNamespacesAsync(namespaces, cancellationToken);
        await Processes.SignalAsync(inNamespaces, "KILL", cancellationToken);

        var pids = unshares.Concat(inNamespaces).ToList();
        if (state?.RepositoryServerPid is { } server && IsOurs(server, "http.server", state.Names.Gateway))
        {
            await Processes.SignalAsync([server], "TERM", cancellationToken);
            pids.Add(server);
        }

        var stubborn = await Processes.WaitGoneAsync(pids, TimeSpan.FromSeconds(5), cancellationToken);
        await Processes.SignalAsync(stubborn, "KILL", cancellationToken);
        await Processes.WaitGoneAsync(stubborn, TimeSpan.FromSeconds(5), cancellationToken);

        // Deleting a netns takes its veth pair with it (the kernel cleans up in batches, faster than one
        // `link del` per veth); then whatever is left of ds-NAME-* (the bridge, veths of a half-made host).
        if (namespaces.Count > 0)
        {
            await Run.CaptureAsync("ip", ["-force", "-batch", "-"], cancellationToken, standardInput: string.Concat(namespaces.Select(ns => $"netns del {ns}\n")));
        }

        var links = await WaitVethsGoneAsync(prefix, cancellationToken);
        if (links.Count > 0)
        {
            await Run.CaptureAsync("ip", ["-force", "-batch", "-"], cancellationToken, standardInput: string.Concat(links.Select(l => $"link del {l}\n")));
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

    /// <summary>
    /// Every PID whose network namespace is one of NAMESPACES (what <c>ip netns pids</c> says, for all
    /// of them in one pass over /proc): a process's /proc/PID/ns/net reads <c>net:[INODE]</c>.
    /// </summary>
    public static async Task<IReadOnlyList<int>> PidsInNamespacesAsync(IReadOnlyList<string> namespaces, CancellationToken cancellationToken)
    {
        if (namespaces.Count == 0)
        {
            return [];
        }

        var inodes = (await Run.CaptureAsync("stat", ["-L", "-c", "%i", .. namespaces.Select(ns => "/run/netns/" + ns)], cancellationToken)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(inode => $"net:[{inode.Trim()}]")
            .ToHashSet(StringComparer.Ordinal);
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Processes.NetworkNamespace(pid) is { } ns && inodes.Contains(ns))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>Waits (bounded) until the lab's veths are gone with their namespaces; returns the links left.</summary>
    private static async Task<IReadOnlyList<string>> WaitVethsGoneAsync(string prefix, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var links = await LinksAsync(prefix, cancellationToken);
            if (attempt >= 50 || links.All(l => l.EndsWith("br", StringComparison.Ordinal)))
            {
                return links;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

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
