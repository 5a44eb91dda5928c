using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Lab;

/// <summary>Four hosts of one lab: h1 and h2 for general checks, h3 for the link test, h4 for the host-key test.</summary>
public sealed class FourHostLabFixture : LabFixture
{
    protected override int HostCount => 4;
}

public sealed class LabHostTests(FourHostLabFixture fixture) : IClassFixture<FourHostLabFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ssh_EveryHost_AnswersWithItsOwnNameAndDebianPackages()
    {
        foreach (var host in fixture.Lab.Hosts.Take(3))
        {
            // When ssh (real client, strict known_hosts) asks each host for its name and package count
            var result = await fixture.SshAsync(host.Name, "hostname && dpkg -l | wc -l", cancellationToken: Token);

            // Then each host answers as itself, with a Debian package database of its own
            Assert.True(result.ExitCode == 0, result.ToString());
            var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(host.Name, lines[0]);
            Assert.True(int.Parse(lines[1]) > 50, result.Stdout);
        }
    }

    [Fact]
    public async Task Ssh_ByAddress_IsAcceptedByKnownHosts()
    {
        var host = fixture.Lab.Hosts[0];

        var result = await fixture.SshAsync(host.Address, "cat /etc/hostname", cancellationToken: Token);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(host.Name, result.Stdout.Trim());
    }

    [Fact]
    public async Task Overlay_FileWrittenInH1_IsNotVisibleInH2()
    {
        // Given a file written in h1
        var marker = $"/root/marker-{Guid.NewGuid():N}";
        await fixture.ExecAsync("h1", $"echo h1 > {marker}", Token);

        // Then h1 sees it and h2 does not (each host has its own overlay upper dir)
        Assert.Equal("h1", (await fixture.ExecAsync("h1", $"cat {marker}", Token)).Trim());
        Assert.Equal("absent", (await fixture.ExecAsync("h2", $"test -e {marker} && echo present || echo absent", Token)).Trim());
    }

    [Fact]
    public async Task Apt_TinyDebInTheLabRepository_InstallsOnlyOnThatHost()
    {
        // Given a tiny .deb published in the lab's repository
        var name = $"labtiny{Random.Shared.Next(100000)}";
        await TestPackages.BuildDebAsync(fixture.DebDirectory, name, "1.0-1", Token);
        await fixture.PublishDebsAsync(Token);

        // When h1 installs it with apt (the lab repository is its only source)
        var install = await fixture.Lab.ExecAsync("h1", $"apt-get update -q && apt-get install -y -q {name}", Token).WaitAsync(LabFixture.Timeout, Token);

        // Then h1 has it; h2 and the controller do not (separate dpkg databases)
        Assert.True(install.Succeeded, install.Output);
        Assert.Equal("1.0-1", (await fixture.ExecAsync("h1", $"dpkg-query -W -f='${{Version}}' {name}", Token)).Trim());
        Assert.Equal("1.0-1", (await fixture.ExecAsync("h1", $"cat /usr/share/{name}/VERSION", Token)).Trim());
        Assert.False((await fixture.Lab.ExecAsync("h2", $"dpkg -s {name}", Token)).Succeeded);
        var controller = await CliRunner.RunProcessAsync("dpkg", ["-s", name], cancellationToken: Token);
        Assert.NotEqual(0, controller.ExitCode);
        Assert.False(File.Exists($"/usr/share/{name}/VERSION"));
    }

    [Fact]
    public async Task Apt_Sources_AreOnlyTheLabRepository()
    {
        // (indextargets lists only what an update fetched: without one it is empty and proves nothing)
        var sites = await fixture.ExecAsync("h1", "apt-get update -qq >/dev/null && apt-get indextargets --format '$(SITE)' | sort -u", Token);

        // Exactly one site, the lab's (whatever mirror the rootfs came from is gone)
        Assert.Equal([$"{fixture.Lab.RepositoryUrl}/deb"], sites.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(site => site.TrimEnd('/')));
        Assert.Contains(fixture.Lab.RepositoryUrl, (await fixture.ExecAsync("h1", "cat /etc/apt/sources.list.d/lab.list", Token)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dnf_TinyRpmInTheLabRepository_InstallsOnThatHost()
    {
        // Given dnf and rpm run on the host, and a tiny noarch rpm published in the lab repository
        await fixture.ExecAsync("h2", "dnf --version && rpm -qa", Token);
        var name = $"labrpm{Random.Shared.Next(100000)}";
        await TestPackages.BuildRpmAsync(fixture.RpmDirectory, name, "2.0", Token);
        await fixture.PublishRpmsAsync(Token);

        // When h2 installs it with dnf from the lab repository
        var install = await fixture.Lab.ExecAsync("h2", $"dnf -y --refresh install {name}", Token).WaitAsync(LabFixture.Timeout, Token);

        // Then rpm on h2 lists it, and h1 does not have it
        Assert.True(install.Succeeded, install.Output);
        Assert.Equal($"{name}-2.0-1.noarch", (await fixture.ExecAsync("h2", $"rpm -q {name}", Token)).Trim());
        Assert.False((await fixture.Lab.ExecAsync("h1", $"rpm -q {name}", Token)).Succeeded);
    }

    [Fact]
    public async Task Deploy_SudoWithoutPassword_Works()
    {
        var result = await fixture.SshAsync("h1", "id -un && sudo -n true && sudo -n id -un", user: "deploy", cancellationToken: Token);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["deploy", "root"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Supervisor_RunsSshdAsTheHostsFirstProcess()
    {
        var status = await fixture.ExecAsync("h1", "ps -o comm= -p 1; supervisorctl status sshd", Token);

        Assert.StartsWith("supervisord", status, StringComparison.Ordinal);
        Assert.Contains("RUNNING", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetLink_Down_SshFails_Up_RestoresIt()
    {
        try
        {
            // When h3's link is down, ssh to it fails
            await fixture.Lab.SetLinkAsync("h3", up: false, Token);
            var cut = await fixture.SshAsync("h3", "true", cancellationToken: Token);
            Assert.NotEqual(0, cut.ExitCode);
        }
        finally
        {
            await fixture.Lab.SetLinkAsync("h3", up: true, Token);
        }

        // Then with the link up again ssh works
        var restored = await fixture.SshAsync("h3", "hostname", cancellationToken: Token);
        Assert.True(restored.ExitCode == 0, restored.ToString());
    }

    [Fact]
    public async Task RegenerateHostKey_StrictClient_RefusesTheHost()
    {
        // Given h4 answers ssh with the key in known_hosts
        Assert.Equal(0, (await fixture.SshAsync("h4", "true", cancellationToken: Token)).ExitCode);

        // When h4 gets a new host key
        var key = await fixture.Lab.RegenerateHostKeyAsync("h4", Token);

        // Then ssh with StrictHostKeyChecking refuses it
        Assert.StartsWith("ssh-ed25519 ", key, StringComparison.Ordinal);
        var refused = await fixture.SshAsync("h4", "true", cancellationToken: Token);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("host key", refused.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
