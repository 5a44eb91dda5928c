using Downshift.Backups;

namespace Downshift.Cli.Commands;

/// <summary>The --json shape of a backup, shared by <c>backup</c> and <c>backups</c>.</summary>
internal static class BackupJson
{
    public static object Of(BackupResult result) => Of(result.Manifest, result.Verification, result.Duration);

    public static object Of(BackupManifest manifest, BackupVerification? verification, TimeSpan? total = null) => new
    {
        id = manifest.Id,
        host = manifest.Host,
        source = manifest.Source,
        kind = manifest.Kind == BackupKind.Full ? "full" : "incremental",
        parent = manifest.ParentId,
        run = manifest.RunId,
        started = manifest.StartedAt,
        encrypted = manifest.Encrypted,
        bytes = manifest.Items.Sum(i => i.RawSize),
        storedBytes = manifest.Items.Sum(i => i.StoredSize),
        files = manifest.Items.Sum(i => i.Entries?.Count ?? 0),
        items = manifest.Items.Select(i => new { name = i.Name, kind = i.Kind, bytes = i.RawSize, storedBytes = i.StoredSize, deleted = i.Deleted?.Count ?? 0 }),
        backupSeconds = manifest.Duration.TotalSeconds,
        durationSeconds = (total ?? manifest.Duration).TotalSeconds,
        verification = verification is null
            ? null
            : new
            {
                passed = verification.Passed,
                seconds = verification.Duration.TotalSeconds,
                files = verification.FilesChecked,
                bytes = verification.Bytes,
                at = verification.VerifiedAt,
                differences = verification.Differences,
            },
    };
}
