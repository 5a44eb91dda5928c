namespace Downshift.Backups;

/// <summary>
/// Keep the newest <paramref name="KeepFull"/> full backups of each host and source, with their
/// incrementals. With <paramref name="Host"/> and/or <paramref name="Source"/>, only those backups are
/// considered; every other backup is kept. Backups taken just before a restore (source ending in
/// <c>:before-restore</c>) may be the only copy of rows a rollback replaced: they are deleted only by a
/// rule that names their source exactly.
/// </summary>
public sealed record RetentionRule(int KeepFull, string? Host = null, string? Source = null)
{
    public const string BeforeRestoreSuffix = ":before-restore";

    /// <summary>Whether this rule may delete <paramref name="backup"/>'s chain at all.</summary>
    public bool Covers(BackupManifest backup) =>
        (Host is null || backup.Host == Host) &&
        (Source is null ? !backup.Source.EndsWith(BeforeRestoreSuffix, StringComparison.Ordinal) : backup.Source == Source);
}

/// <summary>What <see cref="BackupStore.ApplyRetentionAsync"/> did.</summary>
/// <param name="Kept">Backups kept, newest first.</param>
/// <param name="Deleted">Backups deleted (older chains).</param>
/// <param name="LeftoversRemoved">Unfinished backups (<c>.tmp-*</c>) and scratch directories of crashed runs that were removed.</param>
public sealed record RetentionResult(IReadOnlyList<string> Kept, IReadOnlyList<string> Deleted, IReadOnlyList<string> LeftoversRemoved);
