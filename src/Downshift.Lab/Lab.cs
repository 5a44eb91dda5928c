using Downshift.Lab.Internal;

namespace Downshift.Lab;

/// <summary>
/// Brings labs of isolated Debian hosts up and down on this machine (root, Linux namespaces, no
/// containers): each host has its own network namespace and address, its own overlay root (its own
/// dpkg and rpm databases), and sshd under supervisord as its first process. See docs/lab.md.
/// </summary>
public static class Lab
{
    public const int RepositoryPort = 8088;

    /// <summary>How long <see cref="UpAsync(LabOptions, IProgress{string}?, CancellationToken)"/> waits for every sshd's banner.</summary>
    public static readonly TimeSpan SshWaitLimit = TimeSpan.FromSeconds(30);

    /// <summary>Held while a lab picks its subnet and makes its bridge, so two labs never pick the same one.</summary>
    private const string NetworkLockPath = "/run/lock/downshift-lab-network.lock";

    public static Task<LabInstance> UpAsync(LabOptions options, CancellationToken cancellationToken) =>
        UpAsync(options, progress: null, cancellationToken);

    /// <summary>
    /// Brings up hosts h1..hN (building the cached rootfs first if needed, 2–3 minutes once) and returns
    /// when every host's sshd answers. A failed start takes down what it made. Refuses a lab that is up.
    /// </summary>
    public static async Task<LabInstance> UpAsync(LabOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw DownshiftException.InvalidState("invalid lab options: " + string.Join("; ", errors));
        }

        var report = progress ?? new Progress<string>();
        var paths = LabPaths.For(options.StateRoot, options.Name);
        if (AnyHostAlive(paths))
        {
            throw DownshiftException.InvalidState($"lab '{options.Name}' is already up (downshift lab down --name {options.Name})");
        }

        var prefix = new LabNames(options.Name, "0.0.0").Prefix;
        if (!File.Exists(LabState.PathIn(paths.Directory)) && (await Teardown.LinksAsync(prefix, cancellationToken)).Count > 0)
        {
            // Kernel names are machine-wide: these belong to a lab of this name in another state directory.
            throw DownshiftException.InvalidState(
                $"lab name '{options.Name}' is in use on this machine (interfaces {prefix}*, see 'ip link'), not by a lab in {options.StateRoot}; pick another name");
        }

