using System.Globalization;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps;
using Downshift.Steps.Service;

namespace Downshift.IntegrationTests.Steps.Service;

/// <summary>
/// The service step with a real LSB init script (<c>/etc/init.d/downshift-test-…</c>, removed after
/// the test) that runs a Python HTTP server in the background: its start returns before the port
/// listens and its exit says nothing the status could not, so the step must wait on the status and port.
/// </summary>
public sealed class SysvServiceTests : IAsyncLifetime
{
    private readonly StepHarness harness = new();
    private readonly string name = $"downshift-test-{Guid.NewGuid():N}"[..28];
    private readonly int port = Ports.GetFreeTcpPort();

    private CancellationToken Token => TestContext.Current.CancellationToken;

    private string Script => $"/etc/init.d/{name}";

    public async ValueTask InitializeAsync()
    {
        var pidFile = Path.Combine(harness.Root, "server.pid");
        await System.IO.File.WriteAllTextAsync(Script, $$"""
            #!/bin/bash
            # LSB init script of a throw-away test service (SysvServiceTests).
            pidfile={{pidFile}}
            running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
            case $1 in
              start) running && exit 0
                     setsid python3 -m http.server {{port.ToString(CultureInfo.InvariantCulture)}} --bind 127.0.0.1 </dev/null >/dev/null 2>&1 &
                     echo $! > "$pidfile";;
              stop)  running && kill "$(cat "$pidfile")"; rm -f "$pidfile";;
              status) running && exit 0; exit 3;;
              *) exit 2;;
            esac
            """, Token);
        await harness.RunAsync($"chmod 755 {Sh.Quote(Script)}");
    }

    public async ValueTask DisposeAsync()
    {
        await harness.RunAsync($"{Sh.Quote(Script)} stop; rm -f {Sh.Quote(Script)}");
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task StartThenUndo_AutoManagerFindsTheInitScript_WaitsForThePortThenStops()
    {
        // Given the init script and manager auto (no systemd on this machine)
        var host = new CountingTransport(harness.Host);
        var options = new ServiceOptions { Name = name, Action = ServiceAction.Start, Manager = "auto", Port = port };
        var executor = new ServiceStepKind().CreateExecutor(options);
        var context = harness.Context("service", options, host);

        // When checked, prepared and executed
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(StepHarness.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);

        // Then the init script was found, the port answers, and it took two commands
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("sysv", prepared.Get("manager"));
        Assert.Equal(2, host.Count);
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", port, Token).AsTask().WaitAsync(StepHarness.Timeout, Token);
        }

        // When undone; Then the init script says it is stopped
        var undone = await executor.UndoAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);
        Assert.True(undone.IsSuccess, undone.Detail);
        var status = await harness.Host.RunAsync(new HostCommand($"{Sh.Quote(Script)} status"), Token).WaitAsync(StepHarness.Timeout, Token);
        Assert.Equal(3, status.ExitCode);
    }
}
