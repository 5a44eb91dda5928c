namespace Downshift.Hosts;

/// <summary>Opens the transport to a host named in a plan.</summary>
public interface IHostConnector
{
    Task<IHostTransport> ConnectAsync(string host, CancellationToken cancellationToken);
}

/// <summary>Connects only to <c>local</c> (remote hosts arrive with SSH).</summary>
public sealed class LocalConnector(TimeProvider timeProvider) : IHostConnector
{
    public Task<IHostTransport> ConnectAsync(string host, CancellationToken cancellationToken) =>
        host == Plans.PlanDefaults.LocalHost
            ? Task.FromResult<IHostTransport>(new LocalTransport(timeProvider))
            : throw DownshiftException.HostUnreachable(host, "only 'local' is supported by this connector");
}
