using Downshift.Hosts.Ssh.Internal;

namespace Downshift.Hosts.Ssh;

/// <summary>
/// Connects to the hosts of a plan: <c>local</c> through <see cref="LocalTransport"/>, every other host
/// through one <see cref="SshTransport"/> (one SSH connection per host, host key pinned in known_hosts).
/// Handshakes in progress at once are bounded by <see cref="SshOptions.ConnectConcurrency"/>.
/// </summary>
public sealed class SshConnector(SshOptions options, TimeProvider timeProvider) : IHostConnector, IDisposable
{
    private readonly SshClientOpener opener = new(options, timeProvider);

    public async Task<IHostTransport> ConnectAsync(HostEntry host, CancellationToken cancellationToken)
    {
        if (host.IsLocal)
        {
            return new LocalTransport(timeProvider);
        }

        var (client, trusted) = await opener.OpenAsync(host, cancellationToken);
        return new SshTransport(host, client, opener, timeProvider, trusted);
    }

    public void Dispose() => opener.Dispose();
}
