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
}
