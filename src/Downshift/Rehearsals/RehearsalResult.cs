using Downshift.Engine;
using Downshift.Fingerprints;
using Downshift.Journal;

namespace Downshift.Rehearsals;

/// <summary>One host of a rehearsal: its fingerprints compared (before the run, after the rollback), or why they could not be.</summary>
public sealed record HostRehearsal(string Host, FingerprintComparison? Comparison, string? Problem)
{
    public int Unexpected => Comparison?.Unexpected.Count ?? 0;

    public int Expected => Comparison is { } c ? c.Differences.Count - c.Unexpected.Count : 0;

    /// <summary>Back where it started: compared, and every difference declared expected.</summary>
    public bool Restored => Problem is null && Comparison is { HasUnexpected: false };
}

/// <summary>
/// What <see cref="Rehearser.RehearseAsync"/> found. <see cref="Compared"/> is false when the run could not
/// proceed (refused, cancelled): then nothing was compared and nothing recorded.
/// </summary>
public sealed record RehearsalResult(string PlanHash, RunResult Run)
{
    /// <summary>The rollback of a run that succeeded (null when the run rolled itself back or never changed anything).</summary>
    public RunResult? Rollback { get; init; }

    public IReadOnlyList<HostRehearsal> Hosts { get; init; } = [];

    public bool Compared { get; init; }

    /// <summary>The record stored in the journal (null when nothing was compared).</summary>
    public RehearsalRecord? Record { get; init; }

    /// <summary>The run ended succeeded and the rollback rolled-back: what a rehearsal expects of them.</summary>
    public bool EndedAsExpected => Run.Status == RunStatus.Succeeded && Rollback?.Status == RunStatus.RolledBack;

    public bool Passed => Compared && EndedAsExpected && Hosts.All(h => h.Restored);

    /// <summary>Why the rehearsal did not pass, in words, beyond each host's differences; null when it passed.</summary>
    public string? Why => Passed
        ? null
        : !EndedAsExpected
            ? $"the run ended {Run.Status.ToWire()}" + (Rollback is { } r ? $" and its rollback {r.Status.ToWire()}" : "") +
              " (a rehearsal expects the run to succeed and its rollback to end rolled-back)"
            : "some host is not back where it started";
}
