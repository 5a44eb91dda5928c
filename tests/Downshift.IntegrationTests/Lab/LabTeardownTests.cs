using Downshift.IntegrationTests.TestSupport;
using Downshift.Lab;
using Downshift.Lab.Internal;

namespace Downshift.IntegrationTests.Lab;

public sealed class LabTeardownTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Down_LabThatIsUp_LeavesNoProcessLinkNamespaceMountOrDirectory()
    {
        // Given a lab of two hosts that is up, and every PID it runs
        var name = LabFixture.UniqueName();
        var lab = await Downshift.Lab.Lab.UpAsync(new LabOptions { Name = name, Hosts = 2, StateRoot = LabFixture.StateRoot }, Token).WaitAsync(LabFixture.UpTimeout, Token);
        var prefix = $"ds-{name}-";
        var pids = new List<int>();
        foreach (var host in lab.Hosts)
        {
            pids.AddRange(await Teardown.NetnsPidsAsync(prefix + host.Name, Token));
            pids.Add(int.Parse(await File.ReadAllTextAsync(Path.Combine(lab.Directory, host.Name, "unshare.pid"), Token)));
        }

        var state = await LabState.ReadAsync(lab.Directory, Token);
        pids.Add(state!.RepositoryServerPid!.Value);
        Assert.True(pids.Count >= 6, string.Join(",", pids)); // unshare, supervisord, sshd per host; the repository server
        Assert.Contains(prefix + "h1", await OutputAsync("ip", "netns", "list"), StringComparison.Ordinal);

        // When it goes down (twice: down is idempotent)
        await Downshift.Lab.Lab.DownAsync(name, LabFixture.StateRoot, Token).WaitAsync(LabFixture.Timeout, Token);
        await Downshift.Lab.Lab.DownAsync(name, LabFixture.StateRoot, Token).WaitAsync(LabFixture.Timeout, Token);

        // Then nothing of it is left
        Assert.DoesNotContain(prefix, await OutputAsync("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain(prefix, await OutputAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
        var mounts = await File.ReadAllTextAsync("/proc/mounts", Token);
        Assert.DoesNotContain(prefix, mounts, StringComparison.Ordinal);
        Assert.DoesNotContain(lab.Directory, mounts, StringComparison.Ordinal);
        Assert.DoesNotContain(pids, Processes.IsAlive);
        Assert.False(Directory.Exists(lab.Directory));
        Assert.DoesNotContain($"{lab.Subnet}.1/24", await OutputAsync("ip", "-4", "-o", "addr", "show"), StringComparison.Ordinal);
        Assert.Null(await Downshift.Lab.Lab.OpenAsync(name, LabFixture.StateRoot, Token));
    }

    [Fact]
    public async Task Down_AfterTheControllerDied_CleansUpFromTheStateFiles()
    {
        // Given a lab brought up by a `downshift lab up` process that has exited (only state files remain)
        var name = LabFixture.UniqueName();
        var up = await CliRunner.RunAsync(["lab", "up", "1", "--name", name, "--state-dir", LabFixture.StateRoot], timeout: LabFixture.UpTimeout, cancellationToken: Token);
        Assert.True(up.ExitCode == 0, up.ToString());
        var unshare = int.Parse(await File.ReadAllTextAsync(Path.Combine(LabFixture.StateRoot, name, "h1", "unshare.pid"), Token));
        Assert.True(Processes.IsAlive(unshare));

        // When another process takes it down
        var down = await CliRunner.RunAsync(["lab", "down", "--name", name, "--state-dir", LabFixture.StateRoot], timeout: LabFixture.Timeout, cancellationToken: Token);

        // Then its host is gone with its names
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.False(Processes.IsAlive(unshare));
        Assert.DoesNotContain($"ds-{name}-", await OutputAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(LabFixture.StateRoot, name)));
    }

    [Fact]
    public async Task Up_NameWhoseInterfacesBelongToAnotherStateDirectory_IsRefusedAndLeavesThemAlone()
    {
        // Given a bridge named like lab NAME's, made by someone else (no lab NAME in our state directory)
        var name = LabFixture.UniqueName();
        var bridge = $"ds-{name}-br";
        await OutputAsync("ip", "link", "add", bridge, "type", "bridge");
        try
        {
            // When a lab of that name is asked for, it is refused
            var error = await Assert.ThrowsAsync<DownshiftException>(() =>
                Downshift.Lab.Lab.UpAsync(new LabOptions { Name = name, Hosts = 1, StateRoot = LabFixture.StateRoot }, Token).WaitAsync(LabFixture.Timeout, Token));

            // And the other bridge is still there
            Assert.Contains("in use on this machine", error.Message, StringComparison.Ordinal);
            Assert.Contains(bridge, await OutputAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
        }
        finally
        {
            await OutputAsync("ip", "link", "del", bridge);
        }
    }

    [Fact]
    public async Task Down_LabThatNeverExisted_Succeeds() =>
        await Downshift.Lab.Lab.DownAsync(LabFixture.UniqueName(), LabFixture.StateRoot, Token).WaitAsync(LabFixture.Timeout, Token);

    private static async Task<string> OutputAsync(string file, params string[] args)
    {
        var result = await CliRunner.RunProcessAsync(file, args, timeout: LabFixture.Timeout, cancellationToken: Token);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }
}
