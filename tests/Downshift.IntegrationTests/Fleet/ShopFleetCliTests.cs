using System.Text.Json;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Fleet;

/// <summary>
/// Case C1 on a fleet, end to end: the real CLI, over SSH to three lab hosts (the lab's Ansible
/// inventory and pinned host keys), with real apt downgrades of the shop's packages; every result
/// checked on the hosts themselves (dpkg, apt-mark, the config file, shopd's /health, the lease file).
/// Also the fleet's hard paths on real hosts: the CLI SIGKILLed mid-run then resumed, the failure budget
/// (max-failed), and a connection lost mid-step, judged by the step's check or, with none, rolled back.
/// </summary>
public sealed class ShopFleetCliTests(ShopLab lab) : IClassFixture<ShopLab>, IDisposable
{
    private static readonly string[] Fleet = ["h1", "h2", "h3"];
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);
    private readonly TempDirectory work = new("downshift-fleet-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Plan(string file) => Path.Combine(RepoRoot.Shop, "fleet", file);

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task RunThenRollback_CanaryThenBatchOfTwo_EveryHostOn210ThenBackOn230()
    {
        // Given shopd 2.3.0 running on the three hosts
        await lab.SetUpShopAsync(Fleet);

        // When the fleet plan runs (canary h1, then h2 + h3)
        var run = await CliAsync(["run", Plan("plan.yaml"), "--json", .. lab.CliHostOptions]);

        // Then it succeeded, batch by batch, and every host runs the 2.1.0 package, held, config migrated
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("canary: h1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("batch 1/1: h2, h3", run.Stderr, StringComparison.Ordinal);
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(["changed", "changed", "changed"], result.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("state").GetString()));
        foreach (var host in Fleet)
        {
            await AssertShopAsync(host, "2.1.0", held: true);
            Assert.DoesNotContain("middleware_compat", await OnHostAsync(host, "cat /etc/shopd/shopd.conf"), StringComparison.Ordinal);
        }

        // When the operator rolls the run back
        var runId = result.GetProperty("run").GetString()!;
        var rollback = await CliAsync(["rollback", runId, .. lab.CliHostOptions]);

        // Then every host is on 2.3.0 again, configured, not held, serving, with the admin's config back
        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        foreach (var host in Fleet)
        {
            await AssertShopAsync(host, "2.3.0", held: false);
            Assert.Contains("middleware_compat=lenient", await OnHostAsync(host, "cat /etc/shopd/shopd.conf"), StringComparison.Ordinal);
            Assert.Equal("no lease", await OnHostAsync(host, "test -e /var/lib/downshift/lease && cat /var/lib/downshift/lease || echo no lease"));
        }
    }

    [Fact]
    public async Task Run_BrokenPackageOnTheCanary_OnlyTheCanaryTouchedAndBackOn230()
    {
        // Given shopd 2.3.0 running on the three hosts
        await lab.SetUpShopAsync(Fleet);
        var startedBefore = await StartTimesAsync();

        // When the plan to the broken 2.2.0 (its postinst fails) runs
        var run = await CliAsync(["run", Plan("plan-failing.yaml"), "--json", .. lab.CliHostOptions]);

        // Then the canary failed and rolled back; h2 and h3 were never touched (shopd never restarted)
        Assert.True(run.ExitCode == 3, run.ToString());
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Contains("canary failed on h1", result.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(["rolled-back", "untouched", "untouched"], result.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("state").GetString()));
        Assert.Equal("2.3.0 ii", await OnHostAsync("h1", "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
        Assert.Equal("", await OnHostAsync("h1", "apt-mark showhold"));
        Assert.Contains("\"2.3.0\"", await OnHostAsync("h1", "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
        var startedAfter = await StartTimesAsync();
        Assert.NotEqual(startedBefore["h1"], startedAfter["h1"]);
        Assert.Equal(startedBefore["h2"], startedAfter["h2"]);
        Assert.Equal(startedBefore["h3"], startedAfter["h3"]);
    }

    [Fact]
    public async Task Run_SecondRunOnAHostAnotherRunHolds_RefusedWithExit5()
    {
        // Given a run that holds h2 (its step sleeps long enough for a slow machine)
        var slow = await WritePlanAsync("slow", "h2", """{id: wait, kind: shell, command: "sleep 120", undo: none, undo-reason: "a pause"}""");
        await using var first = await CliRunner.StartAsync(["run", slow, .. lab.CliHostOptions], Environment(), timeout: RunLimit);
        await WaitOnHostAsync("h2", "grep -q run= /var/lib/downshift/lease", "the first run did not take h2's lease");

        // When a second run targets h2 and h3
        var other = await WritePlanAsync("other", "h3, h2", """{id: touch, kind: shell, command: "touch /root/second-run", undo: "rm -f /root/second-run"}""");
        var second = await CliAsync(["run", other, .. lab.CliHostOptions]);

        // Then it is refused, names the holder, and changed nothing on either host
        Assert.True(second.ExitCode == 5, second.ToString());
        Assert.Contains("is held by run", second.Stderr, StringComparison.Ordinal);
        Assert.Equal("absent", await OnHostAsync("h3", "test -e /root/second-run && echo present || echo absent"));
        Assert.Equal("no lease", await OnHostAsync("h3", "test -e /var/lib/downshift/lease && echo lease || echo no lease"));
        Assert.Contains("run=", await OnHostAsync("h2", "cat /var/lib/downshift/lease"), StringComparison.Ordinal);

        // And the first run, still holding h2, stops cleanly on Ctrl+C and gives the lease back
        await first.KillAsync(Signal.Int, Ct);
        var firstResult = await first.WaitForExitAsync(RunLimit, Ct);
        Assert.True(firstResult.ExitCode == 130, firstResult.ToString());
        Assert.Equal("no lease", await OnHostAsync("h2", "test -e /var/lib/downshift/lease && echo lease || echo no lease"));
    }

    [Fact]
    public async Task Run_ConnectionCutMidStep_ReconnectsAndJudgesTheStepByItsCheck()
    {
        // Given a step on h3 that says it started, then waits for the test's go before it leaves its marker; its check looks for the marker
        await OnHostAsync("h3", "rm -f /root/cut-started /root/cut-go /root/cut-done");
        var plan = await WritePlanAsync(
            "cut", "h3", """{id: slow-change, kind: shell, command: "touch /root/cut-started; until [ -e /root/cut-go ]; do sleep 0.1; done; touch /root/cut-done", check: "test -e /root/cut-done", undo: "rm -f /root/cut-done"}""");

        // When the host's SSH sessions are killed while the step waits (the TCP connection breaks), and only then the step may go on
        await using var run = await CliRunner.StartAsync(["run", plan, "--json", .. lab.CliHostOptions], Environment(), timeout: RunLimit);
        await WaitOnHostAsync("h3", "test -e /root/cut-started", "the step did not start on h3");
        await OnHostAsync("h3", "pkill -KILL -f '^sshd: root@'; touch /root/cut-go");
        var result = await run.WaitForExitAsync(RunLimit, Ct);

        // Then the run reconnected, judged the step by its check (ran again only if it had not taken effect) and succeeded
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("present", await OnHostAsync("h3", "test -e /root/cut-done && echo present || echo absent"));
        var log = await CliAsync(["log", RunId(result)]);
        Assert.Contains("connection lost mid-step", log.Stdout, StringComparison.Ordinal);
        Assert.Contains("its check says", log.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LinkCutMidStepWithNoCheck_StepFailsAndRollsBackOnceTheLinkIsBackNeverRerun()
    {
        // Given a step on h3 with no check: it counts its runs, then waits for the test's go before it leaves its marker
        await OnHostAsync("h3", "rm -f /root/link-runs /root/link-go /root/link-done");
        var plan = await WritePlanAsync(
            "link", "h3", """{id: blind-change, kind: shell, command: "echo ran >> /root/link-runs; until [ -e /root/link-go ]; do sleep 0.1; done; touch /root/link-done", undo: "rm -f /root/link-done; echo undone >> /root/link-runs"}""");
        await using var run = await CliRunner.StartAsync(["run", plan, "--json", .. lab.CliHostOptions], Environment(), timeout: RunLimit);
        await WaitOnHostAsync("h3", "test -e /root/link-runs", "the step did not start on h3");

        // When h3's link goes down mid-step, and while it is down the host drops the SSH session (the step goes on and takes effect)
        await lab.Lab.SetLinkAsync("h3", up: false, Ct);
        try
        {
            await OnHostAsync("h3", "pkill -KILL -f '^sshd: root@'; touch /root/link-go");
            await WaitOnHostAsync("h3", "test -e /root/link-done", "the orphaned step did not finish on h3");
        }
        finally
        {
            await lab.Lab.SetLinkAsync("h3", up: true, Ct);
        }

        var result = await run.WaitForExitAsync(RunLimit, Ct);

        // Then, once the link is back, the step failed (no check can tell whether it took effect) and was undone, never run again
        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("has no check", JsonDocument.Parse(result.Stdout).RootElement.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("ran\nundone", await OnHostAsync("h3", "cat /root/link-runs"));
        Assert.Equal("absent", await OnHostAsync("h3", "test -e /root/link-done && echo present || echo absent"));
        Assert.Contains("connection lost mid-step", (await CliAsync(["log", RunId(result)])).Stdout, StringComparison.Ordinal);
        Assert.Equal("no lease", await OnHostAsync("h3", "test -e /var/lib/downshift/lease && echo lease || echo no lease"));
    }

    [Fact]
    public async Task Run_OneHostFailsWithinMaxFailedOne_PartialOnlyThatHostRolledBack()
    {
        // Given a plan with a failure budget of one host, whose second step fails on h2 only
        await OnHostsAsync("rm -f /root/budget-mark");
        var plan = work.Combine("budget.yaml");
        await File.WriteAllTextAsync(plan, """
            downshift: 1
            name: fleet-budget
            reason: {kind: other, detail: "failure budget test"}
            scope: {kind: system}
            from: "1"
            to: "0"
            hosts: [h1, h2, h3]
            strategy: {max-failed: 1}
            phases:
              - name: change
                steps:
                  - {id: mark, kind: shell, command: "echo {{ host.name }} > /root/budget-mark", undo: "rm -f /root/budget-mark"}
                  - {id: fail-on-h2, kind: shell, command: "test {{ host.name }} != h2", undo: none, undo-reason: "checks only"}
            """, Ct);

        // When it runs on the three hosts
        var run = await CliAsync(["run", plan, "--json", .. lab.CliHostOptions]);

        // Then the run is partial (exit 6): h2 failed and was rolled back, h1 and h3 kept the change, no lease is left
        Assert.True(run.ExitCode == 6, run.ToString());
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(["changed", "rolled-back", "changed"], result.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("state").GetString()));
        Assert.Equal("h1", await OnHostAsync("h1", "cat /root/budget-mark"));
        Assert.Equal("absent", await OnHostAsync("h2", "test -e /root/budget-mark && echo present || echo absent"));
        Assert.Equal("h3", await OnHostAsync("h3", "cat /root/budget-mark"));
        await AssertNoLeaseAsync();
    }

    [Theory]
    [InlineData(6)] // early: while staging, before any host changed
    [InlineData(26)] // in the canary: h1 stopped and on the 2.1.0 package, its config being migrated
    [InlineData(72)] // in the batch: h1 done, h2 and h3 between the package and the config
    public async Task Resume_CliKilledAtRecordK_EveryHostEndsOn210HeldHealthyAndFree(int killAtRecord)
    {
        // Given shopd 2.3.0 on the three hosts, and the fleet run killed with SIGKILL right after its K-th journal record (of about 127)
        await lab.SetUpShopAsync(Fleet);
        var killed = await CliRunner.RunAsync(
            ["run", Plan("plan.yaml"), .. lab.CliHostOptions], Environment(killAtRecord), timeout: RunLimit, cancellationToken: Ct);
        Assert.True(killed.ExitCode == 137, $"expected SIGKILL (137): {killed}");
        var runs = await CliAsync(["runs", "--json"]);
        var runId = Assert.Single(JsonDocument.Parse(runs.Stdout).RootElement.EnumerateArray()).GetProperty("run").GetString()!;

        // When the operator resumes it
        var resumed = await CliAsync(["resume", runId, .. lab.CliHostOptions]);

        // Then every host, seen from the host itself, runs the 2.1.0 package, held, config migrated, healthy, and no lease is left
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        foreach (var host in Fleet)
        {
            await AssertShopAsync(host, "2.1.0", held: true);
            Assert.DoesNotContain("middleware_compat", await OnHostAsync(host, "cat /etc/shopd/shopd.conf"), StringComparison.Ordinal);
        }

        await AssertNoLeaseAsync();
    }

    private Task<ProcessResult> CliAsync(string[] args) => CliRunner.RunAsync(args, Environment(), timeout: RunLimit, cancellationToken: Ct);

    private static string RunId(ProcessResult run) => JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run").GetString()!;

    /// <summary>The run's own journal; with KILLATRECORD, the CLI's test-only switch that SIGKILLs it after that record.</summary>
    private Dictionary<string, string?> Environment(int? killAtRecord = null) => new()
    {
        ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
        ["DOWNSHIFT_TEST_KILL_AT_RECORD"] = killAtRecord?.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private async Task OnHostsAsync(string script)
    {
        foreach (var host in Fleet)
        {
            await OnHostAsync(host, script);
        }
    }

    /// <summary>What the host itself says: shopd's package version and dpkg state, its hold, the version /health reports.</summary>
    private async Task AssertShopAsync(string host, string version, bool held)
    {
        Assert.Equal($"{version} {(held ? "hi" : "ii")}", await OnHostAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
        Assert.Equal(held ? "shopd" : "", await OnHostAsync(host, "apt-mark showhold"));
        Assert.Contains($"\"{version}\"", await OnHostAsync(host, "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
    }

    private async Task AssertNoLeaseAsync()
    {
        foreach (var host in Fleet)
        {
            Assert.Equal($"{host}: no lease", await OnHostAsync(host, $"test -e /var/lib/downshift/lease && echo {host}: lease || echo {host}: no lease"));
        }
    }

    /// <summary>Waits until SCRIPT succeeds on HOST (asked through the lab, not SSH).</summary>
    private Task WaitOnHostAsync(string host, string script, string what) =>
        Poll.UntilAsync(async () => (await lab.Lab.ExecAsync(host, script, Ct)).Succeeded, TimeSpan.FromSeconds(60), what, Ct);

    private async Task<string> OnHostAsync(string host, string script) => (await lab.ExecAsync(host, script, Ct)).Trim();

    /// <summary>When supervisord last started shopd on each host (its process start time).</summary>
    private async Task<Dictionary<string, string>> StartTimesAsync()
    {
        var times = new Dictionary<string, string>();
        foreach (var host in Fleet)
        {
            times[host] = await OnHostAsync(host, "ps -o lstart= -p \"$(supervisorctl pid shopd)\"");
        }

        return times;
    }

    private Task<string> WritePlanAsync(string name, string hosts, string step) =>
        OneStepPlan.WriteAsync(work.Combine($"{name}.yaml"), $"fleet-{name}", hosts, step);
}
