using Downshift.Journal;

namespace Downshift.Engine;

/// <summary>How a run (or a resume, or a rollback) ended.</summary>
public sealed record RunResult(string RunId, RunStatus Status, string Summary)
{
    /// <summary>What a human must look at: why a run needs attention, and leases that could not be given back.</summary>
    public IReadOnlyList<string> Attention { get; init; } = [];

    /// <summary>Set when the run was refused before it changed anything (another run holds a host).</summary>
    public string? Refusal { get; init; }

    /// <summary>Where each host stands at the end (changed, rolled back, untouched, …).</summary>
    public IReadOnlyList<HostSummary> Hosts { get; init; } = [];
}
