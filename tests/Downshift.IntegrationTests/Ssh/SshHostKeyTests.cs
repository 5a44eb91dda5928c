using Downshift.Hosts;
using Downshift.Hosts.Ssh;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Ssh;

/// <summary>Host key pinning, TOFU and refusals against a real sshd (each test has its own server).</summary>
public sealed class SshHostKeyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectAsync_UnknownHostKey_IsRefusedWithItsFingerprint()
    {
        // Given a server whose key is not in the (empty) known_hosts file
        await using var server = await SshServer.StartAsync(Ct);
        var knownHosts = server.KnownHostsPath + ".empty";
        using var connector = new SshConnector(server.Options(knownHosts: knownHosts), TimeProvider.System);

        // When the controller connects without --trust-new-host-keys
        var error = await Assert.ThrowsAsync<DownshiftException>(() => connector.ConnectAsync(server.Host("web1"), Ct).WaitAsync(Bound, Ct));

        // Then it is refused for good, naming the host, the key type, the fingerprint and the way out
        Assert.False(error.IsTransient);
        Assert.Contains("web1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"ssh-ed25519 {await FingerprintAsync(server)}", error.Message, StringComparison.Ordinal);
        Assert.Contains("--trust-new-host-keys", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(knownHosts));
    }

    [Fact]
    public async Task ConnectAsync_TrustNewHostKeys_PinsTheKeyAndReportsIt()
    {
        // Given an unknown server and TOFU
        await using var server = await SshServer.StartAsync(Ct);
        var knownHosts = server.KnownHostsPath + ".tofu";
        using var connector = new SshConnector(server.Options(trustNew: true, knownHosts: knownHosts), TimeProvider.System);

        // When the controller connects
        await using (var host = await connector.ConnectAsync(server.Host("web1"), Ct).WaitAsync(Bound, Ct))
        {
            // Then the key is reported for the journal and written to known_hosts
            var trusted = Assert.IsAssignableFrom<IHostKeyTrustReport>(host).NewlyTrustedKey;
            Assert.NotNull(trusted);
            Assert.Equal(await FingerprintAsync(server), trusted.Fingerprint);
            Assert.Equal($"[127.0.0.1]:{server.Port} ssh-ed25519 ", (await File.ReadAllTextAsync(knownHosts, Ct))[..($"[127.0.0.1]:{server.Port} ssh-ed25519 ".Length)]);
        }

        // And a later connection without TOFU finds the key pinned
        using var strict = new SshConnector(server.Options(knownHosts: knownHosts), TimeProvider.System);
        await using var again = await strict.ConnectAsync(server.Host("web1"), Ct).WaitAsync(Bound, Ct);
        Assert.Null(((IHostKeyTrustReport)again).NewlyTrustedKey);
        Assert.Equal(0, (await again.RunAsync(new HostCommand("true"), Ct)).ExitCode);
    }

    [Fact]
    public async Task ConnectAsync_ChangedHostKey_IsRefusedEvenWithTrustNewHostKeys()
    {
        // Given a pinned server that then gets a new host key (as after a reinstall)
        await using var server = await SshServer.StartAsync(Ct);
        var known = await FingerprintAsync(server);
        await server.RegenerateHostKeyAsync(Ct, pin: false);
        await server.RestartAsync(Ct);
        var before = await File.ReadAllTextAsync(server.KnownHostsPath, Ct);
        using var connector = new SshConnector(server.Options(trustNew: true), TimeProvider.System);

        // When the controller connects, even with TOFU on
        var error = await Assert.ThrowsAsync<DownshiftException>(() => connector.ConnectAsync(server.Host("h2"), Ct).WaitAsync(Bound, Ct));

        // Then it is refused like OpenSSH does: both fingerprints, the line to remove; known_hosts unchanged
        Assert.False(error.IsTransient);
        Assert.Contains($"the host key of h2 (127.0.0.1:{server.Port}) changed: known ssh-ed25519 {known}, offered ssh-ed25519 {await FingerprintAsync(server)}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"remove line 1 of {server.KnownHostsPath}", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(server.KnownHostsPath, Ct));
    }

    [Fact]
    public async Task ConnectAsync_HashedKnownHostsEntry_IsTrusted()
    {
        // Given a known_hosts file hashed by ssh-keygen -H
        await using var server = await SshServer.StartAsync(Ct);
        var hashed = await CliRunner.RunProcessAsync("ssh-keygen", ["-H", "-f", server.KnownHostsPath], cancellationToken: Ct);
        Assert.True(hashed.ExitCode == 0, hashed.ToString());
        Assert.StartsWith("|1|", await File.ReadAllTextAsync(server.KnownHostsPath, Ct), StringComparison.Ordinal);
        using var connector = new SshConnector(server.Options(), TimeProvider.System);

        // When the controller connects, Then the hashed line pins the key
        await using var host = await connector.ConnectAsync(server.Host(), Ct).WaitAsync(Bound, Ct);
        Assert.Equal("ok\n", (await host.RunAsync(new HostCommand("echo ok"), Ct)).StdoutText);
    }

    [Fact]
    public async Task ConnectAsync_RevokedKey_IsRefused()
    {
        // Given the server's key marked @revoked
        await using var server = await SshServer.StartAsync(Ct);
        await File.WriteAllTextAsync(server.KnownHostsPath, "@revoked " + await File.ReadAllTextAsync(server.KnownHostsPath, Ct), Ct);
        using var connector = new SshConnector(server.Options(trustNew: true), TimeProvider.System);

        var error = await Assert.ThrowsAsync<DownshiftException>(() => connector.ConnectAsync(server.Host(), Ct).WaitAsync(Bound, Ct));

        Assert.False(error.IsTransient);
        Assert.Contains("revoked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_WrongKey_FailsAuthenticationWithoutRetry()
    {
        // Given a client key the server does not authorize
        await using var server = await SshServer.StartAsync(Ct);
        using var temp = new TempDirectory();
        var stranger = temp.Combine("stranger");
        await CliRunner.RunProcessAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger], cancellationToken: Ct);
        using var connector = new SshConnector(server.Options(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<DownshiftException>(() => connector.ConnectAsync(server.Host() with { KeyFile = stranger }, Ct).WaitAsync(Bound, Ct));

        Assert.False(error.IsTransient);
        Assert.Contains("refused the login", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_IsTransientHostUnreachable()
    {
        // Given a port nobody listens on
        await using var server = await SshServer.StartAsync(Ct);
        using var connector = new SshConnector(server.Options(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<DownshiftException>(() =>
            connector.ConnectAsync(server.Host() with { Port = Ports.GetFreeTcpPort() }, Ct).WaitAsync(Bound, Ct));

        Assert.True(error.IsTransient);
        Assert.Contains("cannot be reached", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> FingerprintAsync(SshServer server)
    {
        var result = await CliRunner.RunProcessAsync("ssh-keygen", ["-l", "-f", server.HostKeyPath + ".pub"], cancellationToken: Ct);
        return result.Stdout.Split(' ')[1];
    }
}
