using Downshift.Journal;
using Downshift.Steps;

namespace Downshift.Tests.Journal;

public sealed class RunReplayTests
{
    private const string A = "web-1";
    private const string B = "web-2";

    [Fact]
    public void From_NoRecords_RunningWithNothing()
    {
        // Given no records / When replayed
        var replay = RunReplay.From([]);

        // Then
        Assert.Equal(RunStatus.Running, replay.Status);
        Assert.Empty(replay.Steps);
        Assert.Empty(replay.Hosts);
        Assert.Null(replay.StartedAt);
        Assert.Null(replay.FinishedAt);
    }

    [Fact]
    public void From_StepStarted_InFlightWithOneAttempt()
    {
        // Given a step that started
        var script = new RunScript().Run(JournalEvent.RunStarted).Step(JournalEvent.StepStarted, A, 0);

        // When
        var step = RunReplay.From(script.Records).Find(A, 0)!;

        // Then
        Assert.Equal(StepState.InFlight, step.State);
        Assert.False(step.Prepared);
        Assert.Equal(1, step.Attempts);
        Assert.Equal("step-0", step.StepId);
        Assert.Equal("main", step.Phase);
    }

    [Fact]
    public void From_StepPrepared_InFlightWithUndoData()
    {
        // Given a step killed after it prepared (mid-change)
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepPrepared, A, 0, data: RunScript.UndoJson(0))
            .Step(JournalEvent.Command, A, 0, command: "ln -sfn v1 current", exitCode: 0);

        // When
        var replay = RunReplay.From(script.Records);

