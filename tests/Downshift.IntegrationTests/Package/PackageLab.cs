using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.IntegrationTests.Package;

/// <summary>
/// Test hosts for the package step: real Debian hosts (own dpkg and rpm databases, apt and dnf) with
/// the shop packages from examples/shop/packaging/build.sh served to them. Hosts are reached with
/// nsenter (<see cref="ExecAsync"/>), and steps run through a transport built on it.
/// </summary>
[CollectionDefinition(PackageLab.Collection)]
public sealed class PackageLabCollection : ICollectionFixture<PackageLab>;

/// <summary>The lab itself (see <see cref="PackageLabCollection"/>).</summary>
public sealed class PackageLab : IAsyncLifetime
{
    /// <summary>One lab for every package test class: they share the served repository.</summary>
    public const string Collection = "package lab";

    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>A testbed made by testbed.sh (a directory with env.sh and testbed.sh); until Downshift.Lab lands.</summary>
    public const string TestbedVariable = "DOWNSHIFT_PKG_TESTBED";

    private readonly LocalTransport local = new(TimeProvider.System);
    private string testbed = "";

    /// <summary>The directory served to the hosts: deb/ and rpm/.</summary>
    public string RepositoryDirectory { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        testbed = Environment.GetEnvironmentVariable(TestbedVariable)
            ?? throw new InvalidOperationException($"set {TestbedVariable} to a testbed directory (env.sh + testbed.sh) with hosts up");
        RepositoryDirectory = (await LocalAsync($". {Sh.Quote(testbed)}/env.sh && echo \"$REPO\"")).Trim();
        await LocalAsync($"{Sh.Quote(Path.Combine(RepoPaths.Shop, "packaging", "build.sh"))} {Sh.Quote(RepositoryDirectory)}");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>For <c>ssh -F</c>: the host names with their addresses, key and known_hosts.</summary>
    public string SshConfigPath => Path.Combine(testbed, "tb", "ssh_config");

    /// <summary>The hosts with their addresses, as a plan's inventory would give them.</summary>
    public IReadOnlyList<HostEntry> Hosts(params string[] names)
    {
        var addresses = File.ReadAllLines(Path.Combine(testbed, "tb", "hosts.txt"))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        return [.. names.Select(name => new HostEntry(name) { Address = addresses[name] })];
    }

    /// <summary>Opens a lab host for the engine: every command through <see cref="ExecAsync"/>.</summary>
    public IHostConnector Connector => new LabConnector(this);

    /// <summary>Runs a script as root inside the host (no SSH) and returns its exit code and output.</summary>
    public async Task<CommandResult> ExecAsync(string host, string script)
    {
        var index = host.TrimStart('h');
        var command = $". {Sh.Quote(testbed)}/env.sh && {Sh.Quote(testbed)}/testbed.sh exec {index} " +
                      $"/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C /bin/bash -c {Sh.Quote(script)}";
        return await local.RunAsync(new HostCommand(command) { Timeout = Timeout }, CancellationToken.None).WaitAsync(Timeout);
    }

    /// <summary>Like <see cref="ExecAsync"/>, failing the test when the script fails; returns stdout.</summary>
    public async Task<string> CheckedExecAsync(string host, string script)
    {
        var result = await ExecAsync(host, script);
        Assert.True(result.Succeeded, $"on {host}: {script}\nexit {result.ExitCode}: {result.Output}");
        return result.StdoutText;
    }

    public StepContext Context(string host, string workDirectory, StepOptions options) => new()
    {
        Host = new LabHostTransport(this, host),
        RunId = "run-1",
        Step = new PlanStep { Id = "downgrade-shopd", Kind = "package", Phase = "change", Index = 0, Options = options, Undo = UndoSpec.Derived },
        WorkDirectory = workDirectory,
        PlanDirectory = RepoPaths.Shop,
        Time = TimeProvider.System,
    };

    /// <summary>Re-indexes the served repositories after a test added or removed a package file.</summary>
    public Task RescanAsync() => LocalAsync(
        $"cd {Sh.Quote(RepositoryDirectory)}/deb && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null > Packages && gzip -n -9 -c Packages > Packages.gz && " +
        $"createrepo_c --quiet --update {Sh.Quote(RepositoryDirectory)}/rpm >/dev/null");

    private async Task<string> LocalAsync(string script)
    {
        var result = await local.RunAsync(new HostCommand(script) { Timeout = Timeout }, CancellationToken.None).WaitAsync(Timeout);
        return result.Succeeded ? result.StdoutText : throw new InvalidOperationException($"{script}: exit {result.ExitCode}: {result.Output}");
    }

    private sealed class LabConnector(PackageLab lab) : IHostConnector
    {
        public Task<IHostTransport> ConnectAsync(HostEntry host, CancellationToken cancellationToken) =>
            Task.FromResult<IHostTransport>(new LabHostTransport(lab, host.Name));
    }

    /// <summary>The step's view of a lab host: every command through <see cref="ExecAsync"/>.</summary>
    private sealed class LabHostTransport(PackageLab lab, string host) : IHostTransport
    {
        public string HostName => host;

        // Exec has no stdin: a step's input (the config step's new file) travels in the script, base64-encoded.
        public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken) =>
            lab.ExecAsync(
                host,
                command.Stdin is { } stdin
                    ? $"printf %s {Convert.ToBase64String(stdin.Span)} | base64 -d | bash -c {Sh.Quote(command.Script)}"
                    : command.Script);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
