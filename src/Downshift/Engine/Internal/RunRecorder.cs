using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.Engine.Internal;

/// <summary>
/// Appends a run's records with the fields every record shares (run, operator, time), and keeps a copy
/// of the run's records — those read when the run was loaded, then each one appended, as stored, in
/// journal order — so the engine replays the run without reading the journal again. One recorder per
/// run: every host's runner appends through it.
/// </summary>
internal sealed class RunRecorder(IJournal journal, string runId, string operatorName, TimeProvider time, IReadOnlyList<JournalRecord> earlier)
{
    private readonly Lock gate = new();
    private readonly List<JournalRecord> records = [.. earlier];

    public string RunId { get; } = runId;

    public TimeProvider Time { get; } = time;

    /// <summary>The journal itself, for writers that batch their own records (the monitor's samples).</summary>
    public IJournal Journal => journal;

    public string Operator => operatorName;

    /// <summary>The run's state so far; the plan says which steps are checks (see <see cref="RunReplay.From"/>).</summary>
    public RunReplay Replay(Plan plan)
    {
        lock (gate)
        {
            return RunReplay.From([.. records], plan.CheckSteps);
        }
    }

    /// <summary>The newest of the run's records that matches, or null.</summary>
    public JournalRecord? Last(Func<JournalRecord, bool> match)
    {
        lock (gate)
        {
            return records.LastOrDefault(match);
        }
    }

    /// <summary>
    /// Appends durably. Journal writes are not cancelled by the operator's Ctrl+C: a record of what
    /// happened must be written even while the run is being stopped.
    /// </summary>
    public async Task<JournalRecord> AppendAsync(
        JournalEvent kind,
        string? host = null,
        PlanStep? step = null,
        string? result = null,
        string? data = null,
        string? command = null,
        int? exitCode = null,
        string? output = null,
        TimeSpan? duration = null)
    {
        var written = await journal.AppendAsync(
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
        lock (gate)
        {
            // Hosts append at once: keep the journal's order (a record's sequence), not the order the appends returned.
            var at = records.Count;
            while (at > 0 && records[at - 1].Sequence > written.Sequence)
            {
                at--;
            }

            records.Insert(at, written);
        }

        return written;
    }
}
