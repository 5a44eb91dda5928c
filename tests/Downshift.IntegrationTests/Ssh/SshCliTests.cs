using System.Text.Json;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Ssh;

/// <summary>The real CLI reaching a real sshd: run and rollback over SSH, the inventory listing, a refused host key.</summary>
public sealed class SshCliTests(SshServerFixture fixture) : IClassFixture<SshServerFixture>, IDisposable
{
    private readonly SshServer server = fixture.Server;
    private readonly TempDirectory work = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunThenRollback_PlanOnAnInventoryHost_ChangesTheHostOverSshAndUndoesIt()
    {
        // Given an inventory with the sshd as host 'box' in group 'web', and a plan targeting the group
        var marker = work.Combine("marker");
        var plan = await WritePlanAsync("web", $$"""{id: mark, kind: shell, command: "echo \"$SSH_CONNECTION\" > {{marker}}", undo: "rm -f {{marker}}", check: "test -f {{marker}}"}""");

        // When it runs
        var run = await CliRunner.RunAsync(["run", plan, "--json", "--known-hosts", server.KnownHostsPath], Environment(), cancellationToken: Ct);

        // Then the step ran on the host, over SSH: in a session of this sshd (SSH_CONNECTION ends with its port), logged in by key
        Assert.True(run.ExitCode == 0, run.ToString());
        var connection = (await File.ReadAllTextAsync(marker, Ct)).Trim();
        Assert.Matches($@"^127\.0\.0\.1 \d+ 127\.0\.0\.1 {server.Port}$", connection);
        Assert.Contains("Accepted publickey for root", server.LogText, StringComparison.Ordinal);
        var runId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run").GetString()!;

        // And after the inventory changes, rollback still reaches the host the run used
        await File.WriteAllTextAsync(work.Combine("hosts.ini"), "[web]\nelsewhere ansible_host=192.0.2.1\n", Ct);
        var rollback = await CliRunner.RunAsync(["rollback", runId, "--known-hosts", server.KnownHostsPath], Environment(), cancellationToken: Ct);
        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Inventory_Json_ListsTheResolvedHosts()
    {
        var plan = await WritePlanAsync("web", """{id: noop, kind: shell, command: "true", undo: "true"}""");

        var result = await CliRunner.RunAsync(["inventory", plan, "--json"], Environment(), cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        var host = Assert.Single(JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray());
        Assert.Equal(("box", "127.0.0.1", server.Port, "root"), (host.GetProperty("name").GetString(), host.GetProperty("address").GetString(), host.GetProperty("port").GetInt32(), host.GetProperty("user").GetString()));
        Assert.Equal("web", host.GetProperty("groups")[0].GetString());
    }

    [Fact]
    public async Task Run_UnknownHostKey_IsRefusedBeforeAnyStep()
    {
        var marker = work.Combine("never");
        var plan = await WritePlanAsync("box", $$"""{id: mark, kind: shell, command: "touch {{marker}}", undo: "rm -f {{marker}}"}""");

        var result = await CliRunner.RunAsync(["run", plan, "--known-hosts", work.Combine("empty_known_hosts")], Environment(), cancellationToken: Ct);

        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Contains("is not known", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Run_TrustNewHostKeys_PinsTheKeyAndJournalsIt()
    {
        // Given a host whose key the operator's known_hosts does not hold
        var knownHosts = work.Combine("tofu_known_hosts");
        var plan = await WritePlanAsync("box", """{id: noop, kind: shell, command: "true", undo: "true"}""");

        // When the run trusts new keys
        var run = await CliRunner.RunAsync(["run", plan, "--json", "--known-hosts", knownHosts, "--trust-new-host-keys"], Environment(), cancellationToken: Ct);

        // Then the key is pinned and the journal says so
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"[127.0.0.1]:{server.Port} ssh-ed25519 ", await File.ReadAllTextAsync(knownHosts, Ct), StringComparison.Ordinal);
        var runId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run").GetString()!;
        var log = await CliRunner.RunAsync(["log", runId], Environment(), cancellationToken: Ct);
        Assert.Contains("trusted the new ssh-ed25519 host key SHA256:", log.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => work.Dispose();

    private Dictionary<string, string?> Environment() => new()
    {
        ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
        ["DOWNSHIFT_STATE_DIR"] = work.Combine("state"),
    };

    private async Task<string> WritePlanAsync(string hosts, string step)
    {
        await File.WriteAllTextAsync(
            work.Combine("hosts.ini"),
            $"[web]\nbox ansible_host=127.0.0.1 ansible_port={server.Port} ansible_user=root ansible_ssh_private_key_file={server.ClientKeyPath}\n",
            Ct);
        return await OneStepPlan.WriteAsync(work.Combine("plan.yaml"), "ssh-test", hosts, step, inventory: "hosts.ini");
    }
}
