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
                return StepOutcome.Succeeded($"{database.Describe()} restored from {backup.Id} (no fingerprint to compare with)");
            }

            var differences = expected.DifferencesFrom(await database.FingerprintAsync(cancellationToken));
            return differences.Count == 0
                ? StepOutcome.Succeeded($"{database.Describe()} restored from {backup.Id}; schema and {expected.Tables.Count} tables (rows, checksums) equal the verified backup")
                : StepOutcome.Failed($"{database.Describe()} restored from {backup.Id} but differs from the verified backup: {string.Join("; ", differences)}");
        }

        return StepOutcome.Failed($"the backup chain of step '{backupStepId}' ({latest.Id}) holds no dump of {database.Describe()}");
    }
}
