using Downshift.Databases;
using Downshift.Hosts;

namespace Downshift.Backups;

/// <summary>
/// Puts a database back from a backup chain (E9, and <c>downshift restore --to-postgres/--to-sqlite</c>):
/// first the database as it is now is itself backed up and verified (so rows written since the
/// backup are never lost), then the newest dump of the item in the chain replaces its content, and
/// the result is compared with what that backup was verified to hold.
/// </summary>
public sealed class DatabaseRestorer(BackupStore store, TimeProvider time)
{
    /// <summary>What a restore did; <see cref="Detail"/> is one line for the journal and the terminal.</summary>
    public sealed record Result(bool Succeeded, string Detail, BackupManifest? RestoredFrom, BackupManifest? Kept);

    /// <param name="keepAs">The source name of the backup taken before the restore (<c>STEP:before-restore</c>).</param>
    public async Task<Result> RestoreAsync(
        IReadOnlyList<BackupManifest> chain, string item, DatabaseTarget target, IHostTransport host, string keepAs, string? runId, CancellationToken cancellationToken)
    {
        var database = target.Open(host);
        var holder = chain.LastOrDefault(m => m.Items.Any(i => i.Name == item));
        if (holder is null)
        {
            return new Result(false, $"the chain of {chain[^1].Id} holds no dump '{item}': {database.Describe()} cannot be restored; nothing was restored", null, null);
        }

        var kept = await new BackupJob(store, time).TakeAsync(host, keepAs, runId, new BackupSpec([], target), parent: null, cancellationToken);
        if (!kept.Passed)
        {
            return new Result(false, $"{database.Describe()} as it is now could not be backed up before the restore ({kept.Describe()}); nothing was restored", null, kept.Manifest);
        }

        var keptNote = $"the database as it was before the restore is kept as verified backup {kept.Manifest.Id}";
        await using (var dump = await store.OpenItemAsync(holder, item, cancellationToken))
        {
            await database.RestoreAsync(dump, cancellationToken);
        }

        var restored = await database.FingerprintAsync(cancellationToken);
        var verified = (await store.ReadVerificationAsync(holder.Id, cancellationToken))?.Database;
        var differences = verified is not null
            ? verified.DifferencesFrom(restored)
            : holder.Item(item).Fingerprint is { } live && live.SchemaHash != restored.SchemaHash
                ? [$"schema hash {live.SchemaHash} ≠ {restored.SchemaHash}"]
                : [];
        // Rows the restore took away (written after the backup) are in the kept backup: say which tables.
        var replaced = kept.Verification.Database is { } was ? was.DifferencesFrom(restored) : [];
        if (replaced.Count > 0)
        {
            keptNote = $"{keptNote}, which differs from the restored database: {string.Join("; ", replaced)}";
        }

        var compared = verified is not null
            ? $"schema and {verified.Tables.Count} tables (rows, checksums) equal the verified backup"
            : "schema equal to the backup's (its rows were written to during the live dump, so only the schema is compared)";
        return differences.Count == 0
            ? new Result(true, $"{database.Describe()} restored from {holder.Id}; {compared}; {keptNote}", holder, kept.Manifest)
            : new Result(false, $"{database.Describe()} restored from {holder.Id} but differs from the verified backup: {string.Join("; ", differences)}; {keptNote}", holder, kept.Manifest);
    }
}
