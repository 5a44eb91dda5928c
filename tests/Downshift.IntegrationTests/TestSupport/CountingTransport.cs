using Downshift.Hosts;

namespace Downshift.IntegrationTests.TestSupport;

/// <summary>A real transport that also counts the commands sent through it (one per sshd channel + bash on a remote host).</summary>
public sealed class CountingTransport(IHostTransport inner) : IHostTransport
{
    private int count;

    public string HostName => inner.HostName;

    public int Count => count;

    /// <summary>The scripts sent since the last <see cref="Take"/>, as the journal would show them.</summary>
    public List<string> Commands { get; } = [];

    public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref count);
        lock (Commands)
        {
            Commands.Add(command.DisplayText);
        }

        return inner.RunAsync(command, cancellationToken);
    }

    /// <summary>How many commands ran since the last call.</summary>
    public int Take()
    {
        lock (Commands)
        {
            Commands.Clear();
        }

        return Interlocked.Exchange(ref count, 0);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
