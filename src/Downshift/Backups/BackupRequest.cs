namespace Downshift.Backups;

/// <summary>A full backup stands alone; an incremental holds what changed since its parent.</summary>
public enum BackupKind
{
    Full,
    Incremental,
}

/// <summary>What a new backup is of, for <see cref="BackupStore.BeginAsync"/>.</summary>
/// <param name="Host">The host's name (part of the backup's id).</param>
/// <param name="Source">What the backup is of: the plan step's id, or <c>cli</c>/<c>manual</c>.</param>
/// <param name="Kind">Full, or incremental on <paramref name="ParentId"/>.</param>
/// <param name="ParentId">The backup an incremental builds on (null for a full one).</param>
/// <param name="RunId">The run that took it, if any.</param>
public sealed record BackupRequest(string Host, string Source, BackupKind Kind, string? ParentId, string? RunId);
