using Downshift.IntegrationTests.Lab;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Fleet;

/// <summary>
/// Three lab hosts serving the shop's real packages (examples/shop/packaging/build.sh: shopd 2.1.0,
/// the broken 2.2.0 and 2.3.0 as .deb and .rpm), each host set up by examples/shop/fleet/setup.sh
/// on demand: shopd 2.3.0 installed and running, as in case C1.
/// </summary>
public class ShopLab : LabFixture
{
    public override async ValueTask InitializeAsync()
    {
        var build = await CliRunner.RunProcessAsync(
            Path.Combine(RepoRoot.Shop, "packaging", "build.sh"), [RepositoryDirectory], timeout: Timeout, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(build.ExitCode == 0, build.ToString());
        await base.InitializeAsync();
    }

    /// <summary>shopd 2.3.0 installed (not held), its config edited by "the admin", running on every host named.</summary>
    public Task SetUpShopAsync(params string[] hosts) => SetUpAsync([Lab.SshConfigPath, .. hosts]);

    /// <summary>As <see cref="SetUpShopAsync"/>, with the orders in each host's own PostgreSQL at schema 2.3 (setup.sh --postgres).</summary>
    public Task SetUpShopOnPostgresAsync(params string[] hosts) => SetUpAsync(["--postgres", Lab.SshConfigPath, .. hosts]);

    private async Task SetUpAsync(string[] arguments)
    {
        var setup = await CliRunner.RunProcessAsync(
            Path.Combine(RepoRoot.Shop, "fleet", "setup.sh"), arguments, timeout: Timeout, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(setup.ExitCode == 0, setup.ToString());
    }

    /// <summary>The CLI options that reach the lab's hosts: its Ansible inventory and its known_hosts.</summary>
    public string[] CliHostOptions => ["--inventory", Lab.InventoryPath, "--known-hosts", Lab.KnownHostsPath];
}
