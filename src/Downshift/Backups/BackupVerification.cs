using Downshift.Databases;

namespace Downshift.Backups;

/// <summary>
/// The verdict of restoring a backup to scratch and comparing it with its manifest and source (P6),
/// stored beside the backup. Only a backup whose verification passed counts.
/// </summary>
/// <param name="FilesChecked">Entries restored and compared.</param>
/// <param name="Bytes">Bytes restored and compared (files and dump).</param>
/// <param name="Differences">One line per difference; empty when passed.</param>
public sealed record BackupVerification(
    bool Passed,
    int FilesChecked,
    long Bytes,
    TimeSpan Duration,
    DateTimeOffset VerifiedAt,
    IReadOnlyList<string> Differences)
{
    /// <summary>The fingerprint of the database as restored from this backup, when it was compared row for row.</summary>
    public DatabaseFingerprint? Database { get; init; }
}

/// <summary>What <see cref="BackupVerifier.VerifyFilesAsync"/> found: no differences means the files verified.</summary>
public sealed record FilesVerdict(IReadOnlyList<string> Differences, int FilesChecked, long Bytes);
