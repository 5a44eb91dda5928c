using System.Globalization;
using Downshift.Hosts;

namespace Downshift.Lab.Internal;

/// <summary>
/// Brings one host up: its seed files (host key, authorized key, sshd/supervisor/apt/dnf settings), its
/// network namespace with a veth into the lab bridge, and its init (unshare → overlay root → supervisord).
/// </summary>
internal static class HostStarter
{
    public static async Task StartAsync(LabState state, LabPaths paths, int index, string repositoryUrl, CancellationToken cancellationToken)
    {
        var names = state.Names;
        var host = names.Host(index);
        var hostDirectory = paths.Host(host.Name);
        await WriteSeedAsync(paths, host, names.Gateway, repositoryUrl, cancellationToken);
        foreach (var sub in new[] { "upper", "work", "merged" })
        {
            Directory.CreateDirectory(Path.Combine(hostDirectory, sub));
        }

        await CreateNetworkAsync(names, index, cancellationToken);
        var init = HostRootText.InitScript(host.Name, names.Netns(index), state.LowerDirectory, hostDirectory);
        var command = $"ip netns exec {Sh.Quote(names.Netns(index))} unshare --mount --uts --pid --kill-child --propagation private /bin/sh -c {Sh.Quote(init)}";
        var pid = await Run.StartDetachedAsync(command, Path.Combine(hostDirectory, "init.log"), cancellationToken);
        await File.WriteAllTextAsync(paths.UnsharePid(host.Name), pid.ToString(CultureInfo.InvariantCulture) + "\n", cancellationToken);
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

    private static async Task CreateNetworkAsync(LabNames names, int index, CancellationToken cancellationToken)
    {
        var ns = names.Netns(index);
        var veth = names.Veth(index);
        await Run.CheckedAsync("ip", ["netns", "add", ns], cancellationToken);
        await Run.CheckedAsync("ip", ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns], cancellationToken);
        await Run.CheckedAsync("ip", ["link", "set", veth, "master", names.Bridge, "up"], cancellationToken);
        await Run.CheckedAsync("ip", ["-n", ns, "addr", "add", names.Address(index) + "/24", "dev", "eth0"], cancellationToken);
        await Run.CheckedAsync("ip", ["-n", ns, "link", "set", "eth0", "up"], cancellationToken);
        await Run.CheckedAsync("ip", ["-n", ns, "link", "set", "lo", "up"], cancellationToken);
    }
}
