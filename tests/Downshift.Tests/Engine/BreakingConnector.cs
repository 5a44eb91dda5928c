using Downshift.Hosts;

namespace Downshift.Tests.Engine;

/// <summary>
/// For unit tests of the engine's lease handling: bash on this machine, except that a command whose
/// script contains <c>breaksOn</c> fails as on a host that stopped answering — before it runs, or
/// (<c>runFirst</c>) after it took effect, as when the answer is lost. Counts the transports disposed.
/// </summary>
internal sealed class BreakingConnector(string breaksOn, bool runFirst = false) : IHostConnector
{
    private int disposed;

    private string BreaksOn => breaksOn;

    private bool RunFirst => runFirst;

    public int Disposed => Volatile.Read(ref disposed);

    public Task<IHostTransport> ConnectAsync(HostEntry host, CancellationToken cancellationToken) =>
        Task.FromResult<IHostTransport>(new Breaking(this, host.Name, new LocalTransport(TimeProvider.System)));

    private sealed class Breaking(BreakingConnector owner, string name, LocalTransport inner) : IHostTransport
    {
        public string HostName => name;

        public async Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
        {
            if (!command.Script.Contains(owner.BreaksOn, StringComparison.Ordinal))
            {
                return await inner.RunAsync(command, cancellationToken);
            }

            if (owner.RunFirst)
            {
                await inner.RunAsync(command, cancellationToken);
            }

            throw DownshiftException.HostUnreachable(name, "the test broke the network");
        }

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref owner.disposed);
            return inner.DisposeAsync();
        }
    }
}
