namespace Downshift.Steps;

/// <summary>
/// Do, check, undo (Octopus Calamari's conventions). The engine calls, for one step on one host:
/// <see cref="CheckAsync"/> (already done? then skip), <see cref="PrepareAsync"/> (capture what the
/// undo needs; journaled before the change), <see cref="ExecuteAsync"/>, and on rollback
/// <see cref="UndoAsync"/> with the captured data. Undo must be safe to run twice.
/// </summary>
public interface IStepExecutor
{
    /// <summary>One line for the dry run and the journal: what the step does.</summary>
    string Describe();

    /// <summary>One line: what the derived undo does (null when the kind has none).</summary>
    string? DescribeUndo();

    /// <summary>The kind's own check: has the step's effect already taken place?</summary>
    Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken);

    Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken);

    Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken);

    Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken);
}
