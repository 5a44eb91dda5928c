namespace Downshift.Plans;

/// <summary>One problem found in a plan. Rendered as <c>PLAN:LINE:COL: message (at yaml.path)</c>.</summary>
public sealed record PlanError(SourceLocation Location, string Message)
{
    public override string ToString() =>
        string.IsNullOrEmpty(Location.YamlPath)
            ? $"{Location}: {Message}"
            : $"{Location}: {Message} (at {Location.YamlPath})";
}

/// <summary>Collects every error of a plan; validation never stops at the first one.</summary>
public sealed class PlanErrors
{
    private readonly List<PlanError> errors = [];

    public IReadOnlyList<PlanError> All => errors;

    public bool Any => errors.Count > 0;

    public void Add(SourceLocation location, string message) => errors.Add(new PlanError(location, message));

    public IReadOnlyList<PlanError> Sorted() =>
        [.. errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ThenBy(e => e.Message, StringComparer.Ordinal)];
}
