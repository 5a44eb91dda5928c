namespace Downshift.IntegrationTests.TestSupport;

/// <summary>The process machinery itself, run against /bin/sh so it does not depend on the CLI.</summary>
public sealed class CliRunnerTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunProcessAsync_ShellScript_CapturesStdoutStderrAndExitCode()
    {
        var result = await CliRunner.RunProcessAsync("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], timeout: Short, cancellationToken: Ct);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Fact]
    public async Task RunProcessAsync_EnvironmentAndWorkingDirectory_ReachTheChild()
    {
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string?> { ["DOWNSHIFT_TEST_VALUE"] = "a b'c", ["HOME"] = null };

        var result = await CliRunner.RunProcessAsync(
            "/bin/sh", ["-c", "printf '%s|%s|%s' \"$DOWNSHIFT_TEST_VALUE\" \"${HOME-unset}\" \"$(pwd)\""],
            environment, directory.Path, Short, Ct);

        Assert.Equal($"a b'c|unset|{directory.Path}", result.Stdout);
    }

    [Fact]
    public async Task RunProcessAsync_ChildOutlivesTimeout_KillsTheTreeAndFailsWithOutputSoFar()
    {
        // Given a shell that starts a grandchild and then hangs
        var script = "sleep 300 & echo \"grandchild $!\"; wait";

        // When it runs with a one-second timeout
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            CliRunner.RunProcessAsync("/bin/sh", ["-c", script], timeout: TimeSpan.FromSeconds(1), cancellationToken: Ct));

        // Then the failure carries the output so far, and the grandchild is gone too
        Assert.Contains("grandchild ", error.Message, StringComparison.Ordinal);
        var pid = error.Message.Split("grandchild ")[1].Split('\n')[0].Trim();
        await AssertEventuallyGoneAsync(pid);
    }

    [Fact]
    public async Task StartAsync_Sigint_IsDeliveredAndTheExitCodeSeen()
    {
        await using var process = await CliRunner.StartProcessAsync(
            "/bin/sh", ["-c", "trap 'echo interrupted; exit 130' INT; echo ready; while :; do sleep 0.1; done"],
            timeout: Short);

        await process.WaitForOutputAsync("ready", Short, Ct);
        await process.KillAsync(Signal.Int, Ct);
        var result = await process.WaitForExitAsync(Short, Ct);

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("interrupted", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_Sigkill_EndsTheProcessWith137()
    {
        await using var process = await CliRunner.StartProcessAsync(
            "/bin/sh", ["-c", "echo ready >&2; exec sleep 300"], timeout: Short);

        await process.WaitForOutputAsync("ready", Short, Ct);
        await process.KillAsync(Signal.Kill, Ct);
        var result = await process.WaitForExitAsync(Short, Ct);

        Assert.Equal(137, result.ExitCode);
    }

    [Fact]
    public async Task WaitForOutputAsync_TextNeverWritten_FailsWithinItsTimeout()
    {
        // Given a process that has written "hello" (waited for, so the short wait below is not racing its start)
        await using var process = await CliRunner.StartProcessAsync("/bin/sh", ["-c", "echo hello; sleep 300"], timeout: Short);
        await process.WaitForOutputAsync("hello", Short, Ct);

        // When it is awaited for text it never writes, Then the wait fails after its own timeout, showing what was written
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            process.WaitForOutputAsync("goodbye", TimeSpan.FromMilliseconds(500), Ct));

        Assert.Contains("hello", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForOutputAsync_ProcessExitsWithoutIt_FailsAtOnce()
    {
        await using var process = await CliRunner.StartProcessAsync("/bin/sh", ["-c", "echo bye"], timeout: Short);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForOutputAsync("never", Short, Ct));

        Assert.Contains("exited without writing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BuiltCli_StartsAndExitsZero()
    {
        using var directory = new TempDirectory();

        var result = await CliRunner.RunAsync(["--version"], workingDirectory: directory.Path, cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void TempDirectory_Dispose_DeletesTheDirectoryAndItsContents()
    {
        string path;
        using (var directory = new TempDirectory())
        {
            path = directory.Path;
            File.WriteAllText(directory.Combine("file.txt"), "x");
            Assert.StartsWith(Path.GetTempPath(), path, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void GetFreeTcpPort_ReturnsAPortThatCanBeBound()
    {
        var port = Ports.GetFreeTcpPort();

        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
        Assert.InRange(port, 1024, 65535);
    }

    private static Task AssertEventuallyGoneAsync(string pid) =>
        Poll.UntilAsync(
            () => Task.FromResult(!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5),
            $"process {pid} is still running after the tree was killed",
            Ct);
}
