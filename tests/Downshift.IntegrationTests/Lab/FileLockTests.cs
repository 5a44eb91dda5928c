using Downshift.IntegrationTests.TestSupport;
using Downshift.Lab.Internal;

namespace Downshift.IntegrationTests.Lab;

public sealed class FileLockTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Acquire_HeldLock_IsTheSameFlockTheShellSees()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("build.lock");

        // While the lab holds the rootfs build lock, `flock -n` in another process cannot take it
        await using (await FileLock.AcquireAsync(path, onWait: null, Token).WaitAsync(LabFixture.Timeout, Token))
        {
            var busy = await CliRunner.RunProcessAsync("flock", ["-n", path, "true"], timeout: LabFixture.Timeout, cancellationToken: Token);
            Assert.Equal(1, busy.ExitCode);
        }

        // After release it can
        var free = await CliRunner.RunProcessAsync("flock", ["-n", path, "true"], timeout: LabFixture.Timeout, cancellationToken: Token);
        Assert.Equal(0, free.ExitCode);
    }

    [Fact]
    public async Task Acquire_LockHeldByAnotherProcess_WaitsAndSaysSo()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("build.lock");
        var ready = directory.Combine("ready");

        // Given another process holds the lock until a file appears
        var release = directory.Combine("release");
        await using var holder = await CliRunner.StartProcessAsync(
            "flock", [path, "/bin/sh", "-c", $"touch {ready}; while [ ! -e {release} ]; do sleep 0.05; done"], timeout: LabFixture.Timeout);
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(ready)), LabFixture.Timeout, "the holder did not take the lock", Token);

        // When the lab asks for it, it waits (and reports waiting) until the holder lets go
        var waited = false;
        var acquiring = FileLock.AcquireAsync(path, () => waited = true, Token);
        await Poll.UntilAsync(() => Task.FromResult(waited), LabFixture.Timeout, "the lab never reported waiting for the lock", Token);

        Assert.False(acquiring.IsCompleted);
        await File.WriteAllTextAsync(release, "", Token);
        await using var held = await acquiring.WaitAsync(LabFixture.Timeout, Token);
    }
}
