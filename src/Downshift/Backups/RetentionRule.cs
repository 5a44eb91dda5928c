namespace Downshift.Backups;

/// <summary>Keep the newest <paramref name="KeepFull"/> full backups of each host and source, with their incrementals.</summary>
public sealed record RetentionRule(int KeepFull);

/// <summary>What <see cref="BackupStore.ApplyRetentionAsync"/> did.</summary>
/// <param name="Kept">Backups kept, newest first.</param>
/// <param name="Deleted">Backups deleted (older chains).</param>
/// <param name="LeftoversRemoved">Unfinished backups (<c>.tmp-*</c>) and scratch directories of crashed runs that were removed.</param>
public sealed record RetentionResult(IReadOnlyList<string> Kept, IReadOnlyList<string> Deleted, IReadOnlyList<string> LeftoversRemoved);
