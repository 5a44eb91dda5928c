using Downshift.Hosts;
using Downshift.Plans;

namespace Downshift.Tests.Inventory;

/// <summary>A plan's <c>hosts:</c> resolved against its inventory, inline hosts, and stored hosts.</summary>
public sealed class PlanHostsTests : IDisposable
{
    private const string Inventory = """
        [web]
        web1 ansible_host=10.0.0.1
        web2 ansible_host=10.0.0.2 ansible_user=deploy ansible_become=true

        [db]
        db1 ansible_host=10.0.1.1 ansible_port=2222
        """;

    private readonly TempDirectory directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoadAsync_NamesGroupsAndInlineHosts_ResolveInPlanOrderWithoutDuplicates()
    {
        // Given a plan naming a host, a group that holds it again, an inline host and local
        var result = await LoadAsync("""
            inventory: hosts.ini
            hosts:
              - web2
              - web
              - {name: cache1, address: 10.0.2.1, port: 2200, user: ops, key: keys/cache, become: true}
              - local
              - db1
            """);

        // Then each host appears once, where it first appears, with how to reach it
        var hosts = result.Plan!.HostEntries;
        Assert.Equal(["web2", "web1", "cache1", "local", "db1"], hosts.Select(h => h.Name));
        Assert.Equal(("10.0.0.2", "deploy", true), (hosts[0].Address, hosts[0].User, hosts[0].Become));
        Assert.Equal(("10.0.2.1", 2200, "ops", directory.Combine("keys", "cache"), true), (hosts[2].Address, hosts[2].Port, hosts[2].User, hosts[2].KeyFile, hosts[2].Become));
        Assert.True(hosts[3].IsLocal);
        Assert.Equal(2222, hosts[4].Port);
    }

    [Fact]
    public async Task LoadAsync_UnknownNames_ArePositionedErrorsWithSuggestions()
    {
        var result = await LoadAsync("""
            inventory: hosts.ini
            hosts:
              - webb1
              - {name: x, port: 70000, colour: red}
            """);

        Assert.Equal(
            [
                $"{directory.Combine("plan.yaml")}:13:5: unknown host 'webb1': it is neither a host nor a group of {directory.Combine("hosts.ini")}; did you mean 'web1'? (at hosts[0])",
                $"{directory.Combine("plan.yaml")}:14:21: 'port' must be between 1 and 65535, not 70000 (at hosts[1].port)",
                $"{directory.Combine("plan.yaml")}:14:28: unknown key 'colour' in an inline host (at hosts[1].colour)",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task LoadAsync_HostWithoutInventory_SaysHowToDeclareIt()
    {
        var result = await LoadAsync("hosts: [web1]", writeInventory: false);

        var error = Assert.Single(result.Errors);
        Assert.Contains("there is no inventory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_BrokenInventory_ReportsItsErrorsToo()
    {
        await File.WriteAllTextAsync(directory.Combine("hosts.ini"), "[web]\nweb1 ansible_port=x\n", Ct);

        var result = await LoadAsync("inventory: hosts.ini\nhosts: [web]", writeInventory: false);

        Assert.Contains(result.Errors, e => e.ToString().StartsWith($"{directory.Combine("hosts.ini")}:2:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoadAsync_InventoryOverride_ReplacesThePlansInventory()
    {
        await File.WriteAllTextAsync(directory.Combine("other.ini"), "[web]\nweb7 ansible_host=10.9.9.9\n", Ct);

        var result = await LoadAsync("inventory: hosts.ini\nhosts: [web]", options: new PlanLoadOptions { InventoryPath = directory.Combine("other.ini") });

        Assert.Equal(["web7"], result.Plan!.Hosts);
    }

    [Fact]
    public async Task Load_ResolvedHosts_AreUsedEvenIfTheInventoryChanged()
    {
        // Given a plan whose hosts were resolved and stored when its run started
        var loaded = await LoadAsync("inventory: hosts.ini\nhosts: [web]");
        var stored = HostEntryJson.Serialize(loaded.Plan!.HostEntries);
        await File.WriteAllTextAsync(directory.Combine("hosts.ini"), "[web]\nweb9\n", Ct);

        // When the plan is loaded again for resume with the stored hosts
        var again = PlanLoader.Load(loaded.Plan.SourcePath, loaded.Plan.Text, new Dictionary<string, string>(), new PlanLoadOptions { ResolvedHosts = HostEntryJson.Deserialize(stored) });

        // Then the hosts are the stored ones, with how they were reached
        Assert.Equal(["web1", "web2"], again.Plan!.Hosts);
        var web2 = again.Plan.HostEntries[1];
        Assert.Equal(("10.0.0.2", "deploy", true), (web2.Address, web2.User, web2.Become));
        Assert.Equal(["web"], web2.Groups);
    }

    public void Dispose() => directory.Dispose();

    private async Task<PlanLoadResult> LoadAsync(string hosts, bool writeInventory = true, PlanLoadOptions? options = null)
    {
        if (writeInventory)
        {
            await File.WriteAllTextAsync(directory.Combine("hosts.ini"), Inventory, Ct);
        }

        var text = $"""
            downshift: 1
            name: fleet
            reason: {"{"}kind: bug, detail: 2.0 loses writes{"}"}
            scope: {"{"}kind: system{"}"}
            from: "2.0"
            to: "1.9"
            phases:
              - name: change
                steps:
                  - {"{"}id: say, kind: shell, command: "echo hi", undo: "echo undo"{"}"}
            {hosts}
            """;
        return await PlanLoader.LoadAsync(directory.Combine("plan.yaml"), text, new Dictionary<string, string>(), options ?? PlanLoadOptions.None, Ct);
    }
}
