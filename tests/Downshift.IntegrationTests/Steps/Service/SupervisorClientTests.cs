using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps.Service.Internal;

namespace Downshift.IntegrationTests.Steps.Service;

/// <summary>
/// The service step's supervisor client against a real supervisord: it does supervisorctl's job over
/// XML-RPC itself, and hands over to the real supervisorctl where it cannot (here: a config using a
/// <c>%(here)s</c> expansion). A <c>supervisorctl</c> first on PATH records that it was called, then runs the real one.
/// </summary>
public sealed class SupervisorClientTests : IAsyncLifetime
{
    private SupervisorHost supervisor = null!;

    public async ValueTask InitializeAsync() => supervisor = await SupervisorHost.StartAsync();

    public async ValueTask DisposeAsync() => await supervisor.DisposeAsync();

    [Fact]
    public async Task StartStatusStop_ReadableConfig_DoneOverXmlRpcWithoutSupervisorctl()
    {
        var start = await ClientAsync("start", "web", supervisor.Config);
        var running = await ClientAsync("status", "web", supervisor.Config);
        var again = await ClientAsync("start", "web", supervisor.Config);
        var stop = await ClientAsync("stop", "web", supervisor.Config);

        Assert.Equal((0, "web: started"), (start.ExitCode, start.StdoutText.Trim()));
        Assert.StartsWith("web RUNNING pid ", running.StdoutText, StringComparison.Ordinal);
        Assert.Equal((3, "web: ERROR (already started)"), (again.ExitCode, again.StdoutText.Trim()));
        Assert.Equal((0, "web: stopped"), (stop.ExitCode, stop.StdoutText.Trim()));
        Assert.Contains(" STOPPED ", await supervisor.StatusAsync("web"), StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Marker), "the client called supervisorctl although it could talk to supervisord itself");
    }

    [Fact]
    public async Task Start_ProgramThatCannotSpawn_Exits7WithSupervisorsReason()
    {
        var start = await ClientAsync("start", "crashy", supervisor.Config);

        Assert.Equal(7, start.ExitCode);
        Assert.Contains("crashy: ERROR (spawn error)", start.StdoutText, StringComparison.Ordinal);
        Assert.Contains(" FATAL ", await supervisor.StatusAsync("crashy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownProgram_Exits4()
    {
        var status = await ClientAsync("status", "nosuch", supervisor.Config);

        Assert.Equal(4, status.ExitCode);
        Assert.Equal("nosuch: ERROR (no such process)", status.StdoutText.Trim());
    }

    [Fact]
    public async Task Start_ConfigWithExpansion_HandsOverToSupervisorctlAndStillWorks()
    {
        // Given a config whose serverurl only supervisor itself can expand
        var expanding = Path.Combine(supervisor.Harness.Root, "ctl-here.conf");
        await System.IO.File.WriteAllTextAsync(expanding, "[supervisorctl]\nserverurl=unix://%(here)s/supervisor.sock\n", TestContext.Current.CancellationToken);

        // When the client is asked to start and then to read the status through it
        var start = await ClientAsync("start", "web", expanding);
        var status = await ClientAsync("status", "web", expanding);

        // Then supervisorctl did the work, and the program runs
        Assert.True(System.IO.File.Exists(Marker), "the client did not hand over to supervisorctl");
        Assert.Equal(0, start.ExitCode);
        Assert.Contains(" RUNNING ", status.StdoutText, StringComparison.Ordinal);
        Assert.Contains(" RUNNING ", await supervisor.StatusAsync("web"), StringComparison.Ordinal);
        await ClientAsync("stop", "web", expanding);
    }

    private string Marker => Path.Combine(supervisor.Harness.Root, "supervisorctl-called");

    private async Task<CommandResult> ClientAsync(string action, string program, string config)
    {
        var bin = Path.Combine(supervisor.Harness.Root, "bin");
        await supervisor.Harness.RunAsync(
            $"mkdir -p {Sh.Quote(bin)}; real=$(command -v supervisorctl); " +
            $"printf '#!/bin/sh\\ntouch %s\\nexec %s \"$@\"\\n' {Sh.Quote(Marker)} \"$real\" > {Sh.Quote(bin)}/supervisorctl; chmod +x {Sh.Quote(bin)}/supervisorctl");
        var words = SupervisorClient.CommandWords(action, program, config);
        return await supervisor.Harness.Host.RunAsync(
            new HostCommand($"PATH={Sh.Quote(bin)}:$PATH {string.Join(' ', words.Select(Sh.Quote))}"), CancellationToken.None)
            .WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
    }
}
