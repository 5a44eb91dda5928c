namespace Downshift.Plans;

/// <summary>A plan, or every error that keeps it from being one.</summary>
public sealed record PlanLoadResult(Plan? Plan, IReadOnlyList<PlanError> Errors)
{
    public bool IsValid => Plan is not null && Errors.Count == 0;
}
