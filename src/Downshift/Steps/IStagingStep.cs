namespace Downshift.Steps;

/// <summary>
/// A step kind that must fetch or check something on the host <b>before the run changes anything</b>
/// (before the service stops): the package step downloads the target and the installed package so
/// the rollback never depends on a mirror or the apt cache, and refuses a change that would remove
/// packages the plan did not mention. The engine calls <see cref="StageAsync"/> for every such step
/// on a host before that host's first step; a failure stops the host with nothing changed.
/// Staging must be safe to run twice (resume runs it again for steps not yet done).
/// </summary>
public interface IStagingStep
{
    Task<StepOutcome> StageAsync(StepContext context, CancellationToken cancellationToken);
}
