using Downshift.Hosts;
using Downshift.Steps.Service;
using Downshift.Steps.Service.Internal;

namespace Downshift.Tests.Steps.Service;

/// <summary>
/// The managers' <c>state</c> functions run in real bash, with the manager's own command replaced
/// by a shell function that prints what the real one prints.
/// </summary>
public sealed class ServiceStatusTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("shopd                            RUNNING   pid 1234, uptime 0:00:05", 0, "Running")]
    [InlineData("shopd                            STOPPED   Nov 24 12:00 AM", 3, "Stopped")]
    [InlineData("shopd                            EXITED    Nov 24 12:00 AM", 3, "Stopped")]
    [InlineData("shopd                            STARTING", 3, "Starting")]
    [InlineData("shopd                            BACKOFF   Exited too quickly", 3, "Starting")]
    [InlineData("shopd                            STOPPING", 3, "Stopping")]
    [InlineData("shopd                            FATAL     Exited too quickly (process log may have details)", 3, "Failed")]
    [InlineData("shopd: ERROR (no such process)", 4, "Unknown")]
    public async Task SupervisorState_StatusLine_MapsToState(string line, int exitCode, string expected)
    {
        // Given supervisorctl's status line (the XML-RPC client prints the same); When the state function reads it; Then the state is as supervisor means it
        var stub = $"sh() {{ printf '%s\\n' {Sh.Quote(line)}; return {exitCode}; }}";
        Assert.Equal(expected, await StateAsync(new SupervisorManager("shopd", null), stub));
    }

    [Theory]
    [InlineData("active", "Running")]
    [InlineData("inactive", "Stopped")]
    [InlineData("deactivating", "Stopping")]
    [InlineData("activating", "Starting")]
    [InlineData("failed", "Failed")]
    [InlineData("unknown", "Unknown")]
    public async Task SystemdState_IsActiveWord_MapsToState(string word, string expected) =>
        Assert.Equal(expected, await StateAsync(new SystemdManager("shopd"), $"systemctl() {{ echo {word}; }}"));

    [Theory]
    [InlineData(0, "Running")]
    [InlineData(3, "Stopped")]
    [InlineData(4, "Unknown")]
    public async Task SysvState_LsbExitCode_MapsToState(int exitCode, string expected) =>
        Assert.Equal(expected, await StateAsync(new SysvManager("shopd"), $"/etc/init.d/shopd() {{ return {exitCode}; }}"));

    [Theory]
    [InlineData("Stopped", true)]
    [InlineData("Failed", true)]
    [InlineData("Running", false)]
    [InlineData("Starting", false)]
    [InlineData("Stopping", false)]
    [InlineData("Unknown", false)]
    public void IsDown_State_TrueOnlyWhenNotRunning(string state, bool down) =>
        Assert.Equal(down, Enum.Parse<ServiceState>(state).IsDown());

    [Fact]
    public void ReportParse_ScriptOutput_SplitsValuesOutputAndLog()
    {
        // Given what an action script prints for a start whose port never opened
        var stdout = "manager=supervisor\nexit=0\nstate=running\nport=closed\n" +
                     $"{ServiceReport.OutputMarker}\nshopd: started\n{ServiceReport.LogMarker}\nlistening soon\nstill not\n";

        // When parsed
        var report = ServiceReport.Parse(new CommandResult(0, System.Text.Encoding.UTF8.GetBytes(stdout), "", TimeSpan.Zero));

        // Then every part lands where it belongs
        Assert.Equal(new ServiceReport("supervisor", ServiceState.Running, false, 0, "shopd: started", "listening soon\nstill not"), report);
    }

    [Fact]
    public void ActionScript_KnownManager_DoesNotDetectAndRunsTheCommandOnce()
    {
        // Given a stop through a known supervisor
        var options = new ServiceOptions { Name = "shopd", Action = ServiceAction.Stop, Manager = "supervisor", SupervisorConfig = "/etc/s v.conf" };

        // When its script is built
        var script = ServiceScript.Action(options, new SupervisorManager("shopd", options.SupervisorConfig), ServiceAction.Stop);

        // Then it names the manager, quotes the config and runs the command once under the wait
        Assert.Contains("m=supervisor\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("/run/systemd/system", script, StringComparison.Ordinal);
        Assert.Contains("cmd=(sh -c ", script, StringComparison.Ordinal);
        Assert.Contains(" stop shopd '/etc/s v.conf')", script, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(script, @"timeout 30 ""\$\{cmd\[@\]\}"""));
    }

    private static async Task<string> StateAsync(ServiceManager manager, string stub)
    {
        var transport = new LocalTransport(TimeProvider.System);
        var result = await transport.RunAsync(new HostCommand($"{stub}\n{manager.StateFunction}\nstate"), TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        return ServiceStates.Parse(result.StdoutText.Trim()).ToString();
    }
}
