using Downshift.Backups;
using Downshift.Databases;
using Downshift.Steps.Backup.Internal;

namespace Downshift.Steps.Backup;

/// <summary>
/// Restores a database from the verified backup chain a <c>backup</c> step took earlier in the same
/// run on the same host (the migrate step's <c>undo-with: restore-backup</c>, E9). The newest verified
/// backup in the chain that holds a dump of the database wins: the incremental taken with writes
/// paused, or the full backup when the database did not change after it. The restored database must
/// then equal what that backup was verified to hold (schema hash, row counts, row checksums).
/// </summary>
public static class DatabaseRestore
{
    /// <summary>The source of the backup taken of the database just before a restore replaces it: <c>STEP:before-restore</c>.</summary>
    public const string BeforeRestoreSuffix = ":before-restore";

    public static async Task<StepOutcome> RestoreAsync(StepContext context, string backupStepId, DatabaseTarget target, CancellationToken cancellationToken)
    {
        var database = target.Open(context.Host);
        if (context.Backups is not { } store)
        {
            return StepOutcome.Failed("restore-backup needs the run's backup store (--backup-store DIR or $DOWNSHIFT_BACKUP_STORE)");
        }

        var latest = await BackupChains.LatestVerifiedAsync(store, context.RunId, context.Host.HostName, backupStepId, kind: null, cancellationToken);
        if (latest is null)
        {
            return StepOutcome.Failed($"no verified backup of step '{backupStepId}' on '{context.Host.HostName}' in run {context.RunId}: {database.Describe()} cannot be restored");
        }

        // What the database holds now (rows written since the migration too) is kept first: a restore never loses data.
        var kept = await new BackupJob(store, context.Time).TakeAsync(
            context.Host, $"{backupStepId}{BeforeRestoreSuffix}", context.RunId, new BackupSpec([], target), parent: null, cancellationToken);
        if (!kept.Passed)
        {
            return StepOutcome.Failed($"{database.Describe()} as it is now could not be backed up before the restore ({kept.Describe()}): nothing was restored");
        }

        var keptNote = $"the database as it was before the restore is kept as verified backup {kept.Manifest.Id}";
        var item = BackupJob.DatabaseItem(target);
        var chain = await store.ChainAsync(latest.Id, cancellationToken);
        foreach (var backup in chain.Reverse())
        {
            if (backup.Items.All(i => i.Name != item))
            {
                continue;
            }

            await using (var dump = await store.OpenItemAsync(backup, item, cancellationToken))
            {
                await database.RestoreAsync(dump, cancellationToken);
            }

            var expected = (await store.ReadVerificationAsync(backup.Id, cancellationToken))?.Database ?? backup.Item(item).Fingerprint;
            if (expected is null)
            {
                return StepOutcome.Succeeded($"{database.Describe()} restored from {backup.Id} (no fingerprint to compare with); {keptNote}");
            }

            var differences = expected.DifferencesFrom(await database.FingerprintAsync(cancellationToken));
            return differences.Count == 0
                ? StepOutcome.Succeeded($"{database.Describe()} restored from {backup.Id}; schema and {expected.Tables.Count} tables (rows, checksums) equal the verified backup; {keptNote}")
                : StepOutcome.Failed($"{database.Describe()} restored from {backup.Id} but differs from the verified backup: {string.Join("; ", differences)}; {keptNote}");
        }

        return StepOutcome.Failed($"the backup chain of step '{backupStepId}' ({latest.Id}) holds no dump of {database.Describe()}");
    }
}
