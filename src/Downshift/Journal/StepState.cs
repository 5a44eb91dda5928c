namespace Downshift.Journal;

/// <summary>Where one step on one host stands, as replayed from the journal.</summary>
public enum StepState
{
    NotStarted,

    /// <summary>Started (or prepared) and not ended: running now, or the CLI died mid-step.</summary>
    InFlight,

    /// <summary>Its check said the effect was already there; nothing was changed.</summary>
    AlreadyDone,
    Succeeded,
    Failed,

    /// <summary>Undo started and not ended: running now, or the CLI died mid-undo.</summary>
    UndoInFlight,
    Undone,
    UndoFailed,
    UndoSkipped,
}

/// <summary>Identifies a step on a host: the same plan step runs once per host.</summary>
public readonly record struct StepKey(string Host, int StepIndex);

/// <summary>One step on one host, replayed from its records.</summary>
public sealed record StepReplay
{
    public required string Host { get; init; }

    public required int StepIndex { get; init; }

    public string? StepId { get; init; }

    public string? Phase { get; init; }

    public StepState State { get; init; }

    /// <summary>True once a StepPrepared record was written: the change may have happened.</summary>
    public bool Prepared { get; init; }

    /// <summary>The undo data of the first StepPrepared: the state before this run touched the host.</summary>
    public string? UndoData { get; init; }

    /// <summary>Attempts made: each StepStarted or StepRetry begins one (a StepStarted right after a StepRetry does not count twice).</summary>
    public int Attempts { get; init; }

    /// <summary>Where the step itself (not its undo) got to: the state before any undo began.</summary>
    public StepState StepOutcome { get; init; }

    /// <summary>The Result of the record that ended the step itself (StepSucceeded, StepFailed, StepAlreadyDone).</summary>
    public string? OutcomeResult { get; init; }

    /// <summary>The Result of the last record that carried one (failure reason, undo failure, …).</summary>
    public string? LastResult { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the step (not its undo) ended: AlreadyDone, Succeeded or Failed.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Position (0-based, in the replayed list) of the first StepPrepared; orders undo.</summary>
    public int PreparedOrder { get; init; } = -1;

    /// <summary>Position of the first StepStarted in the replayed list.</summary>
    public int StartedOrder { get; init; } = -1;

    public StepKey Key => new(Host, StepIndex);

    /// <summary>
    /// Whether a rollback must undo this step: it was prepared (the engine journals StepPrepared
    /// before every change, never for a check), so it may have changed the host — and then it
    /// succeeded, failed, died, or was later found "already done" by its own earlier attempt — and its
    /// undo has not succeeded or been skipped. A step killed mid-undo, or whose undo failed, is undone
    /// again. A step that succeeded without being prepared (a check, or one judged done after it died
    /// before its StepPrepared) changed nothing of this run's.
    /// </summary>
    public bool NeedsUndo => State switch
    {
        StepState.Succeeded or StepState.Failed or StepState.InFlight or StepState.AlreadyDone => Prepared,
        StepState.UndoInFlight or StepState.UndoFailed => true,
        _ => false,
    };
}
