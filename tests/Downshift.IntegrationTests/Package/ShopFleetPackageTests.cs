using Downshift.Engine;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.IntegrationTests.Package;

/// <summary>
/// examples/shop/fleet on two lab hosts, run by the real engine: staging, stop, package downgrade,
/// config migration, start, and the http-checks from this machine to each host's address.
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

        // Then every host runs 2.1.0 from the package, held, with middleware_compat gone and the order flow working
        Assert.True(result.Status == RunStatus.Succeeded, result.Summary);
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

        // Then the run rolled back: 2.3.0 configured, not held, running again on every host
        Assert.True(result.Status == RunStatus.RolledBack, $"{result.Status}: {result.Summary}");
        foreach (var host in Fleet)
        {
            Assert.Equal("2.3.0 ii ", await lab.CheckedExecAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
            Assert.Equal("", (await lab.CheckedExecAsync(host, "apt-mark showhold")).Trim());
            Assert.Contains("\"2.3.0\"", await lab.CheckedExecAsync(host, "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
        }
    }

    private async Task SetupAsync()
    {
        var setup = Path.Combine(RepoPaths.Shop, "fleet", "setup.sh");
        await using var local = new LocalTransport(TimeProvider.System);
        var result = await local.RunAsync(
            new HostCommand($"{Sh.Quote(setup)} {Sh.Quote(lab.SshConfigPath)} {string.Join(' ', Fleet)}") { Timeout = PackageLab.Timeout },
            Token).WaitAsync(PackageLab.Timeout, Token);
        Assert.True(result.Succeeded, result.Output);
    }

    /// <summary>Loads the example plan for the lab hosts (the plan names the inventory group; the test gives its hosts) and runs it.</summary>
    private async Task<RunResult> RunAsync(string planFile)
    {
        using var temp = new TempDirectory("downshift-fleet-");
        var path = Path.Combine(RepoPaths.Shop, "fleet", planFile);
        var text = (await File.ReadAllTextAsync(path, Token)).Replace("hosts: [lab]", "hosts: [local]", StringComparison.Ordinal);
        var loaded = PlanLoader.Load(path, text, new Dictionary<string, string>());
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var plan = loaded.Plan! with { HostEntries = lab.Hosts(Fleet) };
        await using var journal = await SqliteJournal.OpenAsync(temp.Combine("journal.db"), TimeProvider.System, Token);
        var options = new EngineOptions { Operator = "tester", StateDirectory = "/var/lib/downshift" };
        var engine = new RunEngine(journal, lab.Connector, TimeProvider.System, SilentObserver.Instance, options);
        var result = await engine.RunAsync(plan, RunControl.None).WaitAsync(TimeSpan.FromMinutes(3), Token);
        foreach (var record in await journal.ReadAsync(result.RunId, Token))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{record.Host} {record.Event} {record.StepId} {record.Result}");
        }

        return result;
    }
}
