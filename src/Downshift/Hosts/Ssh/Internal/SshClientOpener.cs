using System.Net.Sockets;
using Polly;
using Polly.Retry;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Downshift.Hosts.Ssh.Internal;

/// <summary>
/// Opens authenticated SSH connections: at most <see cref="SshOptions.ConnectConcurrency"/> handshakes
/// at once, transient failures (refused, reset, timed out) retried by Polly, the host key checked
/// against known_hosts (TOFU appends it when allowed). A refused login or host key is never retried.
/// </summary>
internal sealed class SshClientOpener(SshOptions options, TimeProvider timeProvider) : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim gate = new(Math.Max(1, options.ConnectConcurrency));
    private readonly Lock knownHostsLock = new();

    /// <summary>known_hosts, read once for all hosts of a run; read again after a key was trusted on first use.</summary>
    private Task<KnownHosts>? knownHosts;

    private readonly ResiliencePipeline retry = options.ConnectRetries <= 0
        ? ResiliencePipeline.Empty
        : new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<DownshiftException>(e => e.IsTransient),
                MaxRetryAttempts = options.ConnectRetries,
                Delay = options.ConnectRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            })
            .Build();

    public SshOptions Options => options;

    /// <summary>A connected client, and the key it trusted on first use (or null).</summary>
    public async Task<(SshClient Client, HostKeyTrusted? Trusted)> OpenAsync(HostEntry host, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await retry.ExecuteAsync(async ct => await OpenOnceAsync(host, ct), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private async Task<(SshClient, HostKeyTrusted?)> OpenOnceAsync(HostEntry host, CancellationToken cancellationToken)
    {
        var knownHosts = await KnownHostsAsync().WaitAsync(cancellationToken);
        var user = host.User ?? options.User;
        var info = new ConnectionInfo(host.Address, host.Port, user, new PrivateKeyAuthenticationMethod(user, ReadKeys(host)))
        {
            Timeout = options.ConnectTimeout,
        };
        PreferKnownKeyTypes(info, knownHosts.KnownKeyTypes(host.Address, host.Port));
        DemoteSlowKeyExchanges(info);

        var client = new SshClient(info) { KeepAliveInterval = KeepAlive };
        HostKeyVerdict? verdict = null;
        byte[] offered = [];
        client.HostKeyReceived += (_, e) =>
        {
            offered = e.HostKey;
            verdict = knownHosts.Check(host.Address, host.Port, e.HostKey);
            e.CanTrust = verdict.Status == HostKeyStatus.Trusted
                || (verdict.Status == HostKeyStatus.Unknown && options.TrustNewHostKeys);
        };

        try
        {
            await client.ConnectAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw;
        }
        catch (Exception e)
        {
            client.Dispose();
            if (verdict is { Status: not HostKeyStatus.Trusted } refused && !(refused.Status == HostKeyStatus.Unknown && options.TrustNewHostKeys))
            {
                throw DownshiftException.HostKeyRejected(host.Name, HostKeyMessages.Refusal(host, refused, offered, knownHosts.Path));
            }

            throw Classify(host, user, e);
        }

        if (verdict?.Status != HostKeyStatus.Unknown)
        {
            return (client, null);
        }

        await KnownHostsWriter.AppendAsync(knownHosts.Path, KnownHosts.LineFor(host.Address, host.Port, offered), cancellationToken);
        lock (knownHostsLock)
        {
            this.knownHosts = null;
        }

        return (client, new HostKeyTrusted(host.Name, host.Address, host.Port, KnownHosts.KeyTypeOf(offered), KnownHosts.Fingerprint(offered), knownHosts.Path));
    }

    private Task<KnownHosts> KnownHostsAsync()
    {
        lock (knownHostsLock)
        {
            // Not the caller's token: the read is shared by every host's connect.
            return knownHosts is { IsFaulted: false, IsCanceled: false } loaded
                ? loaded
                : knownHosts = KnownHosts.LoadAsync(options.KnownHostsPath, CancellationToken.None);
        }
    }

    private IPrivateKeySource[] ReadKeys(HostEntry host)
    {
        var explicitKey = host.KeyFile ?? options.KeyFile;
        var files = explicitKey is not null ? [explicitKey] : SshDefaults.DefaultKeyFiles.Where(File.Exists).ToList();
        if (files.Count == 0)
        {
            throw DownshiftException.SshAuthenticationFailed(
                host.Name, $"no SSH key: neither {string.Join(" nor ", SshDefaults.DefaultKeyFiles)} exists (pass --ssh-key FILE or set the host's key)");
        }

        var keys = new List<IPrivateKeySource>();
        foreach (var file in files)
        {
            try
            {
                keys.Add(options.KeyPassphrase is { Length: > 0 } passphrase ? new PrivateKeyFile(file, passphrase) : new PrivateKeyFile(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException or ArgumentException or InvalidOperationException or NotSupportedException)
            {
                throw DownshiftException.SshAuthenticationFailed(
                    host.Name, $"cannot read the key {file}: {e.Message} (an encrypted key needs ${SshDefaults.PassphraseVariable})", e);
            }
        }

        return [.. keys];
    }

    /// <summary>Like OpenSSH: offer first the key types known_hosts holds for the host, so a known host shows a known key.</summary>
    private static void PreferKnownKeyTypes(ConnectionInfo info, IReadOnlyList<string> knownTypes)
    {
        if (knownTypes.Count == 0)
        {
            return;
        }

        var preferred = knownTypes.SelectMany(t => t == "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : new[] { t }).ToList();
        var all = info.HostKeyAlgorithms.ToList();
        var ordered = all.OrderBy(a => preferred.IndexOf(a.Key) is var i and >= 0 ? i : int.MaxValue).ToList();
        info.HostKeyAlgorithms.Clear();
        foreach (var (name, factory) in ordered)
        {
            info.HostKeyAlgorithms.Add(name, factory);
        }
    }

    /// <summary>
    /// SSH.NET offers sntrup761x25519 before curve25519, and OpenSSH 9.0–9.8 servers (Debian 12's 9.2)
    /// pick it; its managed implementation costs the controller about half its CPU per handshake (20
    /// hosts: 2.4 s → 1.2 s of CPU, measured on the lab). It goes after curve25519; mlkem768x25519 (post-quantum
    /// too, cheap, OpenSSH ≥ 9.9) stays first, so newer servers still get a post-quantum exchange.
    /// </summary>
    internal static void DemoteSlowKeyExchanges(ConnectionInfo info)
    {
        var all = info.KeyExchangeAlgorithms.ToList();
        var ordered = all.Where(a => !IsSlow(a.Key)).ToList();
        var after = ordered.FindLastIndex(a => a.Key.StartsWith("curve25519-sha256", StringComparison.Ordinal)) + 1;
        ordered.InsertRange(after, all.Where(a => IsSlow(a.Key)));
        info.KeyExchangeAlgorithms.Clear();
        foreach (var (name, factory) in ordered)
        {
            info.KeyExchangeAlgorithms.Add(name, factory);
        }

        static bool IsSlow(string name) => name.StartsWith("sntrup761", StringComparison.Ordinal);
    }

    private static DownshiftException Classify(HostEntry host, string user, Exception e) => e switch
    {
        DownshiftException known => known,
        SshAuthenticationException => DownshiftException.SshAuthenticationFailed(host.Name, $"{e.Message} (user '{user}', key authentication)", e),
        SocketException or SshConnectionException or SshOperationTimeoutException or ProxyException or IOException or TimeoutException or OperationCanceledException =>
            DownshiftException.HostUnreachable(host.Name, $"{host.Address}:{host.Port}: {e.Message}", e),
        _ => DownshiftException.HostUnreachable(host.Name, $"{host.Address}:{host.Port}: {e.GetType().Name}: {e.Message}", e),
    };
}
