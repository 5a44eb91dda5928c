using Downshift.Hosts;
using Downshift.Hosts.Ssh.Internal;

namespace Downshift.Tests.Hosts;

public sealed class RemoteCommandTests
{
    [Fact]
    public void Build_Become_RunsTheWholeWrapperUnderSudoNonInteractive()
    {
        var line = RemoteCommand.Build(new HostCommand("id -u"), become: true);

        Assert.StartsWith("exec sudo -n bash -c ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithoutStdin_ClosesInputAndWithStdinKeepsIt()
    {
        Assert.Contains("</dev/null", RemoteCommand.Build(new HostCommand("cat"), become: false), StringComparison.Ordinal);
        Assert.DoesNotContain("</dev/null", RemoteCommand.Build(new HostCommand("cat") { Stdin = new byte[] { 1 } }, become: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_StreamedStdin_KeepsInput()
    {
        // Given a command whose input is streamed (a database restore), not given as bytes
        using var dump = new MemoryStream([1, 2, 3]);
        var command = new HostCommand("pg_restore") { StdinFrom = dump };

        // When
        var line = RemoteCommand.Build(command, become: false);

        // Then the remote script reads the stream, not /dev/null
        Assert.DoesNotContain("</dev/null", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BadEnvironmentName_IsRefused()
    {
        var command = new HostCommand("true") { Environment = new Dictionary<string, string> { ["A;rm -rf /"] = "x" } };

        Assert.Throws<DownshiftException>(() => RemoteCommand.Build(command, become: false));
    }

    [Fact]
    public void Build_ScriptOverTheArgumentLimit_IsRefused()
    {
        var command = new HostCommand("echo " + new string('x', 200 * 1024)) { Display = "big" };

        var error = Assert.Throws<DownshiftException>(() => RemoteCommand.Build(command, become: false));
        Assert.Contains("stdin", error.Message, StringComparison.Ordinal);
    }
}
