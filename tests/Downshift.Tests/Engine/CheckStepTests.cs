using Downshift.Engine;
using Downshift.Journal;

namespace Downshift.Tests.Engine;

/// <summary>Check steps (an <c>http-check</c>: undo "not needed") change nothing, so they never make a host "changed".</summary>
public sealed class CheckStepTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Phases(string url) => $$$"""
        phases:
          - name: main
            steps:
              - id: up
                kind: http-check
                url: "{{{url}}}"
              - id: a
                kind: shell
                command: "echo a >> {{ dir }}/LOG"
                undo: "echo undo-a >> {{ dir }}/LOG"
              - id: b
                kind: shell
                command: "exit 3"
                undo: "echo undo-b >> {{ dir }}/LOG"
                check: "false"
        """;

    [Fact]
    public async Task RunAsync_CheckThenFailure_CheckIsNeverPreparedAndTheHostShowsRolledBack()
    {
        // Given a check, a change, and a failing step
        using var http = new LoopbackHttp();
        await using var h = await EngineHarness.CreateAsync();

        // When it runs (and rolls back)
        var result = await h.RunAsync(Phases(http.Url));

        // Then the check left no StepPrepared, and the journal alone (no plan) shows the host rolled back
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Equal(["a", "undo-a"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        Assert.DoesNotContain(records, r => r is { Event: JournalEvent.StepPrepared, StepIndex: 0 });
        Assert.Contains(records, r => r is { Event: JournalEvent.StepSucceeded, StepIndex: 0 });
        var host = Assert.Single(HostSummaries.Of(RunReplay.From(records)));
        Assert.Equal(HostState.RolledBack, host.State);
        Assert.Equal(HostState.RolledBack, Assert.Single(result.Hosts).State);
    }

    [Fact]
    public async Task RollbackAsync_RunAlreadyRolledBackWithACheck_NothingToUndoAndNoNewRecords()
    {
        // Given a run with a check that rolled back cleanly
        using var http = new LoopbackHttp();
        await using var h = await EngineHarness.CreateAsync();
        var first = await h.RunAsync(Phases(http.Url));
        Assert.Equal(RunStatus.RolledBack, first.Status);
        var before = await h.RecordsAsync(first.RunId);

        // When it is rolled back again
        var again = await h.Engine().RollbackAsync(first.RunId, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then there is nothing to undo: no lease, no reconnect, not one record more
        Assert.Equal(RunStatus.RolledBack, again.Status);
        Assert.Contains("nothing to undo", again.Summary, StringComparison.Ordinal);
        Assert.Equal(before.Count, (await h.RecordsAsync(first.RunId)).Count);
        Assert.Equal(["a", "undo-a"], h.Log());
    }
}
