namespace Downshift.Journal;

/// <summary>What a journal record says happened. Stored by name; never renumber.</summary>
public enum JournalEvent
{
    RunStarted,
    LeaseAcquired,
    LeaseReleased,
    StepStarted,
    StepAlreadyDone,
    StepPrepared,
    Command,
    StepSucceeded,
    StepFailed,
    StepRetry,
    RollbackStarted,
    UndoStarted,
    UndoSucceeded,
    UndoFailed,
    UndoSkipped,
    HealthCheck,
    Resumed,
    Cancelled,
    Note,
    RunFinished,

    /// <summary>
    /// Monitoring samples of one host over a span of time (issue 5; E2, E6): a JSON batch in Data, written
    /// by <c>Monitoring/MetricJournal</c>. An observation, not an action: it never reopens a finished run.
    /// </summary>
    MetricSamples,
}
