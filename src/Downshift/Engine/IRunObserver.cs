using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.Engine;

/// <summary>Live progress of a run, for the terminal (the journal is the record; this is the view).</summary>
public interface IRunObserver
{
    void StepStarted(string host, PlanStep step, string description);

    void StepFinished(string host, PlanStep step, StepOutcome outcome, TimeSpan duration);

    void StepRetrying(string host, PlanStep step, StepOutcome outcome, int attempt);

    void RollbackStarted(string host, string reason);

    void UndoFinished(string host, PlanStep step, StepOutcome outcome, TimeSpan duration);

    void Message(string? host, string text);
}

/// <summary>An observer that shows nothing (library use, tests).</summary>
public sealed class SilentObserver : IRunObserver
{
    public static readonly SilentObserver Instance = new();

    public void StepStarted(string host, PlanStep step, string description)
    {
    }

    public void StepFinished(string host, PlanStep step, StepOutcome outcome, TimeSpan duration)
    {
    }

    public void StepRetrying(string host, PlanStep step, StepOutcome outcome, int attempt)
    {
    }

    public void RollbackStarted(string host, string reason)
    {
    }

    public void UndoFinished(string host, PlanStep step, StepOutcome outcome, TimeSpan duration)
    {
    }

    public void Message(string? host, string text)
    {
    }
}
