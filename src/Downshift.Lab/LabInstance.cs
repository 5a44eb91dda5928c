using System.Globalization;
using Downshift.Lab.Internal;

namespace Downshift.Lab;

/// <summary>
/// A lab that is up: its hosts and the files a client needs to reach them (inventory, known_hosts, key,
/// ssh_config). Disposing it takes the lab down. Made by <c>Lab.UpAsync</c> or <see cref="Lab.OpenAsync"/>.
/// </summary>
public sealed class LabInstance : IAsyncDisposable
{
    private readonly LabState state;
    private readonly LabPaths paths;

    internal LabInstance(LabState state, LabPaths paths)
    {
        this.state = state;
        this.paths = paths;
        Hosts = Enumerable.Range(1, state.Hosts).Select(state.Names.Host).ToList();
    }

    public string Name => state.Name;

    /// <summary>The lab's state directory (STATE_ROOT/NAME).</summary>
    public string Directory => paths.Directory;

    /// <summary>First three octets of the lab's /24 (the bridge is .1, host i is .(10+i)).</summary>
    public string Subnet => state.Subnet;

    public IReadOnlyList<LabHost> Hosts { get; }

    /// <summary>Ansible INI inventory: group [lab] with every host.</summary>
    public string InventoryPath => paths.Inventory;

    /// <summary>Every host's ed25519 host key, by address and by name.</summary>
    public string KnownHostsPath => paths.KnownHosts;

    /// <summary>ed25519, no passphrase; authorized for root and for <c>deploy</c> on every host.</summary>
    public string PrivateKeyPath => paths.PrivateKey;

    /// <summary>For <c>ssh -F</c> and Ansible: strict host keys against <see cref="KnownHostsPath"/>, batch mode.</summary>
    public string SshConfigPath => paths.SshConfig;

    /// <summary>The directory served to the hosts at <see cref="RepositoryUrl"/> (deb/ and rpm/).</summary>
    public string RepositoryDirectory => state.RepositoryDirectory;

    /// <summary>http://SUBNET.1:8088 — apt uses RepositoryUrl/deb, dnf RepositoryUrl/rpm.</summary>
    public string RepositoryUrl => Lab.RepositoryUrlFor(state.Names);

    /// <summary>The user with passwordless sudo on every host.</summary>
    public const string DeployUser = "deploy";

    public LabHost Host(string name) =>
        Hosts.FirstOrDefault(h => h.Name == name)
        ?? throw DownshiftException.InvalidState($"lab '{Name}' has no host '{name}' (it has h1..h{Hosts.Count})");

    /// <summary>
    /// Runs <c>bash -c SCRIPT</c> inside the host without SSH (nsenter into its namespaces and root, a
    /// clean environment), to check or set up state on the host itself.
    /// </summary>
    public async Task<LabExecResult> ExecAsync(string host, string script, CancellationToken cancellationToken)
    {
        var init = InitPid(Host(host).Name);
        var result = await Run.CaptureAsync(
            "nsenter",
            [
                "-t", init.ToString(CultureInfo.InvariantCulture), "-m", "-u", "-n", "-p", "-r", "-w", "--",
                "/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/root", "LANG=C.UTF-8", "TERM=dumb", "DEBIAN_FRONTEND=noninteractive", "/bin/bash", "-c", script,
            ],
            cancellationToken);
        return new LabExecResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>Sets the bridge end of the host's veth down or up: down cuts the host off the network mid-run.</summary>
    public Task SetLinkAsync(string host, bool up, CancellationToken cancellationToken) =>
        Run.CheckedAsync("ip", ["link", "set", state.Names.Veth(LabNames.IndexOf(Host(host).Name)!.Value), up ? "up" : "down"], cancellationToken);

    /// <summary>Restarts the host's sshd (under its supervisord).</summary>
    public async Task RestartSshdAsync(string host, CancellationToken cancellationToken)
    {
        await CheckedExecAsync(host, "supervisorctl restart sshd", cancellationToken);
        await WaitSshAsync(host, cancellationToken);
    }

    /// <summary>
    /// Gives the host a new host key and restarts its sshd; <see cref="KnownHostsPath"/> keeps the old
    /// one, so a strict client now refuses the host. Returns the new public key line.
    /// </summary>
    public async Task<string> RegenerateHostKeyAsync(string host, CancellationToken cancellationToken)
    {
        await CheckedExecAsync(
            host,
            $"rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub && ssh-keygen -q -t ed25519 -N '' -C root@{Host(host).Name} -f /etc/ssh/ssh_host_ed25519_key",
            cancellationToken);
        await RestartSshdAsync(host, cancellationToken);
        return (await CheckedExecAsync(host, "cat /etc/ssh/ssh_host_ed25519_key.pub", cancellationToken)).Trim();
    }

    public Task<IReadOnlyList<LabHostStatus>> StatusAsync(CancellationToken cancellationToken) =>
        Lab.StatusAsync(Name, Path.GetDirectoryName(Directory)!, cancellationToken);

    /// <summary>Takes the lab down (see <see cref="Lab.DownAsync"/>).</summary>
    public Task DownAsync(CancellationToken cancellationToken) =>
        Lab.DownAsync(Name, Path.GetDirectoryName(Directory)!, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await DownAsync(limit.Token);
    }

    private async Task<string> CheckedExecAsync(string host, string script, CancellationToken cancellationToken)
    {
        var result = await ExecAsync(host, script, cancellationToken);
        return result.Succeeded
            ? result.Stdout
            : throw DownshiftException.InvalidState($"on lab host '{host}': '{script}' failed (exit {result.ExitCode}): {result.Output.Trim()}");
    }

    private async Task WaitSshAsync(string host, CancellationToken cancellationToken)
    {
        var silent = await SshBanner.WaitAllAsync([Host(host)], TimeSpan.FromSeconds(15), cancellationToken);
        if (silent.Count > 0)
        {
            throw DownshiftException.InvalidState($"sshd on lab host '{host}' did not answer within 15 s");
        }
    }

    private int InitPid(string host)
    {
        var unshare = Teardown.ReadPid(paths.UnsharePid(host));
        return unshare is { } pid && Processes.IsAlive(pid) && Processes.FirstChild(pid) is { } init
            ? init
            : throw DownshiftException.InvalidState($"lab host '{host}' is not running (see {Path.Combine(paths.Host(host), "init.log")})");
    }
}
