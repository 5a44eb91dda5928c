using Downshift.Engine.Internal;
using Downshift.Hosts;

namespace Downshift.Engine;

/// <summary>
/// The host lease for a command that changes a host outside a run (<c>downshift restore</c> into a
/// database): the same lease file runs take, so it never writes under a run (or another restore) on
/// that host, and a run started meanwhile is refused until it is done. Disposing gives it back.
/// </summary>
public sealed class CommandLease : IAsyncDisposable
{
    private readonly HostLease lease;
    private readonly string holder;

    private CommandLease(HostLease lease, string holder)
    {
        this.lease = lease;
        this.holder = holder;
    }

    /// <summary>The lease in <paramref name="stateDirectory"/> on the host (where runs keep theirs), or the reason it is refused.</summary>
    public static async Task<(CommandLease? Lease, string? Refusal)> AcquireAsync(
        IHostTransport host, string command, string stateDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(time);
        var holder = $"{command}-{time.GetUtcNow():yyyyMMddTHHmmssZ}-{Environment.ProcessId}";
        var lease = new HostLease(host, stateDirectory, time);
        var refusal = await lease.AcquireAsync(holder, Environment.MachineName, Environment.ProcessId, cancellationToken, command);
        return refusal is null ? (new CommandLease(lease, holder), null) : (null, refusal);
    }

    public async ValueTask DisposeAsync() => await lease.ReleaseAsync(holder, CancellationToken.None);
}
