using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Lab;

public sealed class LabCliTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LabCommands_UpStatusExecLinkDown_WorkEndToEnd()
    {
        var name = LabFixture.UniqueName();
        string[] lab = ["--name", name, "--state-dir", LabFixture.StateRoot];
        try
        {
            // When two hosts come up
            var up = await CliRunner.RunAsync(["lab", "up", "2", .. lab], timeout: LabFixture.UpTimeout, cancellationToken: Token);

            // Then there is one greppable line per host, and the client files
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Matches(@"(?m)^h1 10\.\d+\.\d+\.11 up pid=\d+ procs=\d+ rss=\d+kB link=up$", up.Stdout);
            Assert.Matches(@"(?m)^h2 10\.\d+\.\d+\.12 up pid=\d+ ", up.Stdout);
            Assert.Contains($"inventory: {LabFixture.StateRoot}/{name}/inventory.ini", up.Stdout, StringComparison.Ordinal);

            // And exec runs inside a host with its exit code; link down shows in status (exit 1)
            var exec = await CliRunner.RunAsync(["lab", "exec", "h2", .. lab, "--", "hostname;", "exit", "7"], timeout: LabFixture.Timeout, cancellationToken: Token);
            Assert.Equal(7, exec.ExitCode);
            Assert.Equal("h2", exec.Stdout.Trim());

            var link = await CliRunner.RunAsync(["lab", "link", "h1", "down", .. lab], timeout: LabFixture.Timeout, cancellationToken: Token);
            Assert.True(link.ExitCode == 0, link.ToString());
            var status = await CliRunner.RunAsync(["lab", "status", .. lab, "--json"], timeout: LabFixture.Timeout, cancellationToken: Token);
            Assert.Equal(0, status.ExitCode); // hosts are up; a cut link is not a down host
            Assert.Contains("\"link\":\"down\"", status.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            var down = await CliRunner.RunAsync(["lab", "down", .. lab], timeout: LabFixture.Timeout, cancellationToken: Token);
            Assert.True(down.ExitCode == 0, down.ToString());
        }

        var after = await CliRunner.RunAsync(["lab", "status", .. lab], timeout: LabFixture.Timeout, cancellationToken: Token);
        Assert.Equal(2, after.ExitCode);
    }
}