        // Then it is in flight, must be undone, and its undo data is kept
        var step = Assert.Single(replay.InFlightSteps());
        Assert.True(step.Prepared);
        Assert.Equal("0", UndoData.FromJson(step.UndoData).Require("n"));
        Assert.Equal([step], replay.StepsToUndo);
        Assert.Equal(RunStatus.Running, replay.Status);
    }

    [Fact]
    public void From_StepStartedOnly_InFlightButNothingToUndo()
    {
        // Given a run killed after StepStarted, before StepPrepared (nothing changed yet)
        var script = new RunScript().Run(JournalEvent.RunStarted).Step(JournalEvent.StepStarted, A, 0);

        // When
        var replay = RunReplay.From(script.Records);

        // Then it is in flight but there is nothing to undo
        Assert.Single(replay.InFlightSteps());
        Assert.Empty(replay.StepsToUndo);
    }

    [Fact]
    public void From_StepAlreadyDone_NothingToUndo()
    {
        // Given a step whose check found the effect already there
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepAlreadyDone, A, 0, result: "skipped");

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        Assert.Equal(StepState.AlreadyDone, replay.Find(A, 0)!.State);
        Assert.Empty(replay.StepsToUndo);
        Assert.Empty(replay.InFlightSteps());
    }

    [Fact]
    public void From_AlreadyDoneAfterOwnPreparedAttempt_StillUndone()
    {
        // Given a step killed after it prepared, then resumed: its check now finds the effect (ours)
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepPrepared, A, 0, data: RunScript.UndoJson(0))
            .Run(JournalEvent.Resumed)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepAlreadyDone, A, 0);

        // When
        var replay = RunReplay.From(script.Records);

        // Then the change this run made is still undone on rollback
        var step = Assert.Single(replay.StepsToUndo);
        Assert.Equal(StepState.AlreadyDone, step.State);
        Assert.Equal(2, step.Attempts);
    }

    [Fact]
    public void From_StepSucceeded_SucceededAndToUndo()
    {
        // Given
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0);

        // When
        var step = RunReplay.From(script.Records).Find(A, 0)!;

        // Then
        Assert.Equal(StepState.Succeeded, step.State);
        Assert.Equal("ok", step.LastResult);
        Assert.True(step.NeedsUndo);
        Assert.Equal(RunScript.Start.AddSeconds(1), step.StartedAt);
        Assert.Equal(RunScript.Start.AddSeconds(3), step.FinishedAt);
    }

    [Fact]
    public void From_StepFailedBeforePrepared_NothingToUndo()
    {
        // Given a step that failed before changing anything
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepFailed, A, 0, result: "precondition: disk full");

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        var step = replay.Find(A, 0)!;
        Assert.Equal(StepState.Failed, step.State);
        Assert.Equal("precondition: disk full", step.LastResult);
        Assert.Empty(replay.StepsToUndo);
    }

    [Fact]
    public void From_StepFailedAfterPrepared_ToUndo()
    {
        // Given a step that failed half-way through its change
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepPrepared, A, 0, data: RunScript.UndoJson(0))
            .Step(JournalEvent.StepFailed, A, 0, result: "exit 1");

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        Assert.Equal(StepState.Failed, Assert.Single(replay.StepsToUndo).State);
    }

    [Fact]
    public void From_RetryRecords_CountsAttemptsKeepsFirstUndoData()
    {
        // Given a step that failed twice and then succeeded (the engine re-prepares on each attempt)
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepPrepared, A, 0, data: """{"n":"original"}""")
            .Step(JournalEvent.Command, A, 0, exitCode: 1, result: "exit 1")
            .Step(JournalEvent.StepRetry, A, 0, result: "attempt 1 failed: exit 1")
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepPrepared, A, 0, data: """{"n":"half-changed"}""")
            .Step(JournalEvent.StepRetry, A, 0, result: "attempt 2 failed: timeout")
            .Step(JournalEvent.StepPrepared, A, 0, data: """{"n":"again"}""")
            .Step(JournalEvent.StepSucceeded, A, 0, result: "ok");

        // When
        var step = RunReplay.From(script.Records).Find(A, 0)!;

        // Then three attempts, and the undo restores what was there before the first
        Assert.Equal(3, step.Attempts);
        Assert.Equal(StepState.Succeeded, step.State);
        Assert.Equal("original", UndoData.FromJson(step.UndoData).Require("n"));
    }

    [Fact]
    public void From_RetryPending_InFlight()
    {
        // Given a run killed between attempts
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepFailed, A, 0, result: "exit 1")
            .Step(JournalEvent.StepRetry, A, 0, result: "retrying in 5s");

        // When
        var step = RunReplay.From(script.Records).Find(A, 0)!;

        // Then
        Assert.Equal(StepState.InFlight, step.State);
        Assert.Equal(2, step.Attempts);
        Assert.Equal("retrying in 5s", step.LastResult);
    }

    [Theory]
    [InlineData(JournalEvent.UndoStarted, StepState.UndoInFlight, true)]
    [InlineData(JournalEvent.UndoSucceeded, StepState.Undone, false)]
    [InlineData(JournalEvent.UndoFailed, StepState.UndoFailed, true)]
    [InlineData(JournalEvent.UndoSkipped, StepState.UndoSkipped, false)]
    public void From_UndoEvent_SetsStateAndUndoNeed(JournalEvent undoEvent, StepState expected, bool stillToUndo)
    {
        // Given a succeeded step and a rollback that reached the undo event
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0)
            .Run(JournalEvent.RollbackStarted, "health check failed")
            .Step(JournalEvent.UndoStarted, A, 0);
        if (undoEvent is not JournalEvent.UndoStarted)
        {
            script.Step(undoEvent, A, 0, result: "why");
        }

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        var step = replay.Find(A, 0)!;
        Assert.Equal(expected, step.State);
        Assert.Equal(StepState.Succeeded, step.StepOutcome);
        Assert.Equal("ok", step.OutcomeResult);
        Assert.Equal(stillToUndo, step.NeedsUndo);
        Assert.True(replay.RollbackStarted);
        Assert.Equal("health check failed", replay.RollbackReason);
    }

    [Fact]
    public void From_SeveralHostsAndSteps_UndoInReversePreparedOrder()
    {
        // Given two hosts interleaved, one step only checked, one step already undone
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Succeeds(A, 0)
            .Succeeds(B, 0)
            .Step(JournalEvent.StepStarted, A, 1)
            .Step(JournalEvent.StepAlreadyDone, A, 1)
            .Succeeds(B, 1)
            .Step(JournalEvent.StepStarted, A, 2)
            .Step(JournalEvent.StepPrepared, A, 2, data: RunScript.UndoJson(2))
            .Step(JournalEvent.StepFailed, A, 2, result: "exit 2")
            .Run(JournalEvent.RollbackStarted, "step-2 failed on web-1")
            .Step(JournalEvent.UndoStarted, A, 2)
            .Step(JournalEvent.UndoSucceeded, A, 2);

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        Assert.Equal([A, B], replay.Hosts);
        Assert.Equal(
            [new StepKey(B, 1), new StepKey(B, 0), new StepKey(A, 0)],
            replay.StepsToUndo.Select(s => s.Key));
        Assert.Equal(5, replay.Steps.Count);
    }

    [Fact]
    public void From_KilledMidUndo_UndoInFlightRedoneAndNeedsAttention()
    {
        // Given a rollback killed after UndoStarted of the second step
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0).Succeeds(A, 1)
            .Run(JournalEvent.RollbackStarted, "failed")
            .Step(JournalEvent.UndoStarted, A, 1);

        // When
        var replay = RunReplay.From(script.Records);

        // Then the run is still running; step 1's undo is redone first, then step 0
        Assert.Equal(RunStatus.Running, replay.Status);
        Assert.Equal([1, 0], replay.StepsToUndo.Select(s => s.StepIndex));
        Assert.Equal(StepState.UndoInFlight, Assert.Single(replay.InFlightSteps()).State);
        Assert.Single(replay.NeedsAttention());
    }

    [Theory]
    [InlineData(RunStatus.Succeeded)]
    [InlineData(RunStatus.RolledBack)]
    [InlineData(RunStatus.NeedsAttention)]
    [InlineData(RunStatus.Cancelled)]
    [InlineData(RunStatus.Failed)]
    public void From_RunFinished_StatusFromWireName(RunStatus status)
    {
        // Given
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0).Finished(status);

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        Assert.Equal(status, replay.Status);
        Assert.Equal(RunScript.Start, replay.StartedAt);
        Assert.Equal(RunScript.Start.AddSeconds(4), replay.FinishedAt);
    }

    [Fact]
    public void From_UnknownFinishResult_NeedsAttention()
    {
        // Given a RunFinished whose result is not a status
        var script = new RunScript().Run(JournalEvent.RunStarted).Run(JournalEvent.RunFinished, "done?");

        // When / Then
        Assert.Equal(RunStatus.NeedsAttention, RunReplay.From(script.Records).Status);
    }

    [Fact]
    public void From_RollbackAfterSuccess_LastFinishWins()
    {
        // Given a succeeded run rolled back later by `downshift rollback`
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0).Finished(RunStatus.Succeeded)
            .Run(JournalEvent.RollbackStarted, "operator asked")
            .Step(JournalEvent.UndoStarted, A, 0)
            .Step(JournalEvent.UndoSucceeded, A, 0)
            .Finished(RunStatus.RolledBack);

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        Assert.Equal(RunStatus.RolledBack, replay.Status);
        Assert.Equal(StepState.Undone, replay.Find(A, 0)!.State);
        Assert.Empty(replay.StepsToUndo);
        Assert.Equal(script.Records[^1].Time, replay.FinishedAt);
    }

    [Fact]
    public void From_RollbackAfterSuccessDied_Running()
    {
        // Given a succeeded run whose later rollback died before finishing
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0).Finished(RunStatus.Succeeded)
            .Run(JournalEvent.RollbackStarted, "operator asked")
            .Step(JournalEvent.UndoStarted, A, 0);

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        Assert.Equal(RunStatus.Running, replay.Status);
        Assert.Null(replay.FinishedAt);
    }

    [Fact]
    public void From_ResumedAndDiedAgain_Running()
    {
        // Given a failed run that was resumed and died again
        var script = new RunScript().Run(JournalEvent.RunStarted).Finished(RunStatus.Failed)
            .Run(JournalEvent.Resumed)
            .Step(JournalEvent.StepStarted, A, 0);

        // When / Then
        Assert.Equal(RunStatus.Running, RunReplay.From(script.Records).Status);
    }

    [Fact]
    public void From_NoteAfterFinish_StaysFinished()
    {
        // Given an annotation added after the run finished
        var script = new RunScript().Run(JournalEvent.RunStarted).Finished(RunStatus.Succeeded)
            .Run(JournalEvent.Note, "report sent");

        // When / Then
        Assert.Equal(RunStatus.Succeeded, RunReplay.From(script.Records).Status);
    }

    [Fact]
    public void From_LeaseReleasedAfterFinish_StaysFinished()
    {
        // Given the engine's own order: RunFinished, then LeaseReleased
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0).Finished(RunStatus.Succeeded)
            .Run(JournalEvent.LeaseReleased);

        // When / Then
        var replay = RunReplay.From(script.Records);
        Assert.Equal(RunStatus.Succeeded, replay.Status);
        Assert.NotNull(replay.FinishedAt);
    }

    [Fact]
    public void From_CancelledRun_FlagsCancelled()
    {
        // Given
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0)
            .Run(JournalEvent.Cancelled, "ctrl+c")
            .Run(JournalEvent.RollbackStarted, "cancelled")
            .Step(JournalEvent.UndoStarted, A, 0).Step(JournalEvent.UndoSucceeded, A, 0)
            .Finished(RunStatus.Cancelled);

        // When
        var replay = RunReplay.From(script.Records);

        // Then
        Assert.True(replay.Cancelled);
        Assert.Equal(RunStatus.Cancelled, replay.Status);
        Assert.Empty(replay.NeedsAttention());
    }

    [Fact]
    public void NeedsAttention_FinishedWithFailedUndoAndInFlightStep_ListsBoth()
    {
        // Given a finished run with a failed undo and a step left in flight
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds(A, 0)
            .Step(JournalEvent.StepStarted, B, 0)
            .Run(JournalEvent.RollbackStarted, "failed")
            .Step(JournalEvent.UndoStarted, A, 0).Step(JournalEvent.UndoFailed, A, 0, result: "exit 1")
            .Finished(RunStatus.NeedsAttention);

        // When
        var attention = RunReplay.From(script.Records).NeedsAttention();

        // Then
        Assert.Equal([new StepKey(A, 0), new StepKey(B, 0)], attention.Select(s => s.Key));
    }

    [Fact]
    public void From_SucceededWithoutPrepared_NothingToUndo()
    {
        // Given a step that succeeded without a StepPrepared (a check: the engine prepares no check)
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, A, 0)
            .Step(JournalEvent.StepSucceeded, A, 0, result: "ok");

        // When
        var replay = RunReplay.From(script.Records);

        // Then it changed nothing
        Assert.False(replay.Find(A, 0)!.NeedsUndo);
        Assert.Empty(replay.StepsToUndo);
        Assert.False(replay.AnyChange);
        Assert.Equal(HostState.Untouched, Assert.Single(HostSummaries.Of(replay)).State);
    }

    [Fact]
    public void From_OldJournalWithAPreparedCheck_ThePlansCheckStepsDecide()
    {
        // Given a journal from before checks went unprepared: check 0 prepared and succeeded, step 1 undone
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Succeeds(A, 0)
            .Succeeds(A, 1)
            .Step(JournalEvent.StepFailed, A, 2, result: "boom")
            .Run(JournalEvent.RollbackStarted, "boom")
            .Step(JournalEvent.UndoStarted, A, 1)
            .Step(JournalEvent.UndoSucceeded, A, 1, result: "ok")
            .Finished(RunStatus.RolledBack);

        // When replayed knowing the plan's checks, and without the plan
        var knowing = RunReplay.From(script.Records, new HashSet<int> { 0 });
        var blind = RunReplay.From(script.Records);

        // Then with the plan the check is no change: the host is rolled back and nothing is left to undo
        Assert.Empty(knowing.StepsToUndo);
        Assert.False(knowing.Find(A, 0)!.Prepared);
        Assert.Equal(StepState.Succeeded, knowing.Find(A, 0)!.State);
        Assert.Equal(HostState.RolledBack, Assert.Single(HostSummaries.Of(knowing)).State);
        Assert.Equal([0], blind.StepsToUndo.Select(s => s.StepIndex));
        Assert.Equal(HostState.Changed, Assert.Single(HostSummaries.Of(blind)).State);
    }

    [Fact]
    public void From_LeaseAcquiredAndReleased_LeasesHeldNamesOnlyTheHostsStillHeld()
    {
        // Given two hosts leased and one released
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .OnHost(JournalEvent.LeaseAcquired, A)
            .OnHost(JournalEvent.LeaseAcquired, B)
            .Finished(RunStatus.Succeeded)
            .OnHost(JournalEvent.LeaseReleased, A);

        // When / Then
        Assert.Equal([B], RunReplay.From(script.Records).LeasesHeld);
    }
}
