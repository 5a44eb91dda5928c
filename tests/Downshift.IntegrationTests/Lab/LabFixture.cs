using Downshift.IntegrationTests.TestSupport;
using Downshift.Lab;

namespace Downshift.IntegrationTests.Lab;

/// <summary>
/// A lab of real hosts for one test class (<c>IClassFixture&lt;LabFixture&gt;</c>): a unique name and a free
/// subnet, a repository directory served to the hosts (deb/ for apt, rpm/ for dnf), SSH with the real
/// client, and a clean teardown. Subclass it to change <see cref="HostCount"/>. The first lab on a machine
/// builds the cached rootfs (2–3 minutes); after that a lab is up in seconds. See docs/lab.md.
/// </summary>
public class LabFixture : IAsyncLifetime
{
    /// <summary>A bound for any one lab operation in a test (up, an ssh command, apt-get).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Labs of the tests live here, apart from the operator's (/var/lib/downshift-lab).</summary>
    public static readonly string StateRoot = Path.Combine(Path.GetTempPath(), "downshift-lab-tests");

    /// <summary>Up to 15 minutes: the first lab on a fresh machine builds the rootfs.</summary>
    public static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(15);

    private readonly TempDirectory repository = new("downshift-lab-repo-");
    private LabInstance? lab;

    /// <summary>How many hosts (h1..hN) the lab has.</summary>
    protected virtual int HostCount => 3;

    public LabInstance Lab => lab ?? throw new InvalidOperationException("the lab is not up (InitializeAsync has not run)");

    /// <summary>Served at <see cref="LabInstance.RepositoryUrl"/>: put .deb files in deb/ and .rpm files in rpm/, then publish.</summary>
    public string RepositoryDirectory => repository.Path;

    public string DebDirectory => Path.Combine(repository.Path, "deb");

    public string RpmDirectory => Path.Combine(repository.Path, "rpm");

    /// <summary>A fresh random lab name: 'x' and four [a-z0-9] (parallel runs and classes never share one).</summary>
    public static string UniqueName() => "x" + string.Concat(Enumerable.Range(0, 4).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[Random.Shared.Next(36)]));

    public virtual async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(DebDirectory);
        Directory.CreateDirectory(RpmDirectory);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(UpTimeout);
        await PublishDebsAsync(limit.Token);
        await PublishRpmsAsync(limit.Token);
        lab = await Downshift.Lab.Lab.UpAsync(
            new LabOptions { Name = UniqueName(), Hosts = HostCount, RepositoryDirectory = repository.Path, StateRoot = StateRoot },
            limit.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (lab is not null)
        {
            await lab.DisposeAsync();
        }

        repository.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs COMMAND on HOST with the real <c>ssh</c> client, the lab's ssh_config and strict known_hosts.</summary>
    public Task<ProcessResult> SshAsync(string host, string command, string user = "root", CancellationToken cancellationToken = default) =>
        CliRunner.RunProcessAsync("ssh", ["-F", Lab.SshConfigPath, "-l", user, host, command], timeout: Timeout, cancellationToken: cancellationToken);

    /// <summary>Runs bash -c SCRIPT inside HOST (no ssh) and fails the test when it fails.</summary>
    public async Task<string> ExecAsync(string host, string script, CancellationToken cancellationToken = default)
    {
        var result = await Lab.ExecAsync(host, script, cancellationToken).WaitAsync(Timeout, cancellationToken);
        Assert.True(result.Succeeded, $"'{script}' on {host} failed (exit {result.ExitCode}):\n{result.Output}");
        return result.Stdout;
    }

    /// <summary>
    /// Rewrites deb/Packages and Packages.gz (dpkg-scanpackages --multiversion): every version of every
    /// .deb in deb/. The new index is always at least a whole second newer than the one it replaces: the
    /// lab's HTTP server sends Last-Modified in seconds and answers apt's If-Modified-Since with 304, so
    /// two rewrites within one second would leave the hosts on the older index.
    /// </summary>
    public async Task PublishDebsAsync(CancellationToken cancellationToken = default)
    {
        var index = Path.Combine(DebDirectory, "Packages");
        DateTime? before = File.Exists(index) ? File.GetLastWriteTimeUtc(index) : null;
        var result = await CliRunner.RunProcessAsync(
            "/bin/sh", ["-c", "dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null && gzip -n -9 -c Packages > Packages.gz"],
            workingDirectory: DebDirectory, timeout: Timeout, cancellationToken: cancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());
        if (before is { } previous && File.GetLastWriteTimeUtc(index) < previous.AddSeconds(1))
        {
            var later = previous.AddSeconds(1);
            File.SetLastWriteTimeUtc(index, later);
            File.SetLastWriteTimeUtc(index + ".gz", later);
        }
    }

    /// <summary>Rewrites rpm/repodata (createrepo_c) for the .rpm files in rpm/.</summary>
    public async Task PublishRpmsAsync(CancellationToken cancellationToken = default)
    {
        var result = await CliRunner.RunProcessAsync("createrepo_c", ["-q", RpmDirectory], timeout: Timeout, cancellationToken: cancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
