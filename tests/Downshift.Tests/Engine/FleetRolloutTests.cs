using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;

namespace Downshift.Tests.Engine;

/// <summary>
/// The rollout logic over several hosts (canary, batches, concurrency, failure budget, fleet
/// rollback policy). Hosts are bash processes on this machine (<see cref="FleetConnector"/>); the
/// same rollout over SSH on lab hosts is in the integration tests.
/// </summary>
public sealed class FleetRolloutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two steps per host; step b fails on a host when the file fail-HOST exists.</summary>
    private static string Phases(string strategy) => $$$"""
        strategy:
        {{{strategy}}}
        phases:
          - name: main
            steps:
              - id: a
                kind: shell
                command: "echo $HOST_NAME a >> {{ dir }}/LOG"
                undo: "echo $HOST_NAME undo-a >> {{ dir }}/LOG"
              - id: b
                kind: shell
                command: "echo $HOST_NAME b >> {{ dir }}/LOG; test ! -e {{ dir }}/fail-$HOST_NAME"
                undo: "echo $HOST_NAME undo-b >> {{ dir }}/LOG"
        """;

    private static async Task<RunResult> RunAsync(EngineHarness h, string strategy, int hosts)
    {
        var (plan, _) = h.Load(Phases(strategy));
        plan = plan with { HostEntries = [.. Enumerable.Range(1, hosts).Select(i => new HostEntry($"h{i}"))] };
        var engine = new RunEngine(h.Journal, new FleetConnector(h.StateDirectory), TimeProvider.System, SilentObserver.Instance, h.Options);
        return await engine.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);
    }

    private static IReadOnlyList<string> Lines(EngineHarness h, string host) =>
        [.. h.Log().Where(l => l.StartsWith(host + " ", StringComparison.Ordinal)).Select(l => l[(host.Length + 1)..])];

    private static IReadOnlyList<string> BatchNotes(IReadOnlyList<JournalRecord> records) =>
        [.. records.Where(r => r.Event == JournalEvent.Note && r.Host is null && r.Result is { } t && (t.StartsWith("batch", StringComparison.Ordinal) || t.StartsWith("canary:", StringComparison.Ordinal))).Select(r => r.Result!)];

    [Fact]
    public async Task RunAsync_CanaryThenBatchesOfTwo_EveryHostDoneInBatchOrder()
    {
        await using var h = await EngineHarness.CreateAsync();

        var result = await RunAsync(h, "  canary: 1\n  batch: 2", hosts: 5);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var records = await h.RecordsAsync(result.RunId);
        Assert.Equal(["canary: h1", "batch 1/2: h2, h3", "batch 2/2: h4, h5"], BatchNotes(records));
        foreach (var host in new[] { "h1", "h2", "h3", "h4", "h5" })
        {
            Assert.Equal(["a", "b"], Lines(h, host));
        }

        // every host's first record comes after its batch's note: batches do not overlap
        var h4Start = records.ToList().FindIndex(r => r.Host == "h4" && r.Event == JournalEvent.StepStarted);
        var h3End = records.ToList().FindLastIndex(r => r.Host == "h3" && r.Event == JournalEvent.StepSucceeded);
        Assert.True(h3End < h4Start, "batch 2 started before batch 1 ended");
    }

    [Fact]
    public async Task RunAsync_CanaryFails_NoOtherHostTouchedAndCanaryUndone()
    {
        await using var h = await EngineHarness.CreateAsync();
        File.WriteAllText(Path.Combine(h.Dir, "fail-h1"), "");

        var result = await RunAsync(h, "  canary: 1\n  max-failed: 2", hosts: 4);

        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Contains("canary failed on h1", result.Summary, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "undo-b", "undo-a"], Lines(h, "h1"));
        Assert.All(new[] { "h2", "h3", "h4" }, host => Assert.Empty(Lines(h, host)));
    }

    [Fact]
    public async Task RunAsync_FailureWithinBudget_FailedHostBackOthersChangedPartial()
    {
        await using var h = await EngineHarness.CreateAsync();
        File.WriteAllText(Path.Combine(h.Dir, "fail-h2"), "");

        var result = await RunAsync(h, "  batch: 2\n  max-failed: 1", hosts: 4);

        Assert.Equal(RunStatus.Partial, result.Status);
        Assert.Contains("h1, h3, h4", result.Summary, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "undo-b", "undo-a"], Lines(h, "h2"));
        Assert.All(new[] { "h1", "h3", "h4" }, host => Assert.Equal(["a", "b"], Lines(h, host)));
        var replay = RunReplay.From(await h.RecordsAsync(result.RunId));
        Assert.Equal(RunStatus.Partial, replay.Status);
        Assert.Equal(["h2"], replay.FailedHosts);
        Assert.Equal(
            ["h1 changed", "h2 rolled-back", "h3 changed", "h4 changed"],
            HostSummaries.Of(replay).Select(s => $"{s.Host} {s.State.ToWire()}"));
    }

    [Fact]
    public async Task RunAsync_BudgetSpentWholeFleet_NoNewBatchAndEveryChangedHostUndone()
    {
        await using var h = await EngineHarness.CreateAsync();
        File.WriteAllText(Path.Combine(h.Dir, "fail-h3"), "");

        var result = await RunAsync(h, "  batch: 2\n  concurrency: 1", hosts: 6);

        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.All(new[] { "h1", "h2" }, host => Assert.Equal(["a", "b", "undo-b", "undo-a"], Lines(h, host)));
        Assert.Equal(["a", "b", "undo-b", "undo-a"], Lines(h, "h3"));
        // concurrency 1: h4 had not started when h3 failed, so it never starts
        Assert.All(new[] { "h4", "h5", "h6" }, host => Assert.Empty(Lines(h, host)));
        var records = await h.RecordsAsync(result.RunId);
        Assert.Contains(records, r => r.Event == JournalEvent.RollbackStarted && r.Host is null);
        Assert.Equal(
            ["h1 rolled-back", "h2 rolled-back", "h3 rolled-back", "h4 untouched", "h5 untouched", "h6 untouched"],
            HostSummaries.Of(RunReplay.From(records)).Select(s => $"{s.Host} {s.State.ToWire()}"));
    }

    [Fact]
    public async Task RunAsync_BudgetSpentFailedHostsPolicy_SucceededHostsKeepTheChange()
    {
        await using var h = await EngineHarness.CreateAsync();
        File.WriteAllText(Path.Combine(h.Dir, "fail-h3"), "");

        var result = await RunAsync(h, "  batch: 2\n  concurrency: 1\n  rollback: failed-hosts", hosts: 5);

        Assert.Equal(RunStatus.Partial, result.Status);
        Assert.All(new[] { "h1", "h2" }, host => Assert.Equal(["a", "b"], Lines(h, host)));
        Assert.Equal(["a", "b", "undo-b", "undo-a"], Lines(h, "h3"));
        Assert.All(new[] { "h4", "h5" }, host => Assert.Empty(Lines(h, host)));
    }

    [Fact]
    public async Task RunAsync_ConcurrencyTwo_NeverMoreThanTwoHostsAtOnceButTwoDoOverlap()
    {
        // LOG: how many hosts were in the step when one entered it. Then each host waits (2 s at most) until a
        // second host is in the step too and writes what it saw to SEEN: the overlap is forced, not left to timing.
        await using var h = await EngineHarness.CreateAsync();
        var (plan, _) = h.Load("""
            strategy:
              concurrency: 2
            phases:
              - name: main
                steps:
                  - id: busy
                    kind: shell
                    command: "mkdir -p {{ dir }}/now && touch {{ dir }}/now/$HOST_NAME && ls {{ dir }}/now | wc -l >> {{ dir }}/LOG && for i in $(seq 40); do n=$(ls {{ dir }}/now | wc -l); [ $n -ge 2 ] && break; sleep 0.05; done; echo $n >> {{ dir }}/SEEN; rm {{ dir }}/now/$HOST_NAME"
                    undo: none
                    undo-reason: test
            """);
        plan = plan with { HostEntries = [.. Enumerable.Range(1, 6).Select(i => new HostEntry($"h{i}"))] };
        var engine = new RunEngine(h.Journal, new FleetConnector(h.StateDirectory), TimeProvider.System, SilentObserver.Instance, h.Options);

        var result = await engine.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var counts = h.Log().Select(int.Parse).ToList();
        Assert.Equal(6, counts.Count);
        Assert.All(counts, c => Assert.InRange(c, 1, 2));
        var seen = (await File.ReadAllLinesAsync(Path.Combine(h.Dir, "SEEN"), Ct)).Select(int.Parse).ToList();
        Assert.Contains(2, seen);
    }

    [Fact]
    public async Task RunAsync_SecondHostHeldByAnotherRun_WholeRunRefusedNothingRuns()
    {
        await using var h = await EngineHarness.CreateAsync();
        Directory.CreateDirectory(Path.Combine(h.StateDirectory, "h2"));
        await File.WriteAllTextAsync(
            Path.Combine(h.StateDirectory, "h2", "lease"),
            $"run=other-run pid={Environment.ProcessId} controller={Environment.MachineName} since=2026-11-24T00:00:00Z\n",
            Ct);

        var result = await RunAsync(h, "  batch: 1", hosts: 3);

        Assert.NotNull(result.Refusal);
        Assert.Contains("other-run", result.Refusal, StringComparison.Ordinal);
        Assert.Empty(h.Log());
        Assert.False(File.Exists(Path.Combine(h.StateDirectory, "h1", "lease")), "h1's lease was not given back");
        Assert.False(File.Exists(Path.Combine(h.StateDirectory, "h3", "lease")), "h3's lease was not given back");
    }
}
