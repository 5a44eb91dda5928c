using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps;
using Downshift.Steps.File;
using FileOptions = Downshift.Steps.File.FileOptions;

namespace Downshift.IntegrationTests.Steps.File;

public sealed class FileStepTests : IAsyncLifetime
{
    private readonly StepHarness harness = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task ExecuteThenUndo_ExistingFile_RestoresBytesModeAndOwner()
    {
        // Given an existing file with its own mode and owner
        var target = Path.Combine(harness.HostDirectory, "app.conf");
        byte[] original = [0x00, 0xFF, .. "old\n"u8];
        await System.IO.File.WriteAllBytesAsync(target, original, TestContext.Current.CancellationToken);
        await harness.RunAsync($"chmod 0600 {target}; chown nobody:nogroup {target}");
        var before = await harness.StatAsync(target);
        Assert.Contains(" nobody nogroup ", before, StringComparison.Ordinal);
        var options = new FileOptions { Path = target, Content = "new content\n", Mode = "0644" };
        var (executor, context) = Create(options);

        // When it is checked, prepared, executed
        var checkBefore = await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var checkAfter = await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then the file is replaced and the check sees it
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal(CheckResult.NotDone, checkBefore);
        Assert.Equal(CheckResult.Done, checkAfter);
        Assert.Equal("new content\n", await System.IO.File.ReadAllTextAsync(target, TestContext.Current.CancellationToken));
        Assert.StartsWith("644 ", await harness.StatAsync(target), StringComparison.Ordinal);

        // When undone twice
        var undo1 = await executor.UndoAsync(context, UndoData.FromJson(prepared.ToJson()), TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var undo2 = await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then the original is back byte for byte, with mode and owner
        Assert.True(undo1.IsSuccess, undo1.Detail);
        Assert.True(undo2.IsSuccess, undo2.Detail);
        Assert.Equal(original, await System.IO.File.ReadAllBytesAsync(target, TestContext.Current.CancellationToken));
        Assert.Equal(before, await harness.StatAsync(target));
    }

    [Fact]
    public async Task ExecuteThenUndo_DirectorySourceOverNothing_PutsTreeThenRemovesIt()
    {
        // Given a source directory on the controller and no destination
        var source = Path.Combine(harness.PlanDirectory, "site");
        Directory.CreateDirectory(Path.Combine(source, "css"));
        await System.IO.File.WriteAllTextAsync(Path.Combine(source, "index.html"), "<h1>v1</h1>", TestContext.Current.CancellationToken);
        await System.IO.File.WriteAllTextAsync(Path.Combine(source, "css", ".hidden.css"), "body{}", TestContext.Current.CancellationToken);
        var target = Path.Combine(harness.HostDirectory, "www", "site");
        var (executor, context) = Create(new FileOptions { Path = target, Source = "site" });

        // When executed
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then the tree is in place and checked as done
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("body{}", await System.IO.File.ReadAllTextAsync(Path.Combine(target, "css", ".hidden.css"), TestContext.Current.CancellationToken));
        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));

        // When a file changes on the host, the check notices
        await System.IO.File.WriteAllTextAsync(Path.Combine(target, "index.html"), "changed", TestContext.Current.CancellationToken);
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));

        // When undone twice, then the destination is gone again
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task ExecuteThenUndo_DirectoryOverExistingDirectory_RestoresOriginalTree()
    {
        // Given an existing directory on the host and a new one on the controller
        var target = Path.Combine(harness.HostDirectory, "conf.d");
        Directory.CreateDirectory(target);
        await System.IO.File.WriteAllTextAsync(Path.Combine(target, "old.conf"), "old", TestContext.Current.CancellationToken);
        await harness.RunAsync($"chmod 0750 {target}");
        var source = Path.Combine(harness.PlanDirectory, "conf.d");
        Directory.CreateDirectory(source);
        await System.IO.File.WriteAllTextAsync(Path.Combine(source, "new.conf"), "new", TestContext.Current.CancellationToken);
        var (executor, context) = Create(new FileOptions { Path = target, Source = "conf.d", Mode = "0755" });

        // When executed and undone
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.True((await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.Equal(["new.conf"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);

        // Then the original tree and mode are back
        Assert.Equal(["old.conf"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.StartsWith("750 ", await harness.StatAsync(target), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_MissingSource_FailsClearly()
    {
        // Given a source that does not exist
        var (executor, context) = Create(new FileOptions { Path = Path.Combine(harness.HostDirectory, "x"), Source = "nope.txt" });

        // When executed
        var outcome = await executor.ExecuteAsync(context, UndoData.Empty, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then it fails naming the source
        Assert.False(outcome.IsSuccess);
        Assert.Contains("nope.txt", outcome.Detail, StringComparison.Ordinal);
    }

    private (IStepExecutor Executor, StepContext Context) Create(FileOptions options) =>
        (new FileStepKind().CreateExecutor(options), harness.Context(FileStepKind.KindName, options));
}
