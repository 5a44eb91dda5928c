using Downshift.Hosts;
using Downshift.IntegrationTests.Lab;
using Downshift.Lab;
using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.IntegrationTests.Package;

/// <summary>The package tests' collection: one lab for every class, as they share the served repository.</summary>
[CollectionDefinition(PackageLab.Collection)]
public sealed class PackageLabCollection : ICollectionFixture<PackageLab>;

/// <summary>
/// Test hosts for the package step: a lab (<see cref="LabFixture"/>, two Debian hosts with their own
/// dpkg and rpm databases, apt and dnf) serving the shop packages of examples/shop/packaging/build.sh.
/// Hosts are reached with nsenter (<see cref="ExecAsync"/>), and steps run through a transport built on it.
/// </summary>
public sealed class PackageLab : IAsyncLifetime
{
    public const string Collection = "package lab";

    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly TwoHosts fixture = new();
    private readonly LocalTransport local = new(TimeProvider.System);

    /// <summary>The directory served to the hosts: deb/ and rpm/.</summary>
    public string RepositoryDirectory => fixture.RepositoryDirectory;

    /// <summary>For <c>ssh -F</c>: the host names with their addresses, key and known_hosts.</summary>
    public string SshConfigPath => fixture.Lab.SshConfigPath;

    /// <summary>Ansible INI inventory of the lab: group [lab], as the fleet plans name it.</summary>
    public string InventoryPath => fixture.Lab.InventoryPath;

    public string KnownHostsPath => fixture.Lab.KnownHostsPath;

    public string PrivateKeyPath => fixture.Lab.PrivateKeyPath;


    public async ValueTask InitializeAsync()
    {
        await fixture.InitializeAsync();
        await LocalAsync($"{Sh.Quote(Path.Combine(RepoRoot.Shop, "packaging", "build.sh"))} {Sh.Quote(RepositoryDirectory)}");
    }

    public ValueTask DisposeAsync() => fixture.DisposeAsync();

    /// <summary>
    /// Runs a script as root inside the host (no SSH): nsenter into the namespaces and root of the
    /// host's init, as <see cref="LabInstance.ExecAsync"/> does, but byte-exact and with stdin.
    /// </summary>
    public async Task<CommandResult> ExecAsync(string host, string script, ReadOnlyMemory<byte>? stdin = null)
    {
        var status = await fixture.Lab.StatusAsync(CancellationToken.None).WaitAsync(Timeout);
        var init = status.Single(s => s.Host.Name == host).InitPid
            ?? throw new InvalidOperationException($"lab host {host} is not running");
        var command = $"nsenter -t {init} -m -u -n -p -r -w -- /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin " +
                      $"HOME=/root LANG=C.UTF-8 LC_ALL=C /bin/bash -c {Sh.Quote(script)}";
        return await local.RunAsync(new HostCommand(command) { Timeout = Timeout, Stdin = stdin }, CancellationToken.None).WaitAsync(Timeout);
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
        PlanDirectory = RepoRoot.Shop,
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

    private sealed class TwoHosts : LabFixture
    {
        protected override int HostCount => 2;
    }

    /// <summary>The step's view of a lab host: every command through <see cref="ExecAsync"/>.</summary>
    private sealed class LabHostTransport(PackageLab lab, string host) : IHostTransport
    {
        public string HostName => host;

        public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken) =>
            lab.ExecAsync(host, command.Script, command.Stdin);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
