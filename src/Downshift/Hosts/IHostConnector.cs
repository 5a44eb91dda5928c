namespace Downshift.Hosts;

/// <summary>Opens the transport to a host named in a plan.</summary>
public interface IHostConnector
{
    Task<IHostTransport> ConnectAsync(HostEntry host, CancellationToken cancellationToken);
}

/// <summary>Connects only to <c>local</c>.</summary>
public sealed class LocalConnector(TimeProvider timeProvider) : IHostConnector
{
    public Task<IHostTransport> ConnectAsync(HostEntry host, CancellationToken cancellationToken) =>
        host.IsLocal
            ? Task.FromResult<IHostTransport>(new LocalTransport(timeProvider))
            : throw DownshiftException.HostUnreachable(host.Name, "only 'local' is supported by this connector");
}
