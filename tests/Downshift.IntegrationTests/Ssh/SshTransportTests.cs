using System.Text;
using Downshift.Hosts;
using Downshift.Hosts.Ssh;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Ssh;

/// <summary>One real sshd for the class's tests (xunit runs them one after another).</summary>
public sealed class SshServerFixture : IAsyncLifetime
{
    public SshServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await SshServer.StartAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>The SSH transport against a real sshd behaves like <see cref="LocalTransport"/>.</summary>
public sealed class SshTransportTests(SshServerFixture fixture) : IClassFixture<SshServerFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly SshServer server = fixture.Server;
    private readonly SshConnector connector = new(fixture.Server.Options(), TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_Command_ReturnsExitCodeStdoutAndStderr()
    {
        // Given a connection to the host
        await using var host = await ConnectAsync();

        // When a command writes to both streams and exits 3
        var result = await host.RunAsync(new HostCommand("printf 'out\\001\\377'; echo err >&2; exit 3"), Ct).WaitAsync(Bound, Ct);

        // Then the exit code, the stdout bytes and stderr come back unchanged
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(new byte[] { (byte)'o', (byte)'u', (byte)'t', 1, 0xff }, result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Fact]
    public async Task RunAsync_BinaryStdin_ReachesTheCommandByteForByte()
    {
        // Given every byte value, twice, and a large block
        var bytes = Enumerable.Range(0, 512).Select(i => (byte)i).Concat(new byte[300_000].Select((_, i) => (byte)(i * 7))).ToArray();
        await using var host = await ConnectAsync();

        // When it is fed to cat
        var result = await host.RunAsync(new HostCommand("cat") { Stdin = bytes }, Ct).WaitAsync(Bound, Ct);

        // Then cat returns it unchanged
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(bytes, result.Stdout);
    }

    [Fact]
    public async Task RunAsync_NoStdin_CommandSeesEndOfInput()
    {
        await using var host = await ConnectAsync();

        var result = await host.RunAsync(new HostCommand("wc -c"), Ct).WaitAsync(Bound, Ct);

        Assert.Equal("0", result.StdoutText.Trim());
    }

    [Theory]
    [MemberData(nameof(ShellValues))]
    public async Task RunAsync_Environment_ReachesTheCommandUnchanged(string value)
    {
        // Given an environment variable holding shell syntax
        await using var host = await ConnectAsync();
        var command = new HostCommand("printf %s \"$DOWNSHIFT_VALUE\"") { Environment = new Dictionary<string, string> { ["DOWNSHIFT_VALUE"] = value } };

        // When the command prints it
        var result = await host.RunAsync(command, Ct).WaitAsync(Bound, Ct);

        // Then it is the very value
        Assert.Equal(value, Encoding.UTF8.GetString(result.Stdout));
    }

    public static TheoryData<string> ShellValues => ["plain", "it's", "$HOME `id` $(id)", "line one\nline two", "ünïcødé ✓", "a;b|c&d>e<f", ""];

    [Fact]
    public async Task RunAsync_Timeout_KillsTheRemoteProcessGroupAndThrowsTransient()
    {
        // Given a command that starts a background child and waits
        await using var host = await ConnectAsync();
        var command = new HostCommand("sleep 3171 & sleep 3172; echo never") { Timeout = TimeSpan.FromSeconds(1) };

        // When its time is up
        var error = await Assert.ThrowsAsync<DownshiftException>(() => host.RunAsync(command, Ct).WaitAsync(Bound, Ct));

        // Then it timed out (transient), and neither sleep is left on the host
        Assert.True(error.IsTransient);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        await AssertNothingLeftAsync(host, "[s]leep 317");
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsTheRemoteProcessGroup()
    {
        // Given a command that runs for long
        await using var host = await ConnectAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = host.RunAsync(new HostCommand("sleep 3181 & sleep 3182"), cancel.Token);
        await WaitUntilRunningAsync(host, "[s]leep 3182");

        // When the controller cancels it
        await cancel.CancelAsync();

        // Then the call is cancelled and nothing it started keeps running
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Bound, Ct));
        await AssertNothingLeftAsync(host, "[s]leep 318");
    }

    [Fact]
    public async Task RunAsync_HundredCommands_UseOneConnection()
    {
        // Given one transport, and no other connection to the server (the last test's may still be closing)
        await server.WaitUntilIdleAsync(Ct);
        var before = await server.SessionPidsAsync(Ct);
        await using var host = await ConnectAsync();

        // When it runs 100 commands
        for (var i = 0; i < 100; i++)
        {
            var result = await host.RunAsync(new HostCommand($"echo {i}"), Ct).WaitAsync(Bound, Ct);
            Assert.Equal($"{i}\n", result.StdoutText);
        }

        // Then sshd served them over one connection (one per-connection process, one TCP connection)
        Assert.Single((await server.SessionPidsAsync(Ct)).Except(before));
        Assert.Equal(1, await server.EstablishedConnectionsAsync(Ct));
    }

    [Fact]
    public async Task ConnectAsync_TenHostsInParallel_EachRunsItsCommands()
    {
        // Given ten hosts (ten names for the one sshd: ten connections)
        using var connector = new SshConnector(server.Options() with { ConnectConcurrency = 4 }, TimeProvider.System);
        var hosts = Enumerable.Range(0, 10).Select(i => server.Host($"h{i}")).ToList();

        // When each connects and runs ten commands at once
        var transports = await Task.WhenAll(hosts.Select(h => connector.ConnectAsync(h, Ct))).WaitAsync(Bound, Ct);
        try
        {
            var results = await Task.WhenAll(transports.SelectMany(t => Enumerable.Range(0, 10).Select(async i =>
                (t.HostName, i, (await t.RunAsync(new HostCommand($"echo {t.HostName}-{i}"), Ct)).StdoutText)))).WaitAsync(Bound, Ct);

            // Then every command ran, on ten connections
            Assert.All(results, r => Assert.Equal($"{r.HostName}-{r.i}\n", r.StdoutText));
            Assert.Equal(10, await server.EstablishedConnectionsAsync(Ct));
        }
        finally
        {
            foreach (var transport in transports)
            {
                await transport.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RunAsync_ConnectionDroppedMidCommand_ThrowsTransientThenReconnects()
    {
        // Given a command running on the host
        await using var host = await ConnectAsync();
        await host.RunAsync(new HostCommand("true"), Ct);
        var sessions = await server.SessionPidsAsync(Ct);
        var running = host.RunAsync(new HostCommand("sleep 3191"), Ct);
        var sleeps = await WaitUntilRunningAsync(host: null, "^sleep 3191$");
        try
        {
            // When the connection dies (its sshd process is killed)
            foreach (var pid in sessions)
            {
                await KillAsync(pid);
            }

            // Then the command fails as a transient lost connection (not re-run) …
            var error = await Assert.ThrowsAsync<DownshiftException>(() => running.WaitAsync(Bound, Ct));
            Assert.True(error.IsTransient, error.Message);
            Assert.Contains("lost", error.Message, StringComparison.Ordinal);

            // … and the next command reconnects
            var next = await host.RunAsync(new HostCommand("echo again"), Ct).WaitAsync(Bound, Ct);
            Assert.Equal("again\n", next.StdoutText);
        }
        finally
        {
            // The orphaned sleep is this test's own process: end it by the PID it had.
            foreach (var pid in sleeps)
            {
                await KillAsync(pid);
            }
        }
    }

    private static Task<ProcessResult> KillAsync(int pid) =>
        CliRunner.RunProcessAsync("kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken: Ct);

    public void Dispose() => connector.Dispose();

    private async Task<IHostTransport> ConnectAsync()
    {
        return await connector.ConnectAsync(server.Host(), Ct).WaitAsync(Bound, Ct);
    }

    private static async Task AssertNothingLeftAsync(IHostTransport host, string pattern)
    {
        var left = "";
        await Poll.UntilAsync(
            async () =>
            {
                var result = await host.RunAsync(new HostCommand($"pgrep -af '{pattern}'"), Ct).WaitAsync(Bound, Ct);
                left = result.StdoutText;
                return result.ExitCode == 1;
            },
            TimeSpan.FromSeconds(10),
            () => $"still running on the host:\n{left}",
            Ct);
    }

    /// <summary>Waits until PATTERN runs (on this machine, or on HOST through its own channel) and returns its PIDs.</summary>
    private static async Task<IReadOnlyList<int>> WaitUntilRunningAsync(IHostTransport? host, string pattern)
    {
        var pids = "";
        await Poll.UntilAsync(
            async () =>
            {
                // The host is this machine: look with pgrep directly when no second channel is wanted.
                pids = host is null
                    ? (await CliRunner.RunProcessAsync("pgrep", ["-f", pattern], cancellationToken: Ct)).Stdout
                    : (await host.RunAsync(new HostCommand($"pgrep -f '{pattern}'"), Ct).WaitAsync(Bound, Ct)).StdoutText;
                return pids.Length > 0;
            },
            TimeSpan.FromSeconds(20),
            $"'{pattern}' did not start",
            Ct);
        return [.. pids.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
    }
}
