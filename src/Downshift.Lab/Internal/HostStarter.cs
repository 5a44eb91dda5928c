using System.Globalization;
using Downshift.Hosts;

namespace Downshift.Lab.Internal;

/// <summary>
/// Brings hosts up: its seed files (host key, authorized key, sshd/supervisor/apt/dnf settings), its
/// network namespace with a veth into the lab bridge, and its init (unshare → overlay root → supervisord).
/// </summary>
internal static class HostStarter
{
    /// <summary>Writes the host's seed files and directories (its own host key): safe to run for many hosts at once.</summary>
    public static async Task PrepareAsync(LabState state, LabPaths paths, int index, string repositoryUrl, CancellationToken cancellationToken)
    {
        var host = state.Names.Host(index);
        await WriteSeedAsync(paths, host, state.Names.Gateway, repositoryUrl, cancellationToken);
        foreach (var sub in new[] { "upper", "work", "merged" })
        {
            Directory.CreateDirectory(Path.Combine(paths.Host(host.Name), sub));
        }
    }

    /// <summary>
    /// Makes every host's netns and veth (one <c>ip -batch</c>: <c>ip netns add</c> is racy in parallel),
    /// then starts every host's init at once (one shell). Addresses inside a netns are set by the host's
    /// own init, in parallel. Records each unshare PID in hN/unshare.pid.
    /// </summary>
    public static async Task StartAllAsync(LabState state, LabPaths paths, CancellationToken cancellationToken)
    {
        var names = state.Names;
        var indexes = Enumerable.Range(1, state.Hosts).ToList();
        var batch = Path.Combine(paths.Directory, "network.batch");
        await File.WriteAllTextAsync(batch, HostRootText.NetworkBatch(names, indexes), cancellationToken);
        await Run.CheckedAsync("ip", ["-batch", batch], cancellationToken);
        var commands = indexes.Select(i =>
        {
            var host = names.Host(i);
            var init = HostRootText.InitScript(host, names.Netns(i), state.LowerDirectory, paths.Host(host.Name));
            var command = $"ip netns exec {Sh.Quote(names.Netns(i))} unshare --mount --uts --pid --kill-child --propagation private /bin/sh -c {Sh.Quote(init)}";
            return (command, Path.Combine(paths.Host(host.Name), "init.log"));
        }).ToList();
        var pids = await Run.StartDetachedAsync(commands, cancellationToken);
        foreach (var (i, pid) in indexes.Zip(pids))
        {
            await File.WriteAllTextAsync(paths.UnsharePid(LabNames.HostName(i)), pid.ToString(CultureInfo.InvariantCulture) + "\n", cancellationToken);
        }
    }

    /// <summary>The public half of the host key the seed holds (what known_hosts records).</summary>
    public static Task<string> HostPublicKeyAsync(LabPaths paths, string hostName, CancellationToken cancellationToken) =>
        File.ReadAllTextAsync(Path.Combine(paths.Seed(hostName), "ssh_host_ed25519_key.pub"), cancellationToken);

    private static async Task WriteSeedAsync(LabPaths paths, LabHost host, string gateway, string repositoryUrl, CancellationToken cancellationToken)
    {
        var seed = paths.Seed(host.Name);
        Directory.CreateDirectory(seed);
        var key = Path.Combine(seed, "ssh_host_ed25519_key");
        await Run.CheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", $"root@{host.Name}", "-f", key], cancellationToken);
        File.Copy(paths.PublicKey, Path.Combine(seed, "authorized_keys"), overwrite: true);
        var files = new Dictionary<string, string>
        {
            ["sshd-lab.conf"] = HostRootText.SshdConfig,
            ["supervisor-sshd.conf"] = HostRootText.SupervisorSshd,
            ["hostname"] = host.Name + "\n",
            ["hosts"] = HostRootText.Hosts(host, gateway),
            ["lab.list"] = HostRootText.AptSources(repositoryUrl),
            ["99lab-only"] = HostRootText.AptOnlyLab,
            ["lab.repo"] = HostRootText.YumRepo(repositoryUrl),
        };
        foreach (var (name, text) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(seed, name), text, cancellationToken);
        }
    }
}
