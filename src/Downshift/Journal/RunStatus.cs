namespace Downshift.Journal;

/// <summary>Where a run stands; derived from its records, never stored as mutable state.</summary>
public enum RunStatus
{
    /// <summary>Started and not finished: in progress, or the CLI died (resume it).</summary>
    Running,
    Succeeded,

    /// <summary>Failed, and every completed step was undone.</summary>
    RolledBack,

    /// <summary>A rollback was incomplete, or a step's state cannot be told: a human must look.</summary>
    NeedsAttention,

    /// <summary>Cancelled by the operator (Ctrl+C); completed steps were undone.</summary>
    Cancelled,

    /// <summary>Failed and stopped without undoing (rollback disabled, or undo of a run that was never started).</summary>
    Failed,

    /// <summary>
    /// A fleet run ended with hosts on different versions: some changed and kept the change, the
    /// failed ones went back (within the failure budget, or by <c>rollback: failed-hosts</c>).
    /// </summary>
    Partial,
}

public static class RunStatusNames
{
    public static string ToWire(this RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Succeeded => "succeeded",
        RunStatus.RolledBack => "rolled-back",
        RunStatus.NeedsAttention => "needs-attention",
        RunStatus.Cancelled => "cancelled",
        RunStatus.Failed => "failed",
        RunStatus.Partial => "partial",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static RunStatus FromWire(string value) => value switch
    {
        "running" => RunStatus.Running,
        "succeeded" => RunStatus.Succeeded,
        "rolled-back" => RunStatus.RolledBack,
        "needs-attention" => RunStatus.NeedsAttention,
        "cancelled" => RunStatus.Cancelled,
        "failed" => RunStatus.Failed,
        "partial" => RunStatus.Partial,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "unknown run status"),
    };
}
