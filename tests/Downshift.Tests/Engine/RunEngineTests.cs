using System.Diagnostics;
using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.Tests.Engine;

public sealed class RunEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ThreeSteps = """
        phases:
          - name: main
            steps:
              - id: a
                kind: shell
                command: "echo a >> {{ dir }}/LOG"
                undo: "echo undo-a >> {{ dir }}/LOG"
              - id: b
                kind: shell
                command: "echo b >> {{ dir }}/LOG"
                undo: "echo undo-b >> {{ dir }}/LOG"
              - id: c
                kind: shell
                command: "echo c >> {{ dir }}/LOG"
                undo: "echo undo-c >> {{ dir }}/LOG"
        """;

    [Fact]
    public async Task RunAsync_AnyPlan_StoresTheValidatedTextAndOnlyTheCommandLineVariables()
    {
        // Given a plan validated with a --var override
        await using var h = await EngineHarness.CreateAsync();
        var (plan, text) = h.Load(ThreeSteps);

        // When it runs
        var result = await h.Engine().RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, TestContext.Current.CancellationToken);

        // Then the journal keeps exactly the text that was validated, and the overrides (not the merged vars)
        var header = await h.Journal.FindRunAsync(result.RunId, TestContext.Current.CancellationToken);
        Assert.NotNull(header);
        Assert.Equal(text, header.PlanText);
        Assert.Equal(plan.ContentHash, header.PlanHash);
        Assert.Equal(h.Variables, header.Variables);
    }

    [Fact]
    public async Task RunAsync_AllStepsSucceed_SucceededInOrder()
    {
        // Given three shell steps
        await using var h = await EngineHarness.CreateAsync();

        // When
        var result = await h.RunAsync(ThreeSteps);

        // Then they ran in plan order, nothing was undone, and the lease is released
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Null(result.Refusal);
        Assert.Empty(result.Attention);
        Assert.Equal(["a", "b", "c"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        Assert.Equal(3, records.Count(r => r.Event == JournalEvent.StepSucceeded));
        Assert.DoesNotContain(records, r => r.Event == JournalEvent.RollbackStarted);
        Assert.Equal("succeeded", records[^2].Result);
        Assert.Equal(JournalEvent.LeaseReleased, records[^1].Event);
        Assert.False(File.Exists(Path.Combine(h.StateDirectory, "lease")));
        Assert.Equal(RunStatus.Succeeded, RunReplay.From(records).Status);
    }

    [Fact]
    public async Task RunAsync_ThirdStepFails_UndoesSecondThenFirst()
    {
        // Given a third step that fails and whose check says it never took effect
        await using var h = await EngineHarness.CreateAsync();
        var phases = ThreeSteps.Replace(
            "command: \"echo c >> {{ dir }}/LOG\"",
            "command: \"echo c >> {{ dir }}/LOG; exit 7\"\n        check: \"test -e {{ dir }}/c-done\"",
            StringComparison.Ordinal);

        // When
        var result = await h.RunAsync(phases);

        // Then b and a are undone in that order; c's undo is skipped because its check says not done
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Contains("step 'c' failed: exit 7", result.Summary, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "c", "undo-b", "undo-a"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        var skipped = Assert.Single(records, r => r.Event == JournalEvent.UndoSkipped);
        Assert.Equal("c", skipped.StepId);
        Assert.Contains("never took effect", skipped.Result, StringComparison.Ordinal);
        Assert.Equal(["b", "a"], records.Where(r => r.Event == JournalEvent.UndoSucceeded).Select(r => r.StepId));
    }

    [Fact]
    public async Task RunAsync_FailingStepWithoutCheck_ItsUndoRunsFirst()
    {
        // Given a third step that fails and has no check (it may have half-happened)
        await using var h = await EngineHarness.CreateAsync();
        var phases = ThreeSteps.Replace("echo c >> {{ dir }}/LOG\"", "echo c >> {{ dir }}/LOG; exit 7\"", StringComparison.Ordinal);

        // When
        var result = await h.RunAsync(phases);

        // Then its undo runs too, before the others
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Equal(["a", "b", "c", "undo-c", "undo-b", "undo-a"], h.Log());
    }

    [Fact]
    public async Task RunAsync_UndoFails_OtherUndosStillRunAndNeedsAttention()
    {
        // Given b's undo fails and c fails
        await using var h = await EngineHarness.CreateAsync();
        var phases = ThreeSteps
            .Replace("undo: \"echo undo-b >> {{ dir }}/LOG\"", "undo: \"echo undo-b >> {{ dir }}/LOG; exit 3\"", StringComparison.Ordinal)
            .Replace("echo c >> {{ dir }}/LOG\"", "exit 7\"", StringComparison.Ordinal);

        // When
        var result = await h.RunAsync(phases);

        // Then a is still undone, and the run needs attention naming b
        Assert.Equal(RunStatus.NeedsAttention, result.Status);
        Assert.Equal(["a", "b", "undo-c", "undo-b", "undo-a"], h.Log().Where(l => l != "c"));
        var attention = Assert.Single(result.Attention);
        Assert.Contains("undo of 'b'", attention, StringComparison.Ordinal);
        Assert.Contains("exit 3", attention, StringComparison.Ordinal);
        var records = await h.RecordsAsync(result.RunId);
        Assert.Equal("b", Assert.Single(records, r => r.Event == JournalEvent.UndoFailed).StepId);
        Assert.Contains(records, r => r.Event == JournalEvent.UndoSucceeded && r.StepId == "a");
        Assert.Equal(RunStatus.NeedsAttention, RunReplay.From(records).Status);
        Assert.Equal(StepState.UndoFailed, RunReplay.From(records).Steps.Single(s => s.StepId == "b").State);
    }

    [Fact]
    public async Task RunAsync_UndoNoneStep_SkippedInRollbackWithReason()
    {
        // Given b cannot be undone (declared) and c fails
        await using var h = await EngineHarness.CreateAsync();
        var phases = ThreeSteps
            .Replace("undo: \"echo undo-b >> {{ dir }}/LOG\"", "undo: none\n        undo-reason: the mail is sent", StringComparison.Ordinal)
            .Replace("echo c >> {{ dir }}/LOG\"", "exit 7\"", StringComparison.Ordinal);

        // When
        var result = await h.RunAsync(phases);

        // Then b is skipped with its reason in the journal, a is undone, the run is rolled back
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Equal(["a", "b", "undo-c", "undo-a"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        var skipped = Assert.Single(records, r => r.Event == JournalEvent.UndoSkipped && r.StepId == "b");
        Assert.Contains("the mail is sent", skipped.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CheckPasses_AlreadyDoneNotExecutedNotUndone()
    {
        // Given b's check passes (its marker exists) and c fails
        await using var h = await EngineHarness.CreateAsync();
        await File.WriteAllTextAsync(Path.Combine(h.Dir, "b-done"), "", Ct);
        var phases = ThreeSteps
            .Replace("command: \"echo b >> {{ dir }}/LOG\"", "command: \"echo b >> {{ dir }}/LOG\"\n        check: \"test -e {{ dir }}/b-done\"", StringComparison.Ordinal)
            .Replace("echo c >> {{ dir }}/LOG\"", "exit 7\"", StringComparison.Ordinal);

        // When
        var result = await h.RunAsync(phases);

        // Then b neither ran nor was undone
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Equal(["a", "undo-c", "undo-a"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        Assert.Single(records, r => r.Event == JournalEvent.StepAlreadyDone && r.StepId == "b");
        Assert.DoesNotContain(records, r => r.StepId == "b" && r.Event is JournalEvent.StepPrepared or JournalEvent.UndoStarted);
    }

    [Fact]
    public async Task RunAsync_FailsTwiceThenSucceedsWithTwoRetries_SucceededWithTwoRetryRecords()
    {
        // Given a command that fails on its first two attempts (a counter file)
        await using var h = await EngineHarness.CreateAsync();
        var result = await h.RunAsync(Flaky(retries: 2));

        // Then
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("3", (await File.ReadAllTextAsync(Path.Combine(h.Dir, "count"), Ct)).Trim());
        var records = await h.RecordsAsync(result.RunId);
        Assert.Equal(2, records.Count(r => r.Event == JournalEvent.StepRetry));
        Assert.Equal(3, RunReplay.From(records).Steps.Single().Attempts);
    }

    [Fact]
    public async Task RunAsync_FailsTwiceWithOneRetry_RolledBack()
    {
        // Given the same command with one retry only
        await using var h = await EngineHarness.CreateAsync();
        var result = await h.RunAsync(Flaky(retries: 1));

        // Then two attempts, then failure and rollback
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Equal("2", (await File.ReadAllTextAsync(Path.Combine(h.Dir, "count"), Ct)).Trim());
        Assert.Single(await h.RecordsAsync(result.RunId), r => r.Event == JournalEvent.StepRetry);
    }

    [Fact]
    public async Task RunAsync_StepTimesOut_FailsFastAndRollsBack()
    {
        // Given a step that would sleep far longer than the harness waits for a run (EngineHarness.Bound), with a 300ms timeout
        await using var h = await EngineHarness.CreateAsync();
        var phases = ThreeSteps.Replace("echo b >> {{ dir }}/LOG\"", "sleep 120\"\n        timeout: 300ms", StringComparison.Ordinal);

        // When (the run ends within Bound only if the timeout killed the step)
        var result = await h.RunAsync(phases);

        // Then
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Contains("step 'b' failed: ", result.Summary, StringComparison.Ordinal);
        Assert.Contains("timed out after 0.3s", result.Summary, StringComparison.Ordinal);
        Assert.Equal(["a", "undo-b", "undo-a"], h.Log());
        var failed = Assert.Single(await h.RecordsAsync(result.RunId), r => r.Event == JournalEvent.StepFailed);
        Assert.Equal("b", failed.StepId);
        Assert.Contains("timed out", failed.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringStep_CancelledAndEarlierStepsUndone()
    {
        // Given b, after saying it started, sleeps far longer than the run may take (EngineHarness.Bound)
        await using var h = await EngineHarness.CreateAsync();
        var phases = ThreeSteps.Replace(
            "echo b >> {{ dir }}/LOG\"", "echo b >> {{ dir }}/LOG; sleep 120\"", StringComparison.Ordinal);
        using var cancel = new CancellationTokenSource();

        // When the operator cancels while b sleeps
        var run = h.RunAsync(phases, new RunControl(cancel.Token, CancellationToken.None));
        while (!h.Log().Contains("b"))
        {
            Assert.False(run.IsCompleted, "the run ended before b started");
            await Task.Delay(20, Ct);
        }

        await cancel.CancelAsync();
        var result = await run.WaitAsync(EngineHarness.Bound, Ct);

        // Then the run is cancelled (within Bound: the cancel killed b), b and a undone, c never run
        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Equal(["a", "b", "undo-b", "undo-a"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        Assert.Contains(records, r => r.Event == JournalEvent.Cancelled && r.StepId == "b");
        Assert.Equal(RunStatus.Cancelled, RunReplay.From(records).Status);
    }

    [Fact]
    public async Task RollbackAsync_AfterSucceededRun_UndoesAllInReverse()
    {
        // Given a run that succeeded
        await using var h = await EngineHarness.CreateAsync();
        var run = await h.RunAsync(ThreeSteps);
        Assert.Equal(RunStatus.Succeeded, run.Status);

        // When it is rolled back
        var result = await h.Engine().RollbackAsync(run.RunId, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then
        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Equal(run.RunId, result.RunId);
        Assert.Equal(["a", "b", "c", "undo-c", "undo-b", "undo-a"], h.Log());
        Assert.Equal(RunStatus.RolledBack, RunReplay.From(await h.RecordsAsync(run.RunId)).Status);

        // And a second rollback has nothing to do
        var again = await h.Engine().RollbackAsync(run.RunId, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);
        Assert.Equal(RunStatus.RolledBack, again.Status);
        Assert.Equal(6, h.Log().Count);
    }

    [Fact]
    public async Task ResumeAsync_InFlightStepWithoutCheck_NeedsAttentionNamingAssumeDone()
    {
        // Given a journal that stops after b was prepared (the CLI died mid-step)
        await using var h = await EngineHarness.CreateAsync();
        var runId = await CrashedRunAsync(h, ThreeSteps);

        // When
        var result = await h.Engine().ResumeAsync(runId, new Dictionary<string, CheckResult>(), RunControl.None)
            .WaitAsync(EngineHarness.Bound, Ct);

        // Then nothing runs: a human must say whether b happened
        Assert.Equal(RunStatus.NeedsAttention, result.Status);
        Assert.Contains($"downshift resume {runId} --assume-done b", result.Summary, StringComparison.Ordinal);
        Assert.Empty(h.Log());
    }

    [Fact]
    public async Task ResumeAsync_OperatorAssumesDone_ContinuesWithNextStep()
    {
        // Given the same crash, and the operator's --assume-done b
        await using var h = await EngineHarness.CreateAsync();
        var runId = await CrashedRunAsync(h, ThreeSteps);
        var assumed = new Dictionary<string, CheckResult> { ["b"] = CheckResult.Done };

        // When
        var result = await h.Engine().ResumeAsync(runId, assumed, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then only c runs
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(["c"], h.Log());
    }

    [Fact]
    public async Task ResumeAsync_InFlightStepWhoseCheckPasses_JudgedDoneAndContinues()
    {
        // Given b has a check that passes, and the run died while b was in flight
        await using var h = await EngineHarness.CreateAsync();
        await File.WriteAllTextAsync(Path.Combine(h.Dir, "b-done"), "", Ct);
        var phases = ThreeSteps.Replace(
            "command: \"echo b >> {{ dir }}/LOG\"", "command: \"echo b >> {{ dir }}/LOG\"\n        check: \"test -e {{ dir }}/b-done\"", StringComparison.Ordinal);
        var runId = await CrashedRunAsync(h, phases);

        // When
        var result = await h.Engine().ResumeAsync(runId, new Dictionary<string, CheckResult>(), RunControl.None)
            .WaitAsync(EngineHarness.Bound, Ct);

        // Then b is judged done by its check (not re-run) and c runs
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(["c"], h.Log());
        var records = await h.RecordsAsync(runId);
        Assert.Contains(records, r => r.Event == JournalEvent.Note && r.StepId == "b" && (r.Result ?? "").Contains("judged Done by its check", StringComparison.Ordinal));
        Assert.Equal(StepState.Succeeded, RunReplay.From(records).Steps.Single(s => s.StepId == "b").State);
    }

    [Fact]
    public async Task RunAsync_LeaseHeldByLiveRun_RefusedAndNothingRuns()
    {
        // Given a lease of another run whose process is alive
        await using var h = await EngineHarness.CreateAsync();
        using var holder = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            WriteLease(h, "20250101-000000-beef", holder.Id);

            // When
            var result = await h.RunAsync(ThreeSteps);

            // Then
            Assert.NotNull(result.Refusal);
            Assert.Contains("held by run 20250101-000000-beef", result.Refusal, StringComparison.Ordinal);
            Assert.Contains("wait for it to finish", result.Refusal, StringComparison.Ordinal);
            await AssertNothingRanAsync(h, "20250101-000000-beef");
        }
        finally
        {
            holder.Kill();
        }
    }

    [Fact]
    public async Task RunAsync_LeaseOfDeadProcess_RefusedSayingResume()
    {
        // Given a lease whose process has exited
        await using var h = await EngineHarness.CreateAsync();
        int deadPid;
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            await gone.WaitForExitAsync(Ct).WaitAsync(EngineHarness.Bound, Ct);
            deadPid = gone.Id;
        }

        WriteLease(h, "20250101-000000-dead", deadPid);

        // When
        var result = await h.RunAsync(ThreeSteps);

        // Then it is refused, not taken over, and says how to finish the other run
        Assert.NotNull(result.Refusal);
        Assert.Contains("downshift resume 20250101-000000-dead", result.Refusal, StringComparison.Ordinal);
        await AssertNothingRanAsync(h, "20250101-000000-dead");
    }

    [Fact]
    public async Task RunAsync_HostHeldByARestore_RefusedNamingIt_ThenRunsOnceTheRestoreGaveItBack()
    {
        // Given 'downshift restore' holding the host (the lease a CommandLease takes)
        await using var h = await EngineHarness.CreateAsync();
        var (restore, refusal) = await CommandLease.AcquireAsync(new LocalTransport(TimeProvider.System), "restore", h.StateDirectory, TimeProvider.System, Ct);
        Assert.Null(refusal);

        // When a run starts on it (another process: a run never counts its own pid as a live holder)
        var (plan, _) = h.Load(ThreeSteps);
        var refused = await h.Engine(h.Options with { ProcessId = Environment.ProcessId + 100_000 }).RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then it is refused, naming the restore (not a run to resume), and nothing ran
        Assert.NotNull(refused.Refusal);
        Assert.Contains("is held by 'downshift restore' (pid ", refused.Refusal, StringComparison.Ordinal);
        Assert.Contains("wait for it to finish", refused.Refusal, StringComparison.Ordinal);
        Assert.Empty(h.Log());

        // When the restore is done, the run goes ahead
        await restore!.DisposeAsync();
        var ran = await h.RunAsync(ThreeSteps);
        Assert.Equal(RunStatus.Succeeded, ran.Status);
    }

    private static string Flaky(int retries) => """
        phases:
          - name: main
            steps:
              - id: flaky
                kind: shell
                command: "n=$(cat {{ dir }}/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > {{ dir }}/count; test $n -ge 3"
                undo: "true"
                retries: RETRIES
                retry-delay: 10ms
        """.Replace("RETRIES", retries.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Writes what the engine writes up to b's StepPrepared (a done, b mid-change), as if the CLI died there.</summary>
    private static async Task<string> CrashedRunAsync(EngineHarness h, string phases)
    {
        var (plan, text) = h.Load(phases);
        const string runId = "20250101-000000-c0de";
        await h.Journal.CreateRunAsync(
            new RunHeader
            {
                RunId = runId,
                PlanName = plan.Name,
                PlanPath = h.PlanPath,
                PlanHash = plan.ContentHash,
                PlanText = text,
                Variables = h.Variables,
                Operator = "tester",
                StartedAt = DateTimeOffset.UtcNow,
            },
            Ct).WaitAsync(EngineHarness.Bound, Ct);
        var steps = plan.Steps.ToList();
        await AppendAsync(h, runId, JournalEvent.RunStarted, null);
        await AppendAsync(h, runId, JournalEvent.StepStarted, steps[0]);
        await AppendAsync(h, runId, JournalEvent.StepPrepared, steps[0], "{}");
        await AppendAsync(h, runId, JournalEvent.StepSucceeded, steps[0]);
        await AppendAsync(h, runId, JournalEvent.StepStarted, steps[1]);
        await AppendAsync(h, runId, JournalEvent.StepPrepared, steps[1], "{}");
        return runId;
    }

    private static Task AppendAsync(EngineHarness h, string runId, JournalEvent kind, PlanStep? step, string? data = null) =>
        h.Journal.AppendAsync(
            new JournalRecord
            {
                RunId = runId,
                Time = DateTimeOffset.UtcNow,
                Operator = "tester",
                Event = kind,
                Host = step is null ? null : "local",
                Phase = step?.Phase,
                StepIndex = step?.Index,
                StepId = step?.Id,
                Data = data,
            },
            Ct).WaitAsync(EngineHarness.Bound, Ct);

    private static void WriteLease(EngineHarness h, string runId, int pid)
    {
        Directory.CreateDirectory(h.StateDirectory);
        File.WriteAllText(
            Path.Combine(h.StateDirectory, "lease"),
            $"run={runId} pid={pid} controller={Environment.MachineName} since=2025-01-01T00:00:00Z\n");
    }

    private static async Task AssertNothingRanAsync(EngineHarness h, string holder)
    {
        Assert.Empty(h.Log());
        var refused = Assert.Single(await h.Journal.ListRunsAsync(Ct).WaitAsync(EngineHarness.Bound, Ct));
        Assert.Equal(RunStatus.Failed, refused.Status); // journaled before the lease was tried (write-ahead), ended at once
        Assert.DoesNotContain(await h.RecordsAsync(refused.RunId), r => r.Event is JournalEvent.StepStarted or JournalEvent.LeaseAcquired);
        Assert.StartsWith($"run={holder} ", await File.ReadAllTextAsync(Path.Combine(h.StateDirectory, "lease"), Ct), StringComparison.Ordinal);
    }
}
