namespace Downshift.Hosts;

/// <summary>
/// How a command reaches a host: the local machine now, SSH later. Every step talks to its host
/// only through this; file reads and writes are commands too (see <see cref="HostFiles"/>).
/// A command that exceeds its timeout is killed and throws a transient <see cref="DownshiftException"/>.
/// </summary>
public interface IHostTransport : IAsyncDisposable
{
    string HostName { get; }

    Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken);
}
