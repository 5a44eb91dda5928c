using Downshift.Hosts;
using Downshift.Plans;

namespace Downshift.Steps;

/// <summary>What a step gets to do its work: the host it runs on and where it keeps its files.</summary>
public sealed class StepContext
{
    public required IHostTransport Host { get; init; }

    public required string RunId { get; init; }

    public required PlanStep Step { get; init; }

    /// <summary>A directory on the host, kept with the run, where originals are saved for undo.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The directory of the plan file on the controller (relative sources resolve here).</summary>
    public required string PlanDirectory { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>The host as the plan or inventory names it (address, vars) — for <c>{{ host.… }}</c>.</summary>
    public HostEntry Target { get; init; } = HostEntry.Local;

    /// <summary>The run's backup store on the controller (backup steps write it, restore-backup reads it); null when the run has none.</summary>
    public Backups.BackupStore? Backups { get; init; }

    /// <summary>The text with <c>{{ host.address }}</c> and the like filled in for this host.</summary>
    public string Expand(string text) => HostPlaceholders.Expand(text, Target);
}
