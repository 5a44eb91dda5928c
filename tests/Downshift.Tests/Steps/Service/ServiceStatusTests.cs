using Downshift.Hosts;
using Downshift.Steps.Service.Internal;

namespace Downshift.Tests.Steps.Service;

public sealed class ServiceStatusTests
{
    [Theory]
    [InlineData("shopd                            RUNNING   pid 1234, uptime 0:00:05", 0, "Running")]
    [InlineData("shopd                            STOPPED   Nov 24 12:00 AM", 3, "Stopped")]
    [InlineData("shopd                            EXITED    Nov 24 12:00 AM", 3, "Stopped")]
    [InlineData("shopd                            STARTING  ", 3, "Transitioning")]
    [InlineData("shopd                            FATAL     Exited too quickly (process log may have details)", 3, "Failed")]
    [InlineData("shopd: ERROR (no such process)", 4, "Unknown")]
    public void SupervisorParseStatus_StatusLine_MapsToState(string line, int exitCode, string expected)
    {
        // Given supervisorctl's status line; When parsed; Then the state is as supervisor means it
        var state = new SupervisorManager("shopd", null).ParseStatus(Result(line, exitCode));
        Assert.Equal(expected, state.ToString());
    }

    [Theory]
    [InlineData(0, "Running")]
    [InlineData(3, "Stopped")]
    [InlineData(4, "Unknown")]
    public void SysvParseStatus_LsbExitCode_MapsToState(int exitCode, string expected) =>
        Assert.Equal(expected, new SysvManager("shopd").ParseStatus(Result("", exitCode)).ToString());

    [Theory]
    [InlineData("Stopped", true)]
    [InlineData("Failed", true)]
    [InlineData("Running", false)]
    [InlineData("Transitioning", false)]
    [InlineData("Unknown", false)]
    public void IsDown_State_TrueOnlyWhenNotRunning(string state, bool down) =>
        Assert.Equal(down, Enum.Parse<ServiceState>(state).IsDown());

    private static CommandResult Result(string stdout, int exitCode) =>
        new(exitCode, System.Text.Encoding.UTF8.GetBytes(stdout + "\n"), "", TimeSpan.Zero);
}
