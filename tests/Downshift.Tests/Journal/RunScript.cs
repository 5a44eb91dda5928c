using Downshift.Journal;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.Tests.Journal;

/// <summary>Writes a run's records the way the engine would, one second apart, for replay and report tests.</summary>
internal sealed class RunScript
{
    public static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);

    private readonly List<JournalRecord> records = [];
    private readonly FakeTimeProvider time = new(Start);

    public string RunId { get; init; } = "run-1";

    public IReadOnlyList<JournalRecord> Records => records;

    public RunScript Run(JournalEvent journalEvent, string? result = null, string? data = null) =>
        Add(new JournalRecord { RunId = RunId, Time = Now(), Operator = "alice", Event = journalEvent, Result = result, Data = data });

    /// <summary>A record about a host, not a step (a lease, a host's rollback).</summary>
    public RunScript OnHost(JournalEvent journalEvent, string host, string? result = null) =>
        Add(new JournalRecord { RunId = RunId, Time = Now(), Operator = "alice", Event = journalEvent, Host = host, Result = result });

    public RunScript Step(
        JournalEvent journalEvent, string host, int index, string? result = null, string? data = null,
        string? command = null, int? exitCode = null, string? output = null) =>
        Add(new JournalRecord
        {
            RunId = RunId,
            Time = Now(),
            Operator = "alice",
            Event = journalEvent,
            Host = host,
            StepIndex = index,
            StepId = $"step-{index}",
            Phase = "main",
            Result = result,
            Data = data,
            Command = command,
            ExitCode = exitCode,
            Output = output,
            Duration = journalEvent is JournalEvent.Command or JournalEvent.StepSucceeded ? TimeSpan.FromMilliseconds(1500) : null,
        });

    /// <summary>StepStarted, StepPrepared (undo data <c>{"n":"index"}</c>), StepSucceeded.</summary>
    public RunScript Succeeds(string host, int index) =>
        Step(JournalEvent.StepStarted, host, index)
            .Step(JournalEvent.StepPrepared, host, index, data: UndoJson(index))
            .Step(JournalEvent.StepSucceeded, host, index, result: "ok");

    public RunScript Finished(RunStatus status) => Run(JournalEvent.RunFinished, status.ToWire());

    public static string UndoJson(int index) => $$"""{"n":"{{index}}"}""";

    private RunScript Add(JournalRecord record)
    {
        records.Add(record with { Sequence = records.Count + 1 });
        return this;
    }

    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(1));
        return now;
    }
}
