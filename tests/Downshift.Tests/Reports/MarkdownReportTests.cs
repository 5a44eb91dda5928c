using Downshift.Journal;
using Downshift.Reports;
using Downshift.Tests.Journal;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.Tests.Reports;

public sealed class MarkdownReportTests
{
    private const string Diff = "--- a/etc/app.conf\n+++ b/etc/app.conf\n@@ -1,2 +1,2 @@\n-version=1.5\n+version=1.4\n";

    private static readonly RunHeader Header = new()
    {
        RunId = "run-1",
        PlanName = "downgrade-app",
        PlanPath = "/plans/app.yaml",
        PlanHash = "abc123",
        PlanText = """
            name: downgrade-app
            reason: { kind: bug, detail: "1.5 leaks memory" }
            scope: { kind: modules, items: [api, worker] }
            from: "1.5"
            to: "1.4"
            hosts: [web-1, web-2]
            """,
        Variables = new Dictionary<string, string>(),
        Operator = "alice",
        StartedAt = RunScript.Start,
    };

    private static readonly PlanFacts Facts = new("bug", "1.5 leaks memory", "modules", ["api", "worker"], "1.5", "1.4", ["web-1", "web-2"]);

    [Fact]
    public void Render_PlanNoLongerLoads_VersionsAndHostsFromTheRunStartedRecord()
    {
        // Given no plan facts, and a RunStarted record as the engine writes it
        var script = new RunScript()
            .Run(JournalEvent.RunStarted, data: """{"plan":"downgrade-app","from":"1.5","to":"1.4","hosts":["web-1","web-2"]}""")
            .Succeeds("web-1", 0);

        // When
        var md = MarkdownReport.Render(Header, script.Records);

        // Then the versions and all hosts come from the record (web-2 never started a step), and no reason is made up
        Assert.Contains("- **Version:** 1.5 → 1.4", md, StringComparison.Ordinal);
        Assert.Contains("- **Hosts:** web-1, web-2", md, StringComparison.Ordinal);
        Assert.DoesNotContain("**Reason:**", md, StringComparison.Ordinal);
    }

    private static RunScript FailedRun() => new RunScript()
        .Run(JournalEvent.RunStarted)
        .Step(JournalEvent.StepStarted, "web-1", 0)
        .Step(JournalEvent.StepPrepared, "web-1", 0, data: RunScript.UndoJson(0))
        .Step(JournalEvent.Command, "web-1", 0, command: "grep x | sort", exitCode: 0)
        .Step(JournalEvent.StepSucceeded, "web-1", 0, result: "ok", output: Diff)
        .Succeeds("web-2", 0)
        .Step(JournalEvent.StepStarted, "web-1", 1)
        .Step(JournalEvent.StepPrepared, "web-1", 1, data: RunScript.UndoJson(1))
        .Step(JournalEvent.StepFailed, "web-1", 1, result: "exit 3 | health check")
        .Run(JournalEvent.RollbackStarted, "step-1 failed on web-1")
        .Step(JournalEvent.UndoStarted, "web-1", 1).Step(JournalEvent.UndoSucceeded, "web-1", 1)
        .Step(JournalEvent.UndoStarted, "web-2", 0).Step(JournalEvent.UndoFailed, "web-2", 0, result: "permission denied")
        .Step(JournalEvent.UndoStarted, "web-1", 0).Step(JournalEvent.UndoSucceeded, "web-1", 0)
        .Finished(RunStatus.NeedsAttention);

