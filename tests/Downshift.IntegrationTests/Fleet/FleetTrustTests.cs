using Downshift.IntegrationTests.Lab;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Fleet;

/// <summary>Two lab hosts of their own (a host key gets changed here): become through sudo, and a changed host key.</summary>
public sealed class FleetTrustTests(FleetTrustTests.TwoHosts lab) : IClassFixture<FleetTrustTests.TwoHosts>, IDisposable
{
    private readonly TempDirectory work = new("downshift-trust-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Run_DeployUserWithBecome_StepsRunAsRootThroughSudo()
    {
        // Given an inventory that reaches h1 as the unprivileged 'deploy' user, with ansible_become
        var h1 = lab.Lab.Host("h1");
        var inventory = work.Combine("hosts.ini");
        await File.WriteAllTextAsync(
            inventory,
            $"[web]\nh1 ansible_host={h1.Address} ansible_user=deploy ansible_become=true ansible_ssh_private_key_file={lab.Lab.PrivateKeyPath}\n",
            Ct);
        var plan = await WritePlanAsync("web", """{id: as-root, kind: shell, command: "echo $(id -un) via $SUDO_USER > /root/become-check", check: "test -s /root/become-check", undo: "rm -f /root/become-check"}""");

        // When it runs
        var run = await CliAsync(["run", plan, "--inventory", inventory, "--known-hosts", lab.Lab.KnownHostsPath]);

        // Then the step ran as root (a file only root can write in /root), through sudo from deploy
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("root via deploy", (await lab.ExecAsync("h1", "cat /root/become-check", Ct)).Trim());
    }

    [Fact]
    public async Task Run_OneHostsKeyChanged_RefusedBeforeAnyHostIsTouchedEvenWithTrustOnFirstUse()
    {
        // Given h2 presents a new host key (the known_hosts still pins the old one)
        await lab.Lab.RegenerateHostKeyAsync("h2", Ct);
        var plan = await WritePlanAsync("h1, h2", """{id: touch, kind: shell, command: "touch /root/touched", undo: "rm -f /root/touched"}""");

        // When a run targets h1 and h2, even trusting new keys
        var run = await CliAsync(["run", plan, "--inventory", lab.Lab.InventoryPath, "--known-hosts", lab.Lab.KnownHostsPath, "--trust-new-host-keys"]);

        // Then it is refused, says the key changed, and neither host was touched or left leased
        Assert.True(run.ExitCode == 7, run.ToString());
        Assert.Contains("changed", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("h2", run.Stderr, StringComparison.Ordinal);
        foreach (var host in new[] { "h1", "h2" })
        {
            Assert.Equal("clean", (await lab.ExecAsync(host, "test -e /root/touched || test -e /var/lib/downshift/lease || echo clean", Ct)).Trim());
        }
    }

    private Task<ProcessResult> CliAsync(string[] args) =>
        CliRunner.RunAsync(args, new Dictionary<string, string?> { ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db") }, timeout: TimeSpan.FromMinutes(3), cancellationToken: Ct);

    private Task<string> WritePlanAsync(string hosts, string step) =>
        OneStepPlan.WriteAsync(work.Combine("plan.yaml"), "trust", hosts, step);

    /// <summary>A lab of two hosts for this class alone.</summary>
    public sealed class TwoHosts : LabFixture
    {
        protected override int HostCount => 2;
    }
}
