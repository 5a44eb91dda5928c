using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps;
using Downshift.Steps.Config;

namespace Downshift.IntegrationTests.Steps.Config;

public sealed class ConfigStepTests : IAsyncLifetime
{
    private readonly StepHarness harness = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task ExecuteThenUndo_KeyValueFile_EditsThenRestoresByteForByte()
    {
        // Given a key-value config with comments, mode 0640 and another owner
        var path = Path.Combine(harness.HostDirectory, "shopd.conf");
        var original = "# shopd\nport = 80\ncache_mb = 64 # big\n"u8.ToArray();
        await System.IO.File.WriteAllBytesAsync(path, original, TestContext.Current.CancellationToken);
        await harness.RunAsync($"chmod 0640 {path}; chown nobody:nogroup {path}");
        var before = await harness.StatAsync(path);
        Assert.Contains(" nobody nogroup ", before, StringComparison.Ordinal);
        var options = Options(path, set: new() { ["port"] = new ScalarValue("8080", false) }, remove: ["cache_mb"]);
        var (executor, context) = Create(options);

        // When checked, prepared and executed
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then only the edited lines change, mode and owner stay, the detail has the diff, and the check says done
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("# shopd\nport = 8080\n", await System.IO.File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal(before, await harness.StatAsync(path));
        Assert.Contains($"--- {path}\n+++ {path}", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("\n-port = 80\n", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("\n+port = 8080", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("-cache_mb = 64 # big", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));

        // When undone twice
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);

        // Then the original is back byte for byte with mode and owner
        Assert.Equal(original, await System.IO.File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal(before, await harness.StatAsync(path));
    }

    [Fact]
    public async Task Execute_PackageDefaultWithDpkgDist_EditsTheDefaultCarriesKeysAndPutsLeftoversAway()
    {
        // Given the admin's file, the package's new default left as .dpkg-dist, and an old .dpkg-old
        var path = Path.Combine(harness.HostDirectory, "shop.ini");
        var admin = "[server]\nport = 9000\nworkers = 8\n"u8.ToArray();
        var dist = "; new default\n[server]\nport = 80\nworkers = 2\nlegacy = on\n"u8.ToArray();
        var old = "[server]\nport = 1\n"u8.ToArray();
        await System.IO.File.WriteAllBytesAsync(path, admin, TestContext.Current.CancellationToken);
        await System.IO.File.WriteAllBytesAsync(path + ".dpkg-dist", dist, TestContext.Current.CancellationToken);
        await System.IO.File.WriteAllBytesAsync(path + ".dpkg-old", old, TestContext.Current.CancellationToken);
        var options = Options(path, remove: ["server.legacy"]) with { PackageDefault = true, Carry = ["server.port"] };
        var (executor, context) = Create(options);

        // When executed
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then the package default is the base, port is carried, the edits apply, and leftovers are gone and named
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("; new default\n[server]\nport = 9000\nworkers = 2\n", await System.IO.File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        Assert.False(System.IO.File.Exists(path + ".dpkg-dist"));
        Assert.False(System.IO.File.Exists(path + ".dpkg-old"));
        Assert.Contains($"{path}.dpkg-dist", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains($"{path}.dpkg-old", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("carried server.port", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));

        // When undone twice, then the file and both leftovers are back byte for byte
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.True((await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken)).IsSuccess);
        Assert.Equal(admin, await System.IO.File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal(dist, await System.IO.File.ReadAllBytesAsync(path + ".dpkg-dist", TestContext.Current.CancellationToken));
        Assert.Equal(old, await System.IO.File.ReadAllBytesAsync(path + ".dpkg-old", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Check_DpkgDistPresent_IsNotDoneEvenWhenEditsAreInPlace()
    {
        // Given a file already edited but a .dpkg-dist beside it
        var path = Path.Combine(harness.HostDirectory, "app.json");
        await System.IO.File.WriteAllTextAsync(path, "{\n  \"port\": 8080\n}\n", TestContext.Current.CancellationToken);
        var (executor, context) = Create(Options(path, set: new() { ["port"] = new ScalarValue("8080", false) }));
        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));
        await System.IO.File.WriteAllTextAsync(path + ".dpkg-dist", "{}", TestContext.Current.CancellationToken);

        // When checked, then the leftover still needs handling
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Execute_RenameOntoExistingKey_FailsAndChangesNothing()
    {
        // Given a yaml file where the rename target exists
        var path = Path.Combine(harness.HostDirectory, "app.yaml");
        var original = "a: 1\nb: 2\n"u8.ToArray();
        await System.IO.File.WriteAllBytesAsync(path, original, TestContext.Current.CancellationToken);
        var (executor, context) = Create(Options(path) with { Rename = new Dictionary<string, string> { ["a"] = "b" } });

        // When executed
        var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
        var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);

        // Then it fails clearly and the file is untouched
        Assert.False(outcome.IsSuccess);
        Assert.Contains("already exists", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(original, await System.IO.File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
    }

    private static ConfigOptions Options(string path, Dictionary<string, ScalarValue>? set = null, string[]? remove = null) => new()
    {
        Path = path,
        Format = Downshift.Steps.Config.Internal.ConfigFormats.FromPath(path),
        Set = set ?? [],
        Remove = remove ?? [],
    };

    private (IStepExecutor Executor, StepContext Context) Create(ConfigOptions options) =>
        (new ConfigStepKind().CreateExecutor(options), harness.Context(ConfigStepKind.KindName, options));
}
