using Downshift.Hosts;

namespace Downshift.Tests.Engine;

/// <summary>
/// For unit tests of the rollout logic only (the real fleet runs on lab hosts in the integration
/// tests): every host name becomes a real bash on this machine with <c>HOST_NAME</c> set and its own
/// state directory (the engine's state path in a script is rewritten to <c>STATE/NAME</c>), so leases
/// and work folders stay apart.
/// </summary>
internal sealed class FleetConnector(string stateDirectory) : IHostConnector
{
    public Task<IHostTransport> ConnectAsync(HostEntry host, CancellationToken cancellationToken) =>
        Task.FromResult<IHostTransport>(new NamedTransport(host.Name, stateDirectory, new LocalTransport(TimeProvider.System)));

    private sealed class NamedTransport(string name, string stateDirectory, LocalTransport inner) : IHostTransport
    {
        public string HostName => name;

        public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
        {
            var environment = new Dictionary<string, string>(command.Environment ?? new Dictionary<string, string>())
            {
                ["HOST_NAME"] = name,
            };
            var script = command.Script.Replace(stateDirectory, $"{stateDirectory}/{name}", StringComparison.Ordinal);
            return inner.RunAsync(command with { Script = script, Environment = environment }, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
