using Downshift.Databases;
using Downshift.Hosts;

namespace Downshift.Backups;

/// <summary>
/// Takes one backup of a step's files and database and verifies it (P6): the files restored into a
/// scratch directory and re-hashed against the manifest, the dump restored into a scratch database and
/// fingerprinted against the source. Only a verified backup counts; the verdict is stored with it.
/// </summary>
public sealed class BackupJob(BackupStore store, TimeProvider time)
{
    public const string FilesItem = "files";

    public async Task<BackupResult> TakeAsync(
        IHostTransport host, string source, string? runId, BackupSpec options, BackupManifest? parent, CancellationToken cancellationToken)
    {
        var kind = parent is null ? BackupKind.Full : BackupKind.Incremental;
        var start = time.GetTimestamp();
        var database = options.Database?.Open(host);
        var chain = parent is null ? [] : await store.ChainAsync(parent.Id, cancellationToken);

        BackupManifest manifest;
        DatabaseFingerprint? expected = null;
        var notes = new List<string>();
        await using (var writer = await store.BeginAsync(
            new BackupRequest(host.HostName, source, kind, parent?.Id, runId), cancellationToken))
        {
            if (options.Files.Count > 0)
            {
                await writer.AddFilesAsync(FilesItem, host, options.Files, parent, cancellationToken);
            }

            if (database is not null)
            {
                expected = await DumpAsync(writer, options.Database!, database, chain, kind, notes, cancellationToken);
            }

            manifest = await writer.CommitAsync(cancellationToken);
        }

        var verification = await VerifyAsync(manifest, options, database, expected, [.. chain, manifest], notes, cancellationToken);
        await store.MarkVerifiedAsync(manifest.Id, verification, cancellationToken);
        return new BackupResult(manifest, verification, notes, time.GetElapsedTime(start));
    }

    /// <summary>
    /// Dumps the database unless the chain already holds exactly what it has now, and returns its
    /// fingerprint from just before the dump: the restored copy is compared with it. An incremental (taken
    /// with writes paused) is fingerprinted again after the dump, so writes that went on are caught; a live
    /// full backup is not (writes are expected there; the verification tells them apart).
    /// </summary>
    private async Task<DatabaseFingerprint> DumpAsync(
        BackupWriter writer, DatabaseTarget target, IDatabase database, IReadOnlyList<BackupManifest> chain, BackupKind kind, List<string> notes, CancellationToken cancellationToken)
    {
        var item = DatabaseItem(target);
        var before = await database.FingerprintAsync(cancellationToken);
        if (kind == BackupKind.Incremental && await VerifiedCopyAsync(chain, item, cancellationToken) is { } copy &&
            before.DifferencesFrom(copy).Count == 0)
        {
            notes.Add($"{database.Describe()} unchanged since {chain[^1].Id}: not dumped again");
            return before;
        }

        DatabaseFingerprint? after = null;
        await writer.AddStreamAsync(
            item,
            database.Engine,
            async (stream, ct) =>
            {
                await database.DumpAsync(stream, ct);
                if (kind == BackupKind.Incremental)
                {
                    after = await database.FingerprintAsync(ct);
                }
            },
            before,
            cancellationToken);
        if (after is not null && before.DifferencesFrom(after) is { Count: > 0 } changed)
        {
            throw DownshiftException.InvalidState(
                $"{database.Describe()} changed while the incremental was taken: writes were not paused ({string.Join("; ", changed)}). " +
                "Stop the service in an earlier step or declare pause-writes.");
        }

        return before;
    }

    /// <summary>The files restored into scratch and the dump into a scratch database, at the same time (P6).</summary>
    private async Task<BackupVerification> VerifyAsync(
        BackupManifest manifest, BackupSpec options, IDatabase? database, DatabaseFingerprint? source, IReadOnlyList<BackupManifest> chain, List<string> notes, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var filesTask = options.Files.Count > 0
            ? BackupVerifier.VerifyFilesAsync(store, chain, FilesItem, BackupVerifier.ScratchDirectory(store, chain, FilesItem), cancellationToken)
            : Task.FromResult(new FilesVerdict([], 0, 0));
        var databaseTask = VerifyDatabaseAsync(manifest, options, database, source, chain, notes, cancellationToken);
        await Task.WhenAll(filesTask, databaseTask);
        var filesVerdict = await filesTask;
        var (differences, bytes, verified) = await databaseTask;
        return new BackupVerification(
            filesVerdict.Differences.Count == 0 && differences.Count == 0, filesVerdict.FilesChecked, filesVerdict.Bytes + bytes,
            time.GetElapsedTime(start), time.GetUtcNow(), [.. filesVerdict.Differences, .. differences])
        {
            Database = verified,
        };
    }