    [Fact]
    public void Render_FailedRun_HasSummaryFromPlanText()
    {
        // Given a run that failed and was partly rolled back
        var records = FailedRun().Records;

        // When (with the facts of the plan as loaded)
        var md = MarkdownReport.Render(Header, records, facts: Facts);

        // Then
        Assert.StartsWith("# Downgrade report: downgrade-app — run run-1\n", md, StringComparison.Ordinal);
        Assert.Contains("**Status: needs-attention**", md, StringComparison.Ordinal);
        Assert.Contains("- **Reason:** bug — 1.5 leaks memory", md, StringComparison.Ordinal);
        Assert.Contains("- **Scope:** modules: api, worker", md, StringComparison.Ordinal);
        Assert.Contains("- **Version:** 1.5 → 1.4", md, StringComparison.Ordinal);
        Assert.Contains("- **Hosts:** web-1, web-2", md, StringComparison.Ordinal);
        Assert.Contains("- **Operator:** alice", md, StringComparison.Ordinal);
        Assert.Contains("- **Started:** 2025-03-14T09:00:00.000Z", md, StringComparison.Ordinal);
        Assert.Contains("- **Duration:** 18.0s", md, StringComparison.Ordinal);
        Assert.Contains("- **Rolled back because:** step-1 failed on web-1", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FailedRun_HasUndoSectionAndWhatIsLeft()
    {
        // Given / When
        var md = MarkdownReport.Render(Header, FailedRun().Records);

        // Then
        Assert.Contains("| #1 step-1 | web-1 | undone |  |", md, StringComparison.Ordinal);
        Assert.Contains("| #0 step-0 | web-2 | FAILED | permission denied |", md, StringComparison.Ordinal);
        Assert.Contains("- #0 step-0 on `web-2`: undo failed: permission denied", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SucceededStepWithDiff_DiffFenced()
    {
        // Given / When
        var md = MarkdownReport.Render(Header, FailedRun().Records);

        // Then
        Assert.Contains("## Config diffs\n\n### #0 step-0 on web-1\n\n```diff\n" + Diff + "```\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BackupAndMigrateResults_DataSafetySectionInOrder()
    {
        // Given a host that staged a full backup, took the incremental, migrated down, and had the migration undone by a restore
        var records = new RunScript()
            .Run(JournalEvent.RunStarted)
            .Step(JournalEvent.Note, "web-1", 0, result: "staged: full backup 20261204T1Z-web-1-ab12: 3 entries, 10 KiB → 1 KiB; verified (3 files, 6 KiB) in 0.2 s")
            .Step(JournalEvent.StepSucceeded, "web-1", 0, result: "ok", output: "incremental 20261204T2Z-web-1-cd34: 1 entries, 2 KiB → 400 B; verified (3 files, 1 KiB) in 0.1 s")
            .Step(JournalEvent.StepSucceeded, "web-1", 1, result: "ok", output: "postgresql database 'shop' schema 2.3 -> 2.1: ran U2_3__c.sql (0.05 s); checks: no order lost: 2 = 2")
            .Step(JournalEvent.StepSucceeded, "web-1", 2, result: "ok", output: "started shopd")
            .Step(JournalEvent.UndoSucceeded, "web-1", 1, result: "postgresql database 'shop' restored from 20261204T1Z-web-1-ab12; schema and 3 tables equal the verified backup")
            .Finished(RunStatus.RolledBack);

        // When rendered
        var md = MarkdownReport.Render(Header, records.Records);

        // Then the data safety section lists the four, in journal order, and not the unrelated step
        var section = md[md.IndexOf("## Data safety", StringComparison.Ordinal)..md.IndexOf("## Operation log", StringComparison.Ordinal)];
        Assert.Equal(4, section.Split('\n').Count(l => l.StartsWith("| 20", StringComparison.Ordinal)));
        Assert.True(section.IndexOf("full backup 20261204T1Z", StringComparison.Ordinal) < section.IndexOf("incremental 20261204T2Z", StringComparison.Ordinal));
        Assert.Contains("schema 2.3 -> 2.1", section, StringComparison.Ordinal);
        Assert.Contains("restored from 20261204T1Z-web-1-ab12", section, StringComparison.Ordinal);
        Assert.DoesNotContain("started shopd", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_PipesInCells_Escaped()
    {
        // Given / When
        var md = MarkdownReport.Render(Header, FailedRun().Records);

        // Then the command and the failure reason keep the table intact
        Assert.Contains(@"grep x \| sort", md, StringComparison.Ordinal);
        Assert.Contains(@"| failed: exit 3 \| health check; undone |", md, StringComparison.Ordinal);
        Assert.DoesNotContain("grep x | sort", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OperationLog_OneRowPerRecord()
    {
        // Given
        var records = FailedRun().Records;

        // When
        var md = MarkdownReport.Render(Header, records);

        // Then
        var log = md[md.IndexOf("## Operation log", StringComparison.Ordinal)..];
        Assert.Contains("| Seq | Time (UTC) | Operator | Host | Event | Step | Command | Exit | Duration | Result |", log, StringComparison.Ordinal);
        Assert.Equal(records.Count + 2, log.Split('\n').Count(l => l.StartsWith('|')));
        Assert.Contains("| 4 | 2025-03-14T09:00:03.000Z | alice | web-1 | Command | #0 step-0 | grep x \\| sort | 0 | 1.5s | |", log.Replace("|  |", "| |", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SameInput_SameOutput()
    {
        // Given / When
        var first = MarkdownReport.Render(Header, FailedRun().Records);
        var second = MarkdownReport.Render(Header, FailedRun().Records);

        // Then
        Assert.Equal(first, second);
    }

    [Fact]
    public void Render_PlanTextWithoutFactsAndRunStillGoing_ToleratedAndSaysSo()
    {
        // Given a plan with none of the optional keys, a run killed mid-step, and a clock
        var header = Header with { PlanText = "name: x\nsteps: [" };
        var script = new RunScript().Run(JournalEvent.RunStarted)
            .Step(JournalEvent.StepStarted, "web-1", 0)
            .Step(JournalEvent.StepPrepared, "web-1", 0, data: RunScript.UndoJson(0));
        var time = new FakeTimeProvider(RunScript.Start.AddMinutes(2));

        // When
        var md = MarkdownReport.Render(header, script.Records, time);

        // Then
        Assert.Contains("**Status: running**", md, StringComparison.Ordinal);
        Assert.DoesNotContain("**Reason:**", md, StringComparison.Ordinal);
        Assert.Contains("- **Hosts:** web-1", md, StringComparison.Ordinal);
        Assert.Contains("- **Duration:** 2m 00s so far", md, StringComparison.Ordinal);
        Assert.Contains("The run has not finished", md, StringComparison.Ordinal);
        Assert.Contains("Nothing was undone.", md, StringComparison.Ordinal);
        Assert.Contains("_Generated 2025-03-14T09:02:00.000Z._", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SucceededRun_NothingLeft()
    {
        // Given
        var script = new RunScript().Run(JournalEvent.RunStarted).Succeeds("web-1", 0).Finished(RunStatus.Succeeded);

        // When
        var md = MarkdownReport.Render(Header, script.Records);

        // Then
        Assert.Contains("**Status: succeeded**", md, StringComparison.Ordinal);
        Assert.Contains("| main | #0 step-0 | web-1 | 2025-03-14T09:00:01.000Z | 2.0s | succeeded |", md, StringComparison.Ordinal);
        Assert.Contains("Nothing is left.", md, StringComparison.Ordinal);
        Assert.DoesNotContain("## Config diffs", md, StringComparison.Ordinal);
    }
}
