using System.Diagnostics;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps;
using Downshift.Steps.Service;

namespace Downshift.IntegrationTests.Steps.Service;

/// <summary>The service step against a real supervisord, through a transport that counts the commands it sends.</summary>
public sealed class ServiceStepTests : IAsyncLifetime
{
    private SupervisorHost supervisor = null!;

    private CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => supervisor = await SupervisorHost.StartAsync();

    public ValueTask DisposeAsync() => supervisor.DisposeAsync();

    [Fact]
    public async Task StartThenUndo_WebServer_OneCommandPerPhaseAndThePortAnswers()
    {
        // Given a stopped web server and a start step that waits for its port
        var host = new CountingTransport(supervisor.Harness.Host);
        var (executor, context) = Create(host, "web", ServiceAction.Start, port: supervisor.Port);

        // When checked, prepared and executed as the engine does
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(StepHarness.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);

        // Then it took one command to check, none to prepare (the check's read is kept), one to start and wait
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal(2, host.Count);
        Assert.Equal("Stopped", prepared.Get("prior-state"));
        Assert.Equal("supervisor", prepared.Get("manager"));
        Assert.Contains(" RUNNING ", await supervisor.StatusAsync("web"), StringComparison.Ordinal);
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", supervisor.Port, Token).AsTask().WaitAsync(StepHarness.Timeout, Token);
        }

        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, Token).WaitAsync(StepHarness.Timeout, Token));

        // When undone; Then it is stopped again
        var undone = await executor.UndoAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);
        Assert.True(undone.IsSuccess, undone.Detail);
        Assert.Contains(" STOPPED ", await supervisor.StatusAsync("web"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PortNeverOpens_FailsWhenTheWaitRunsOutSayingSo()
    {
        // Given a program that runs but never listens, and a 2 s wait for a port
        var (executor, context) = Create(supervisor.Harness.Host, "deaf", ServiceAction.Start, port: supervisor.Port, wait: TimeSpan.FromSeconds(2));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);

        // When executed
        var clock = Stopwatch.StartNew();
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);

        // Then it waited the whole 2 s for the port, then failed naming the port, in one command
        Assert.False(outcome.IsSuccess);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"gave up after {clock.Elapsed}");
        Assert.Contains($"deaf did not start within 2s: port {supervisor.Port} did not accept connections", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ProgramExitsAtOnce_FailsWithItsLogAndCountsAsStopped()
    {
        // Given a program that exits at once (supervisor: FATAL)
        var (executor, context) = Create(supervisor.Harness.Host, "crashy", ServiceAction.Start);
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);

        // When executed
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);

        // Then it fails saying it failed, with the command's answer and the program's own words
        Assert.False(outcome.IsSuccess);
        Assert.Contains("crashy did not start: it is failed", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("ERROR (spawn error)", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("recent log: cannot open database: no such file", outcome.Detail, StringComparison.Ordinal);

        // And a stop of it is already done, and the undo of the start (a stop) succeeds
        var (stop, stopContext) = Create(supervisor.Harness.Host, "crashy", ServiceAction.Stop);
        Assert.Equal(CheckResult.Done, await stop.CheckAsync(stopContext, Token).WaitAsync(StepHarness.Timeout, Token));
        var undone = await executor.UndoAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);
        Assert.True(undone.IsSuccess, undone.Detail);
    }

    [Fact]
    public async Task Stop_ProgramIgnoresTerm_FailsWhenTheWaitRunsOut()
    {
        // Given a running program that ignores SIGTERM (supervisord kills it only after 5 s) and a 1 s wait
        var (start, startContext) = Create(supervisor.Harness.Host, "stubborn", ServiceAction.Start);
        Assert.True((await start.ExecuteAsync(startContext, UndoData.Empty, Token).WaitAsync(StepHarness.Timeout, Token)).IsSuccess);
        var (executor, context) = Create(supervisor.Harness.Host, "stubborn", ServiceAction.Stop, wait: TimeSpan.FromSeconds(1));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);

        // When executed
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);

        // Then it fails: the command did not return within the wait and the program is still stopping
        Assert.False(outcome.IsSuccess);
        Assert.Contains("stubborn did not stop within 1s: it is stopping", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("did not return within 1s", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopThenUndo_ProgramStillStarting_UndoStartsItAgain()
    {
        // Given a program supervisord is still starting (startsecs 10): meant to run, not yet RUNNING
        await supervisor.Harness.RunAsync($"supervisorctl -c {Sh.Quote(supervisor.Config)} start slow >/dev/null 2>&1 &");
        await Poll.UntilAsync(async () => (await supervisor.StatusAsync("slow")).Contains(" STARTING ", StringComparison.Ordinal), StepHarness.Timeout, "slow is STARTING", Token);
        var (executor, context) = Create(supervisor.Harness.Host, "slow", ServiceAction.Stop);

        // When checked, prepared, stopped and undone
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(StepHarness.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);
        Assert.True((await executor.ExecuteAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token)).IsSuccess);
        Assert.Contains(" STOPPED ", await supervisor.StatusAsync("slow"), StringComparison.Ordinal);
        var undone = await executor.UndoAsync(context, prepared, Token).WaitAsync(TimeSpan.FromSeconds(60), Token);

        // Then the undo started it again: it was on its way up before the step
        Assert.Equal("Starting", prepared.Get("prior-state"));
        Assert.True(undone.IsSuccess, undone.Detail);
        Assert.Contains(" RUNNING ", await supervisor.StatusAsync("slow"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_Running_RestartsAndUndoRestartsAgain()
    {
        // Given a running web server
        var (start, startContext) = Create(supervisor.Harness.Host, "web", ServiceAction.Start, port: supervisor.Port);
        Assert.True((await start.ExecuteAsync(startContext, UndoData.Empty, Token).WaitAsync(StepHarness.Timeout, Token)).IsSuccess);
        var before = await supervisor.StatusAsync("web");
        var (executor, context) = Create(supervisor.Harness.Host, "web", ServiceAction.Restart, port: supervisor.Port);

        // When checked (never done), prepared and executed
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(StepHarness.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(StepHarness.Timeout, Token);

        // Then it runs under a new process
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("Running", prepared.Get("prior-state"));
        Assert.NotEqual(Pid(before), Pid(await supervisor.StatusAsync("web")));
    }

    [Fact]
    public async Task CheckThenPrepare_AutoManager_DetectsInTheStatusReadItself()
    {
        // Given manager auto on a host without systemd or an init script for it, where supervisorctl is installed
        var host = new CountingTransport(supervisor.Harness.Host);
        var options = new ServiceOptions { Name = "web", Action = ServiceAction.Stop, Manager = "auto", SupervisorConfig = supervisor.Config };
        var executor = new ServiceStepKind().CreateExecutor(options);
        var context = supervisor.Harness.Context("service", options, host);

        // When checked and prepared
        var check = await executor.CheckAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(StepHarness.Timeout, Token);

        // Then one command found supervisor and read the state: the stopped program is already stopped
        Assert.Equal(CheckResult.Done, check);
        Assert.Equal(1, host.Count);
        Assert.Equal("supervisor", prepared.Get("manager"));
        Assert.Equal("Stopped", prepared.Get("prior-state"));
    }

    private static string Pid(string status) => status.Split("pid ")[1].Split(',')[0];

    private (IStepExecutor Executor, StepContext Context) Create(
        IHostTransport host, string name, ServiceAction action, int? port = null, TimeSpan? wait = null)
    {
        var options = new ServiceOptions
        {
            Name = name,
            Action = action,
            Manager = "supervisor",
            SupervisorConfig = supervisor.Config,
            Port = port,
            Wait = wait ?? ServiceDefaults.Wait,
        };
        return (new ServiceStepKind().CreateExecutor(options), supervisor.Harness.Context("service", options, host));
    }
}