        await Teardown.RunAsync(options.Name, paths, cancellationToken); // leftovers of a crashed lab of this name
        var lower = await RootfsCache.EnsureAsync(report, cancellationToken);
        try
        {
            var state = await CreateNetworkAsync(options, paths, lower, cancellationToken);
            await Run.CheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", $"downshift-lab-{options.Name}", "-f", paths.PrivateKey], cancellationToken);
            report.Report($"network {state.Names.Bridge} {state.Subnet}.0/24 ready");
            var url = RepositoryUrlFor(state.Names);
            var repositoryServer = StartRepositoryServerAsync(state, paths, cancellationToken); // meanwhile, the hosts start
            await Task.WhenAll(Enumerable.Range(1, options.Hosts).Select(i => HostStarter.PrepareAsync(state, paths, i, url, cancellationToken)));
            await HostStarter.StartAllAsync(state, paths, cancellationToken);
            report.Report($"{options.Hosts} host(s) started");
            state = await repositoryServer;
            report.Report($"repository server on {url}");

            var lab = new LabInstance(state, paths);
            await WriteClientFilesAsync(lab, paths, cancellationToken);
            report.Report($"waiting for {options.Hosts} sshd banner(s)");
            var silent = await SshBanner.WaitAllAsync(lab.Hosts, SshWaitLimit, cancellationToken);
            if (silent.Count > 0)
            {
                throw DownshiftException.InvalidState(
                    $"lab '{options.Name}': sshd did not answer within {SshWaitLimit.TotalSeconds:0} s on {string.Join(", ", silent.Select(h => h.Name))} " +
                    $"(see {paths.Directory}/hN/init.log)");
            }

            return lab;
        }
        catch
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await Teardown.RunAsync(options.Name, paths, cleanup.Token);
            throw;
        }
    }

    /// <summary>The lab of that name as its state files describe it, or null when there is none.</summary>
    public static async Task<LabInstance?> OpenAsync(string name, string stateRoot, CancellationToken cancellationToken)
    {
        var paths = LabPaths.For(stateRoot, name);
        var state = await LabState.ReadAsync(paths.Directory, cancellationToken);
        return state is null ? null : new LabInstance(state, paths);
    }

    /// <summary>
    /// Removes every process, mount, veth, netns, bridge and file of the lab. Works from the state files
    /// and the lab's names alone, so also after a crash; a lab that is not there is fine (idempotent).
    /// </summary>
    public static Task DownAsync(string name, string stateRoot, CancellationToken cancellationToken) =>
        LabOptions.IsValidName(name)
            ? Teardown.RunAsync(name, LabPaths.For(stateRoot, name), cancellationToken)
            : throw DownshiftException.InvalidState($"'{name}' is not a lab name");

    /// <summary>Each host of the lab: running or not, its init PID, process count, memory and link state.</summary>
    public static async Task<IReadOnlyList<LabHostStatus>> StatusAsync(string name, string stateRoot, CancellationToken cancellationToken)
    {
        var paths = LabPaths.For(stateRoot, name);
        var state = await LabState.ReadAsync(paths.Directory, cancellationToken);
        if (state is null)
        {
            return [];
        }

        var links = await Run.CaptureAsync("ip", ["-o", "link", "show"], cancellationToken);
        var result = new List<LabHostStatus>();
        for (var i = 1; i <= state.Hosts; i++)
        {
            var host = state.Names.Host(i);
            var unshare = Teardown.ReadPid(paths.UnsharePid(host.Name));
            var alive = unshare is { } u && Processes.IsAlive(u);
            var init = alive ? Processes.FirstChild(unshare!.Value) : null;
            var pids = alive ? await Teardown.NetnsPidsAsync(state.Names.Netns(i), cancellationToken) : [];
            var linkLine = links.Stdout.Split('\n').FirstOrDefault(l => l.Contains($" {state.Names.Veth(i)}@", StringComparison.Ordinal)) ?? "";
            var linkUp = linkLine.Contains(",UP", StringComparison.Ordinal) || linkLine.Contains("<UP", StringComparison.Ordinal);
            result.Add(new LabHostStatus(name, host, alive && init is not null, unshare, init, pids.Count, pids.Sum(Processes.RssKilobytes), linkUp));
        }

        return result;
    }

    internal static string RepositoryUrlFor(LabNames names) => $"http://{names.Gateway}:{RepositoryPort}";

    private static bool AnyHostAlive(LabPaths paths) =>
        paths.ExistingHostNames().Any(h => Teardown.ReadPid(paths.UnsharePid(h)) is { } pid && Processes.IsAlive(pid));

    /// <summary>Picks or checks the subnet, records the state, makes the bridge: under one machine-wide lock.</summary>
    private static async Task<LabState> CreateNetworkAsync(LabOptions options, LabPaths paths, string lower, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(NetworkLockPath)!);
        await using var networkLock = await FileLock.AcquireAsync(NetworkLockPath, onWait: null, cancellationToken);
        var addresses = await Run.CheckedAsync("ip", ["-4", "-o", "addr", "show"], cancellationToken);
        var subnet = options.Subnet ?? SubnetPicker.Pick(options.Name, addresses)
            ?? throw DownshiftException.InvalidState("no free 10.2xx.y.0/24 subnet for the lab");
        if (options.Subnet is not null && SubnetPicker.InUse(subnet, addresses))
        {
            throw DownshiftException.InvalidState($"subnet {subnet}.0/24 is already used on this machine (see 'ip -4 addr'); pick another or leave --subnet out");
        }

        Directory.CreateDirectory(paths.Directory);
        var repository = options.RepositoryDirectory is { } dir ? Path.GetFullPath(dir) : paths.DefaultRepository;
        var state = new LabState { Name = options.Name, Subnet = subnet, Hosts = options.Hosts, LowerDirectory = lower, RepositoryDirectory = repository };
        await state.WriteAsync(paths.Directory, cancellationToken);
        var names = state.Names;
        await Run.CheckedAsync("ip", ["link", "add", names.Bridge, "type", "bridge"], cancellationToken);
        await Run.CheckedAsync("ip", ["addr", "add", names.Gateway + "/24", "dev", names.Bridge], cancellationToken);
        await Run.CheckedAsync("ip", ["link", "set", names.Bridge, "up"], cancellationToken);
        return state;
    }

    private static async Task<LabState> StartRepositoryServerAsync(LabState state, LabPaths paths, CancellationToken cancellationToken)
    {
        if (state.RepositoryDirectory == paths.DefaultRepository)
        {
            await EmptyRepository.CreateAsync(paths.DefaultRepository, cancellationToken);
        }

        var command = $"/usr/bin/python3 -m http.server {RepositoryPort} --bind {state.Names.Gateway} --directory {Downshift.Hosts.Sh.Quote(state.RepositoryDirectory)}";
        var pid = await Run.StartDetachedAsync(command, paths.RepositoryLog, cancellationToken);
        state = state with { RepositoryServerPid = pid };
        await state.WriteAsync(paths.Directory, cancellationToken);
        var server = new LabHost("repository", state.Names.Gateway, RepositoryPort);
        if (!await PortOpen.WaitAsync(server, TimeSpan.FromSeconds(10), cancellationToken))
        {
            throw DownshiftException.InvalidState($"the repository server did not listen on {server.Address}:{server.Port} (see {paths.RepositoryLog})");
        }

        return state;
    }

    private static async Task WriteClientFilesAsync(LabInstance lab, LabPaths paths, CancellationToken cancellationToken)
    {
        var keys = new List<(LabHost, string)>();
        foreach (var host in lab.Hosts)
        {
            keys.Add((host, await HostStarter.HostPublicKeyAsync(paths, host.Name, cancellationToken)));
        }

        await File.WriteAllTextAsync(paths.KnownHosts, LabText.KnownHosts(keys), cancellationToken);
        await File.WriteAllTextAsync(paths.SshConfig, LabText.SshConfig(lab.Hosts, paths.PrivateKey, paths.KnownHosts), cancellationToken);
        await File.WriteAllTextAsync(paths.Inventory, LabText.Inventory(lab.Name, lab.Hosts, paths.PrivateKey, paths.KnownHosts), cancellationToken);
    }
}