    /// <summary>
    /// The dump restored into a scratch database and compared with the source's fingerprint. Returns the
    /// differences, the bytes checked, and what the backup verifiably holds (null when only the schema
    /// could be compared: rows written during a live full backup).
    /// </summary>
    private async Task<(IReadOnlyList<string> Differences, long Bytes, DatabaseFingerprint? Verified)> VerifyDatabaseAsync(
        BackupManifest manifest, BackupSpec options, IDatabase? database, DatabaseFingerprint? source, IReadOnlyList<BackupManifest> chain, List<string> notes, CancellationToken cancellationToken)
    {
        var item = options.Database is { } target ? DatabaseItem(target) : null;
        if (database is null || source is null)
        {
            return ([], 0, null);
        }

        if (manifest.Items.All(i => i.Name != item))
        {
            return ([], 0, await VerifiedCopyAsync(chain.SkipLast(1).ToList(), item!, cancellationToken));
        }

        DatabaseFingerprint restored;
        await using (var dump = await store.OpenItemAsync(manifest, item!, cancellationToken))
        await using (var scratch = await database.RestoreToScratchAsync(dump, manifest.Id, cancellationToken))
        {
            restored = await scratch.FingerprintAsync(cancellationToken);
        }

        var bytes = manifest.Item(item!).RawSize;
        var rows = source.DifferencesFrom(restored);
        if (rows.Count == 0)
        {
            return ([], bytes, restored);
        }

        if (manifest.Kind == BackupKind.Full && source.SchemaHash == restored.SchemaHash)
        {
            notes.Add($"{database.Describe()} was written to during the live dump ({string.Join("; ", rows)}): the schema is verified now, the rows at the incremental");
            return ([], bytes, null);
        }

        var why = manifest.Kind == BackupKind.Full ? "the dump differs from the source" : "writes were not paused, or the dump is damaged";
        return ([.. rows.Select(d => $"{database.Describe()}: {d} ({why})")], bytes, null);
    }

    /// <summary>What the newest backup in <paramref name="chain"/> that holds the database verifiably contains.</summary>
    private async Task<DatabaseFingerprint?> VerifiedCopyAsync(IReadOnlyList<BackupManifest> chain, string item, CancellationToken cancellationToken)
    {
        foreach (var backup in chain.Reverse())
        {
            if (await store.ReadVerificationAsync(backup.Id, cancellationToken) is { Passed: true, Database: { } copy })
            {
                return copy;
            }
        }

        return null;
    }

    /// <summary>
    /// The item a database is stored under, naming the database whole: <c>db-shop</c> (PostgreSQL on the
    /// host's default server), <c>db-shop@10.0.0.5:5433</c>, <c>db-sqlite:/var/lib/shop/orders.db</c>. A
    /// restore looks for exactly this name, so a dump of another database is never restored into this one.
    /// </summary>
    public static string DatabaseItem(DatabaseTarget target) => target.Engine == DatabaseTarget.Sqlite
        ? $"db-sqlite:{target.Path}"
        : target.Host is null && target.Port is null
            ? $"db-{target.Name}"
            : $"db-{target.Name}@{target.Host ?? "local"}:{target.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"}";

}

/// <summary>What one backup is of: host paths and at most one database.</summary>
public sealed record BackupSpec(IReadOnlyList<string> Files, DatabaseTarget? Database);

/// <summary>A backup taken and checked: <see cref="Passed"/> only when its verification passed (P6).</summary>
public sealed record BackupResult(BackupManifest Manifest, BackupVerification Verification, IReadOnlyList<string> Notes, TimeSpan Duration)
{
    public bool Passed => Verification.Passed;

    public string Label => Manifest.Kind == BackupKind.Full ? "full backup" : "incremental";

    /// <summary>One line for the journal and the terminal.</summary>
    public string Describe()
    {
        if (!Passed)
        {
            return $"{Label} {Manifest.Id} failed verification: {string.Join("; ", Verification.Differences)}";
        }

        var items = string.Join(", ", Manifest.Items.Select(i => i.Kind == BackupItem.FilesKind
            ? $"{i.Entries?.Count ?? 0} entries{(i.Deleted is { Count: > 0 } d ? $", {d.Count} deleted" : "")}, {Sizes.Format(i.RawSize)} → {Sizes.Format(i.StoredSize)}"
            : $"{i.Name} {Sizes.Format(i.RawSize)} → {Sizes.Format(i.StoredSize)}"));
        var line = $"{Label} {Manifest.Id}: {items}; verified ({Verification.FilesChecked} files, {Sizes.Format(Verification.Bytes)}) in {Duration.TotalSeconds:0.0} s";
        return Notes.Count == 0 ? line : $"{line}; {string.Join("; ", Notes)}";
    }
}
