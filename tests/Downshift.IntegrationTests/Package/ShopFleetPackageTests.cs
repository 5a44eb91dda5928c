using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Package;

/// <summary>
/// examples/shop/fleet on two lab hosts, run by the real CLI over SSH with the lab's inventory:
/// staging, stop, package downgrade, config migration, start, and the http-checks from this machine
/// to each host's address.
/// </summary>
[Collection(PackageLab.Collection)]
public sealed class ShopFleetPackageTests(PackageLab lab)
{
    private static readonly string[] Fleet = ["h1", "h2"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_FleetPlan_EveryHostRuns210FromThePackageWithItsConfigMigrated()
    {
        // Given shopd 2.3.0 running on both hosts (setup.sh)
        await SetupAsync();

        // When the fleet plan runs
        var result = await RunAsync("plan.yaml");

        // Then it succeeds (exit 0), and every host runs 2.1.0 from the package, held, with middleware_compat gone
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var host in Fleet)
        {
            Assert.Equal("2.1.0 hi ", await lab.CheckedExecAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
            Assert.DoesNotContain("middleware_compat", await lab.CheckedExecAsync(host, "cat /etc/shopd/shopd.conf"), StringComparison.Ordinal);
            Assert.Contains("\"2.1.0\"", await lab.CheckedExecAsync(host, "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_FailingFleetPlan_BrokenPostinstRollsEveryHostBackTo230()
    {
        // Given shopd 2.3.0 running on both hosts
        await SetupAsync();

        // When the plan to the broken 2.2.0 runs
        var result = await RunAsync("plan-failing.yaml");

        // Then the run rolled back (exit 3): 2.3.0 configured, not held, running again on every host
        Assert.True(result.ExitCode == 3, result.ToString());
        foreach (var host in Fleet)
        {
            Assert.Equal("2.3.0 ii ", await lab.CheckedExecAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
            Assert.Equal("", (await lab.CheckedExecAsync(host, "apt-mark showhold")).Trim());
            Assert.Contains("\"2.3.0\"", await lab.CheckedExecAsync(host, "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
        }
    }

    private async Task SetupAsync()
    {
        var setup = Path.Combine(RepoRoot.Shop, "fleet", "setup.sh");
        await using var local = new LocalTransport(TimeProvider.System);
        var result = await local.RunAsync(
            new HostCommand($"{Sh.Quote(setup)} {Sh.Quote(lab.SshConfigPath)} {string.Join(' ', Fleet)}") { Timeout = PackageLab.Timeout },
            Token).WaitAsync(PackageLab.Timeout, Token);
        Assert.True(result.Succeeded, result.Output);
    }

    /// <summary>Runs the example plan with the real CLI over SSH, against the lab's inventory, host keys and key.</summary>
    private async Task<ProcessResult> RunAsync(string planFile)
    {
        using var temp = new TempDirectory("downshift-fleet-");
        var result = await CliRunner.RunAsync(
            [
                "run", Path.Combine(RepoRoot.Shop, "fleet", planFile), "--inventory", lab.InventoryPath,
                "--known-hosts", lab.KnownHostsPath, "--ssh-key", lab.PrivateKeyPath, "--journal", temp.Combine("journal.db"),
            ],
            timeout: TimeSpan.FromMinutes(3),
            cancellationToken: Token);
        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());
        return result;
    }
}
