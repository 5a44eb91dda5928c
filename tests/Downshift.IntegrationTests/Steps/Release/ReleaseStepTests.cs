using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps;
using Downshift.Steps.Release;

namespace Downshift.IntegrationTests.Steps.Release;

public sealed class ReleaseStepTests : IAsyncLifetime
{
    private readonly StepHarness harness = new();

    private string Root => Path.Combine(harness.HostDirectory, "shop");

    private string Current => Path.Combine(Root, "current");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task ExecuteThenUndo_PreviousRelease_SwitchesAndSwitchesBack()
    {
        // Given release 2.0 current and an archive of 1.9 with a top folder
        await harness.RunAsync($"mkdir -p {Root}/releases/2.0 && echo v2 > {Root}/releases/2.0/VERSION && ln -s releases/2.0 {Current}");
        var build = Path.Combine(harness.Root, "build", "shop-1.9");
        Directory.CreateDirectory(Path.Combine(build, "bin"));
        await System.IO.File.WriteAllTextAsync(Path.Combine(build, "VERSION"), "v1.9\n", TestContext.Current.CancellationToken);
        await StepHarness.CreateTarGzAsync(build, Path.Combine(harness.PlanDirectory, "shop-1.9.tar.gz"), topFolder: "shop-1.9");
        var options = new ReleaseOptions { Archive = "shop-1.9.tar.gz", Root = Root, Version = "1.9", StripComponents = 1 };
        var (executor, context) = Create(options);

        // When checked, prepared, executed
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then current points at the unpacked 1.9 and the check says done
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("releases/1.9", new FileInfo(Current).LinkTarget);
        Assert.Equal("v1.9\n", await System.IO.File.ReadAllTextAsync(Path.Combine(Current, "VERSION"), TestContext.Current.CancellationToken));
        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));

        // When undone twice
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);

        // Then current points at 2.0 again and the 1.9 this step made is gone
        Assert.Equal("releases/2.0", new FileInfo(Current).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(Root, "releases", "1.9")));
        Assert.True(Directory.Exists(Path.Combine(Root, "releases", "2.0")));
    }

    [Fact]
    public async Task Execute_CorruptArchive_FailsAndLeavesCurrentUntouched()
    {
        // Given a current release and an archive that is not a tar.gz
        await harness.RunAsync($"mkdir -p {Root}/releases/2.0 && ln -s releases/2.0 {Current}");
        await System.IO.File.WriteAllTextAsync(Path.Combine(harness.PlanDirectory, "bad.tar.gz"), "not an archive", TestContext.Current.CancellationToken);
        var (executor, context) = Create(new ReleaseOptions { Archive = "bad.tar.gz", Root = Root, Version = "1.9" });

        // When executed
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then it fails clearly, current is unchanged and nothing is left half-unpacked
        Assert.False(outcome.IsSuccess);
        Assert.Contains("cannot unpack", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("releases/2.0", new FileInfo(Current).LinkTarget);
        Assert.Equal(["2.0"], Directory.GetDirectories(Path.Combine(Root, "releases")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ExecuteThenUndo_NoCurrentBefore_RemovesCurrentOnUndo()
    {
        // Given no current symlink yet
        var build = Path.Combine(harness.Root, "build");
        Directory.CreateDirectory(build);
        await System.IO.File.WriteAllTextAsync(Path.Combine(build, "app"), "x", TestContext.Current.CancellationToken);
        await StepHarness.CreateTarGzAsync(build, Path.Combine(harness.PlanDirectory, "a.tar.gz"));
        var (executor, context) = Create(new ReleaseOptions { Archive = "a.tar.gz", Root = Root, Version = "1.0" });

        // When executed and undone
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.True((await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.True(System.IO.File.Exists(Path.Combine(Current, "app")));
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);

        // Then there is no current and no release again
        Assert.False(System.IO.File.Exists(Current) || Directory.Exists(Current));
        Assert.False(Directory.Exists(Path.Combine(Root, "releases", "1.0")));
    }

    [Fact]
    public async Task Execute_CurrentIsADirectory_RefusesClearly()
    {
        // Given current that is a real directory
        Directory.CreateDirectory(Current);
        var (executor, context) = Create(new ReleaseOptions { Archive = "a.tar.gz", Root = Root, Version = "1.0" });

        // When executed, then it refuses and says why
        var outcome = await executor.ExecuteAsync(context, UndoData.Empty, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.False(outcome.IsSuccess);
        Assert.Contains("not a symlink", outcome.Detail, StringComparison.Ordinal);
    }

    private (IStepExecutor Executor, StepContext Context) Create(ReleaseOptions options) =>
        (new ReleaseStepKind().CreateExecutor(options), harness.Context(ReleaseStepKind.KindName, options));
}
