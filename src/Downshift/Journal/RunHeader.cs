namespace Downshift.Journal;

/// <summary>
/// What a run is: written once when it starts. The plan's full text and the variables are kept so
/// that resume and rollback use exactly what ran, even if the file changed since.
/// </summary>
public sealed record RunHeader
{
    public required string RunId { get; init; }

    public required string PlanName { get; init; }

    public required string PlanPath { get; init; }

    public required string PlanHash { get; init; }

    public required string PlanText { get; init; }

    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    public required string Operator { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
}

/// <summary>One line of <c>downshift runs</c>.</summary>
public sealed record RunSummary(
    string RunId,
    string PlanName,
    string Operator,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    RunStatus Status);
