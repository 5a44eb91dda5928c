using Downshift.Databases;

namespace Downshift.Steps.Backup;

/// <summary>
/// The <c>backup</c> step: files and directories on the host and at most one database, backed up
/// into the run's backup store — full (and verified) at staging while the service still serves,
/// incremental (and verified) where the step stands in the plan, after writes stopped.
/// </summary>
public sealed record BackupOptions : StepOptions
{
    /// <summary>Absolute paths on the host (files or directories, taken recursively).</summary>
    public required IReadOnlyList<string> Files { get; init; }

    public DatabaseTarget? Database { get; init; }

    /// <summary>A command that stops writes before the incremental (maintenance mode, read-only); null when an earlier step stopped the service.</summary>
    public string? PauseWrites { get; init; }

    /// <summary>Undoes <see cref="PauseWrites"/>; required with it.</summary>
    public string? ResumeWrites { get; init; }

    /// <summary>Undo puts the backed-up files back on the host as they were at the incremental.</summary>
    public bool RestoreFilesOnUndo { get; init; }

    /// <summary>After the incremental: keep this many full chains of this host and step in the store (0: keep all).</summary>
    public int Keep { get; init; }
}
