using Downshift.Fingerprints;
using Downshift.Hosts;
using Downshift.Hosts.Ssh;
using Downshift.IntegrationTests.Fleet;

namespace Downshift.IntegrationTests.Fingerprints;

/// <summary>
/// Two lab hosts with the shop's packages in their repository (h1 and h2 start the same), reached over
/// SSH by the real transport. h2 gets the shop (setup.sh --postgres) once, when a test first asks.
/// </summary>
public sealed class FingerprintLab : ShopLab
{
    private readonly Lock gate = new();
    private Task? shopOnH2;

    protected override int HostCount => 2;

    /// <summary>What the tests fingerprint: config paths, SUID files under /usr, the ssh init script.</summary>
    public static FingerprintSpec Spec { get; } = new()
    {
        Paths = ["/etc/ssh", "/etc/shopd", "/etc/supervisor/conf.d"],
        SuidDirectories = ["/usr"],
        Services = ["ssh"],
    };

    /// <summary>One fingerprint of HOST over its own SSH connection (strict host keys, the lab's key).</summary>
    public async Task<HostFingerprint> FingerprintAsync(string host, FingerprintSpec? spec = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var connector = new SshConnector(new SshOptions { KnownHostsPath = Lab.KnownHostsPath, KeyFile = Lab.PrivateKeyPath }, TimeProvider.System);
        await using var transport = await connector.ConnectAsync(new HostEntry(host) { Address = Lab.Host(host).Address }, ct).WaitAsync(Timeout, ct);
        return await new FingerprintCollector(TimeProvider.System).CollectAsync(transport, spec ?? Spec, ct).WaitAsync(Timeout, ct);
    }

    /// <summary>shopd 2.3.0 running on h2 with its orders in h2's PostgreSQL (once per lab).</summary>
    public Task ShopOnH2Async()
    {
        lock (gate)
        {
            return shopOnH2 ??= SetUpShopOnPostgresAsync("h2");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FingerprintLabCollection : ICollectionFixture<FingerprintLab>
{
    public const string Name = "fingerprint lab";
}
