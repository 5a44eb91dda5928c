using System.Text.Json;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Fleet;

/// <summary>
/// Case C1 on a fleet, end to end: the real CLI, over SSH to three lab hosts (the lab's Ansible
/// inventory and pinned host keys), with real apt downgrades of the shop's packages; every result
/// checked on the hosts themselves (dpkg, apt-mark, the config file, shopd's /health).
/// </summary>
public sealed class ShopFleetCliTests(ShopLab lab) : IClassFixture<ShopLab>, IDisposable
{
    private static readonly string[] Fleet = ["h1", "h2", "h3"];
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);
    private readonly TempDirectory work = new("downshift-fleet-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Plan(string file) => Path.Combine(RepoPaths.Shop, "fleet", file);

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
            Assert.Equal("2.1.0 hi", await OnHostAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
            Assert.Equal("shopd", await OnHostAsync(host, "apt-mark showhold"));
            Assert.DoesNotContain("middleware_compat", await OnHostAsync(host, "cat /etc/shopd/shopd.conf"), StringComparison.Ordinal);
            Assert.Contains("\"2.1.0\"", await OnHostAsync(host, "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
        }

        // When the operator rolls the run back
        var runId = result.GetProperty("run").GetString()!;
        var rollback = await CliAsync(["rollback", runId, .. lab.CliHostOptions]);

        // Then every host is on 2.3.0 again, configured, not held, serving, with the admin's config back
        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        foreach (var host in Fleet)
        {
            Assert.Equal("2.3.0 ii", await OnHostAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
            Assert.Equal("", await OnHostAsync(host, "apt-mark showhold"));
            Assert.Contains("middleware_compat=lenient", await OnHostAsync(host, "cat /etc/shopd/shopd.conf"), StringComparison.Ordinal);
            Assert.Contains("\"2.3.0\"", await OnHostAsync(host, "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
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
        await WaitUntilAsync(() => OnHostAsync("h2", "cat /var/lib/downshift/lease 2>/dev/null || true"), lease => lease.Contains("run=", StringComparison.Ordinal));

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
        // Given a step on h3 that takes 4 s and leaves a marker, with a check for the marker
        await OnHostAsync("h3", "rm -f /root/cut-done");
        var plan = await WritePlanAsync(
            "cut", "h3", """{id: slow-change, kind: shell, command: "sleep 4; touch /root/cut-done", check: "test -e /root/cut-done", undo: "rm -f /root/cut-done"}""");

        // When the host's SSH sessions are killed while the step runs (the TCP connection breaks)
        await using var run = await CliRunner.StartAsync(["run", plan, "--json", .. lab.CliHostOptions], Environment(), timeout: RunLimit);
        await WaitUntilAsync(() => OnHostAsync("h3", "pgrep -f '^sleep 4$' >/dev/null && echo running || echo not yet"), s => s == "running");
        await OnHostAsync("h3", "pkill -KILL -f '^sshd: root@' || true");
        var result = await run.WaitForExitAsync(RunLimit, Ct);

        // Then the run reconnected, judged the step by its check (ran again only if it had not taken effect) and succeeded
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("present", await OnHostAsync("h3", "test -e /root/cut-done && echo present || echo absent"));
        var runId = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("run").GetString()!;
        var log = await CliAsync(["log", runId]);
        Assert.Contains("connection lost mid-step", log.Stdout, StringComparison.Ordinal);
        Assert.Contains("its check says", log.Stdout, StringComparison.Ordinal);
    }

    private Task<ProcessResult> CliAsync(string[] args) => CliRunner.RunAsync(args, Environment(), timeout: RunLimit, cancellationToken: Ct);

    private Dictionary<string, string?> Environment() => new()
    {
        ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
    };

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

    private static async Task WaitUntilAsync(Func<Task<string>> probe, Func<string, bool> done)
    {
        var start = DateTime.UtcNow;
        while (!done(await probe()))
        {
            Assert.True(DateTime.UtcNow - start < TimeSpan.FromSeconds(60), "timed out waiting on the host");
            await Task.Delay(100, Ct);
        }
    }
}
