namespace Downshift.Steps;

public enum StepResult
{
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>An expected outcome of a step or an undo: a value, not an exception (Polly's Outcome).</summary>
public sealed record StepOutcome(StepResult Result, string? Detail = null, bool IsTransient = false)
{
    public bool IsSuccess => Result != StepResult.Failed;

    /// <summary>The step failed because the host's connection broke mid-command: it may or may not have taken effect.</summary>
    public bool IsConnectionLost { get; init; }

    public static StepOutcome Succeeded(string? detail = null) => new(StepResult.Succeeded, detail);

    public static StepOutcome Failed(string reason, bool isTransient = false) => new(StepResult.Failed, reason, isTransient);

    public static StepOutcome Skipped(string reason) => new(StepResult.Skipped, reason);
}

/// <summary>What a check says: the step's effect is in place, is not, or cannot be told.</summary>
public enum CheckResult
{
    Done,
    NotDone,
    Unknown,
}
