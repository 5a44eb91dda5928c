using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.Engine.Internal;

/// <summary>Appends a run's records with the fields every record shares (run, operator, time).</summary>
internal sealed class RunRecorder(IJournal journal, string runId, string operatorName, TimeProvider time)
{
    public string RunId { get; } = runId;

    public TimeProvider Time { get; } = time;

    /// <summary>The run's records so far (the state to replay).</summary>
    public Task<IReadOnlyList<JournalRecord>> ReadAsync() => journal.ReadAsync(RunId, CancellationToken.None);

    /// <summary>The run's state so far; the plan says which steps are checks (see <see cref="RunReplay.From"/>).</summary>
    public async Task<RunReplay> ReplayAsync(Plan plan) => RunReplay.From(await ReadAsync(), plan.CheckSteps);

    /// <summary>
    /// Appends durably. Journal writes are not cancelled by the operator's Ctrl+C: a record of what
    /// happened must be written even while the run is being stopped.
    /// </summary>
    public Task<JournalRecord> AppendAsync(
        JournalEvent kind,
        string? host = null,
        PlanStep? step = null,
        string? result = null,
        string? data = null,
        string? command = null,
        int? exitCode = null,
        string? output = null,
        TimeSpan? duration = null) =>
        journal.AppendAsync(
            new JournalRecord
            {
                RunId = RunId,
                Time = Time.GetUtcNow(),
                Operator = operatorName,
                Event = kind,
                Host = host,
                Phase = step?.Phase,
                StepIndex = step?.Index,
                StepId = step?.Id,
                Result = result,
                Data = data,
                Command = command,
                ExitCode = exitCode,
                Output = output,
                Duration = duration,
            },
            CancellationToken.None);
}
