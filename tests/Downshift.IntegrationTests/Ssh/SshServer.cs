using System.Net.Sockets;
using Downshift.Hosts;
using Downshift.Hosts.Ssh;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Ssh;

/// <summary>
/// A real OpenSSH server on 127.0.0.1 for one test class: <c>/usr/sbin/sshd -D -e</c> with its own
/// config, a fresh host key, and a client key in authorized_keys, all in a temp directory. Started and
/// stopped by PID. Logins are as root (the test runs as root), key only.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    private const string Sshd = "/usr/sbin/sshd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly TempDirectory directory = new("downshift-sshd-");
    private RunningProcess? process;

    private SshServer(int port) => Port = port;

    public int Port { get; }

    public string Address => "127.0.0.1";

    public string ClientKeyPath => directory.Combine("client_ed25519");

    public string HostKeyPath => directory.Combine("host_ed25519");

    /// <summary>A known_hosts file that pins this server's current host key.</summary>
    public string KnownHostsPath => directory.Combine("known_hosts");

    public string LogText => process?.Stderr ?? "";

    public HostEntry Host(string name = "box") => new(name) { Address = Address, Port = Port, User = "root", KeyFile = ClientKeyPath };

    public SshOptions Options(bool trustNew = false, string? knownHosts = null) => new()
    {
        KnownHostsPath = knownHosts ?? KnownHostsPath,
        TrustNewHostKeys = trustNew,
        ConnectRetries = 1,
        ConnectRetryDelay = TimeSpan.FromMilliseconds(200),
    };

    public static async Task<SshServer> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Sshd))
        {
            throw new InvalidOperationException($"{Sshd} is missing: install openssh-server (test.sh does)");
        }

        var server = new SshServer(Ports.GetFreeTcpPort());
        await server.GenerateKeyAsync(server.ClientKeyPath, cancellationToken);
        await server.RegenerateHostKeyAsync(cancellationToken);
        await File.WriteAllTextAsync(server.directory.Combine("authorized_keys"), await File.ReadAllTextAsync(server.ClientKeyPath + ".pub", cancellationToken), cancellationToken);
        await File.WriteAllTextAsync(server.directory.Combine("sshd_config"), $"""
            ListenAddress 127.0.0.1
            HostKey {server.HostKeyPath}
            PidFile none
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            AuthorizedKeysFile {server.directory.Combine("authorized_keys")}
            MaxSessions 200
            MaxStartups 100
            LogLevel VERBOSE

            """, cancellationToken);
        Directory.CreateDirectory("/run/sshd"); // sshd's privilege-separation directory
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>Replaces the host key (and the pinned known_hosts line) as a reinstalled host would; restart to serve it.</summary>
    public async Task RegenerateHostKeyAsync(CancellationToken cancellationToken, bool pin = true)
    {
        File.Delete(HostKeyPath);
        File.Delete(HostKeyPath + ".pub");
        await GenerateKeyAsync(HostKeyPath, cancellationToken);
        if (pin)
        {
            var fields = (await File.ReadAllTextAsync(HostKeyPath + ".pub", cancellationToken)).Split(' ');
            await File.WriteAllTextAsync(KnownHostsPath, $"[{Address}]:{Port} {fields[0]} {fields[1]}\n", cancellationToken);
        }
    }

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        await StartProcessAsync(cancellationToken);
    }

    /// <summary>PIDs of the per-connection sshd processes (children of the listener), which is one per open SSH connection.</summary>
    public async Task<IReadOnlyList<int>> SessionPidsAsync(CancellationToken cancellationToken)
    {
        var result = await CliRunner.RunProcessAsync("pgrep", ["-P", process!.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken: cancellationToken);
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    /// <summary>
    /// Waits until no connection is left open to the server: a previous test's transport is disposed,
    /// but sshd ends its per-connection process a moment later.
    /// </summary>
    public async Task WaitUntilIdleAsync(CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        while ((await SessionPidsAsync(bound.Token)).Count > 0 || await EstablishedConnectionsAsync(bound.Token) > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), bound.Token);
        }
    }

    /// <summary>Established TCP connections to the server's port, counted with <c>ss</c>.</summary>
    public async Task<int> EstablishedConnectionsAsync(CancellationToken cancellationToken)
    {
        var result = await CliRunner.RunProcessAsync("ss", ["-Htn", "state", "established", $"( sport = :{Port} )"], cancellationToken: cancellationToken);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        directory.Dispose();
    }

    private async Task StopAsync()
    {
        if (process is not null)
        {
            // The listener only: its per-connection children go with their connections.
            await process.KillAsync(Signal.Kill);
            await process.DisposeAsync();
            process = null;
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        // In a private mount namespace root's ~/.bashrc is an empty file: bash sources it for every SSH
        // command, and a controller's rc file (pyenv, conda) costs seconds per command. The host stays real.
        var start = $"[ -e /root/.bashrc ] && mount --bind /dev/null /root/.bashrc; exec {Sshd} -D -e -f {directory.Combine("sshd_config")} -p {Port}";
        process = await CliRunner.StartProcessAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", start], timeout: TimeSpan.FromMinutes(30));
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(Address, Port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"sshd did not listen on {Port}: {e.Message}\n{process.Stderr}", e);
            }
        }
    }

    private async Task GenerateKeyAsync(string path, CancellationToken cancellationToken)
    {
        var result = await CliRunner.RunProcessAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "downshift-test", "-f", path], cancellationToken: cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen failed: {result}");
        }
    }
}
