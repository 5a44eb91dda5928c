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

        var chain = await store.ChainAsync(latest.Id, cancellationToken);
        var result = await new DatabaseRestorer(store, context.Time).RestoreAsync(
            chain, BackupJob.DatabaseItem(target), target, context.Host, $"{backupStepId}{RetentionRule.BeforeRestoreSuffix}", context.RunId, cancellationToken);
        return result.Succeeded ? StepOutcome.Succeeded(result.Detail) : StepOutcome.Failed(result.Detail);
    }

    /// <summary>
    /// Why a restore of <paramref name="target"/> from step <paramref name="backupStepId"/> could not work
    /// on this host in this run, or null when it could: the run has a store, and that step took a
    /// verified full backup here that holds this very database (checked at the migrate step's staging,
    /// before anything changes).
    /// </summary>
    public static async Task<string?> ProblemAsync(StepContext context, string backupStepId, DatabaseTarget target, CancellationToken cancellationToken)
    {
        if (context.Backups is not { } store)
        {
            return "this run has no backup store (--backup-store DIR or $DOWNSHIFT_BACKUP_STORE)";
        }

        var full = await BackupChains.LatestVerifiedAsync(store, context.RunId, context.Host.HostName, backupStepId, BackupKind.Full, cancellationToken);
        var item = BackupJob.DatabaseItem(target);
        if (full is null)
        {
            return $"step '{backupStepId}' has no verified full backup on '{context.Host.HostName}' in this run (is it a backup step earlier in the plan?)";
        }

        return full.Items.Any(i => i.Name == item)
            ? null
            : $"the backup of step '{backupStepId}' ({full.Id}) holds {string.Join(", ", full.Items.Select(i => i.Name))}, not {target.Describe()} ('{item}')";
    }
}
