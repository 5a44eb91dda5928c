using Downshift.Hosts;
using Downshift.IntegrationTests.Fleet;
using Downshift.Plans;
using Downshift.Steps;
using Downshift.Steps.Package;

namespace Downshift.IntegrationTests.Package;

/// <summary>The package tests' collection: one lab for every class, as they share the served repository.</summary>
[CollectionDefinition(PackageLab.Collection)]
public sealed class PackageLabCollection : ICollectionFixture<PackageLab>;

/// <summary>
/// Test hosts for the package step: the shop's lab (<see cref="ShopLab"/>: lab hosts with their own
/// dpkg and rpm databases, apt and dnf, serving examples/shop/packaging/build.sh's packages). apt
/// tests use h1, dnf tests h2, so no class depends on what another left. Steps reach a host through
/// <see cref="Downshift.Lab.LabInstance.ExecAsync"/> (nsenter, no SSH).
/// </summary>
public sealed class PackageLab : IAsyncLifetime
{
    public const string Collection = "package lab";

    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly ShopLab fixture = new();

    /// <summary>The directory served to the hosts: deb/ and rpm/.</summary>
    public string RepositoryDirectory => fixture.RepositoryDirectory;

    public ValueTask InitializeAsync() => fixture.InitializeAsync();

    public ValueTask DisposeAsync() => fixture.DisposeAsync();

    /// <summary>Runs bash -c SCRIPT as root inside the host (no SSH), whatever its exit code.</summary>
    public async Task<CommandResult> ExecAsync(string host, string script)
    {
        var started = TimeProvider.System.GetTimestamp();
        var result = await fixture.Lab.ExecAsync(host, script, CancellationToken.None).WaitAsync(Timeout);
        return new CommandResult(result.ExitCode, System.Text.Encoding.UTF8.GetBytes(result.Stdout), result.Stderr, TimeProvider.System.GetElapsedTime(started));
    }

    /// <summary>Like <see cref="ExecAsync"/>, failing the test when the script fails; returns stdout as lines (the last one too ends in a newline).</summary>
    public Task<string> CheckedExecAsync(string host, string script) => fixture.ExecAsync(host, script);

    public StepContext Context(string host, string workDirectory, StepOptions options) => new()
    {
        Host = new LabHostTransport(this, host),
        RunId = "run-1",
        Step = new PlanStep { Id = "downgrade-shopd", Kind = "package", Phase = "change", Index = 0, Options = options, Undo = UndoSpec.Derived },
        WorkDirectory = workDirectory,
        PlanDirectory = RepoRoot.Shop,
        Time = TimeProvider.System,
    };

    /// <summary>A package step for <paramref name="options"/> on <paramref name="host"/>, staged in <paramref name="workDirectory"/> (the staging must succeed).</summary>
    public async Task<(IStepExecutor Executor, StepContext Context, StepOutcome Staged)> StagedAsync(string host, string workDirectory, PackageOptions options)
    {
        var executor = new PackageStepKind().CreateExecutor(options);
        var context = Context(host, workDirectory, options);
        var token = TestContext.Current.CancellationToken;
        var staged = await Assert.IsAssignableFrom<IStagingStep>(executor).StageAsync(context, token).WaitAsync(Timeout, token);
        Assert.True(staged.IsSuccess, staged.Detail);
        return (executor, context, staged);
    }

    /// <summary>Re-indexes the served repositories after a test added or removed a package file.</summary>
    public async Task RescanAsync()
    {
        await fixture.PublishDebsAsync();
        await fixture.PublishRpmsAsync();
    }

    /// <summary>
    /// The step's view of a lab host: every command through <see cref="ExecAsync"/>, from root's home
    /// as over SSH (a cwd of / once hid a cp --parents failure); the package step sends no stdin.
    /// </summary>
    private sealed class LabHostTransport(PackageLab lab, string host) : IHostTransport
    {
        public string HostName => host;

        public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken) =>
            command.Stdin is null
                ? lab.ExecAsync(host, "cd ~ || exit 97\n" + command.Script).WaitAsync(cancellationToken)
                : throw new NotSupportedException("the package lab's transport has no stdin");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
