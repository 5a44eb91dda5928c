using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Steps;

namespace Downshift.Tests.Engine;

/// <summary>
/// A fleet run that stops dead at journal record K (the engine sees its journal fail, as when the CLI
/// is killed), then <c>resume</c>: every host must end where an uninterrupted run leaves it. Logic
/// only (hosts are bash on this machine); the CLI killed by SIGKILL is in the integration suites.
/// </summary>
public sealed class FleetResumeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two steps with checks (markers), h3's second step fails; one failure is within the budget.</summary>
    private const string Phases = """
        strategy:
          batch: 2
          max-failed: 1
        phases:
          - name: main
            steps:
              - id: a
                kind: shell
                command: "touch {{ dir }}/$HOST_NAME-a"
                check: "test -e {{ dir }}/$HOST_NAME-a"
                undo: "rm -f {{ dir }}/$HOST_NAME-a"
              - id: b
                kind: shell
                command: "test $HOST_NAME != h3 && touch {{ dir }}/$HOST_NAME-b"
                check: "test -e {{ dir }}/$HOST_NAME-b"
                undo: "rm -f {{ dir }}/$HOST_NAME-b"
        """;

    /// <summary>Every third record of the run (about 60 in all, the last ones the leases' release after RunFinished).</summary>
    public static TheoryData<int> StopPoints => [.. Enumerable.Range(0, 20).Select(i => 1 + (3 * i))];

    [Theory]
    [MemberData(nameof(StopPoints))]
    public async Task Resume_AfterStopAtRecordK_EveryHostEndsAsWithoutTheStop(int k)
    {
        await using var h = await EngineHarness.CreateAsync();
        var (plan, _) = h.Load(Phases);
        plan = plan with { HostEntries = [.. Enumerable.Range(1, 4).Select(i => new HostEntry($"h{i}"))] };
        var connector = new FleetConnector(h.StateDirectory);

        // When the run stops dead at record k
        var dying = new DyingJournal(h.Journal, k);
        var first = new RunEngine(dying, connector, TimeProvider.System, SilentObserver.Instance, h.Options);
        var died = await Assert.ThrowsAsync<IOException>(() => first.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct));
        Assert.Contains($"died at record {k}", died.Message, StringComparison.Ordinal);
        var runId = (await h.Journal.ListRunsAsync(Ct)).Single().RunId;

        // And is resumed
        var engine = new RunEngine(h.Journal, connector, TimeProvider.System, SilentObserver.Instance, h.Options);
        var result = await engine.ResumeAsync(runId, new Dictionary<string, CheckResult>(), RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then h3 is back (nothing of it left), the others carry both changes, the run is partial, no lease is left
        Assert.True(result.Status == RunStatus.Partial, $"{result.Status}: {result.Summary}");
        var markers = Directory.GetFiles(h.Dir, "h*-?").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["h1-a", "h1-b", "h2-a", "h2-b", "h4-a", "h4-b"], markers);
        Assert.All(new[] { "h1", "h2", "h3", "h4" }, host => Assert.False(File.Exists(Path.Combine(h.StateDirectory, host, "lease")), $"{host} still leased"));
        Assert.Equal(
            ["h1 changed", "h2 changed", "h3 rolled-back", "h4 changed"],
            result.Hosts.Select(s => $"{s.Host} {s.State.ToWire()}"));
    }

    [Fact]
    public async Task Resume_CanaryFailedBeforeTheStop_FleetStaysStoppedWithinTheBudget()
    {
        // Given a canary whose step b fails, and a budget of one failure, and a run that dies as the canary's rollback begins
        await using var h = await EngineHarness.CreateAsync();
        var (plan, _) = h.Load(Phases.Replace("  batch: 2", "  canary: 1\n  batch: 2", StringComparison.Ordinal)
            .Replace("$HOST_NAME != h3", "$HOST_NAME != h1", StringComparison.Ordinal));
        plan = plan with { HostEntries = [.. Enumerable.Range(1, 4).Select(i => new HostEntry($"h{i}"))] };
        var connector = new FleetConnector(h.StateDirectory);
        var dying = new DyingJournal(h.Journal, r => r is { Event: JournalEvent.RollbackStarted, Host: "h1" });
        var first = new RunEngine(dying, connector, TimeProvider.System, SilentObserver.Instance, h.Options);
        await Assert.ThrowsAsync<IOException>(() => first.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct));
        var runId = (await h.Journal.ListRunsAsync(Ct)).Single().RunId;

        // When it is resumed
        var engine = new RunEngine(h.Journal, connector, TimeProvider.System, SilentObserver.Instance, h.Options);
        var result = await engine.ResumeAsync(runId, new Dictionary<string, CheckResult>(), RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then the failed canary still stops the fleet: no other host started, the canary went back
        Assert.True(result.Status == RunStatus.RolledBack, $"{result.Status}: {result.Summary}");
        Assert.Contains("canary failed on h1", result.Summary, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(h.Dir, "h*-?"));
        Assert.DoesNotContain(await h.RecordsAsync(runId), r => r.Event == JournalEvent.StepStarted && r.Host != "h1");
    }
}
