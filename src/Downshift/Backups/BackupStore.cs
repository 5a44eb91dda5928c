using Downshift.Backups.Internal;

namespace Downshift.Backups;

/// <summary>
/// The backups on this controller: one directory per committed backup under <see cref="Root"/>, each
/// with its manifest, blobs and verification (docs/backups.md). A backup is written into a temporary
/// directory and renamed into place on commit, so a crash or a full disk never leaves a backup that
/// seems complete. With a <see cref="BackupKey"/>, new backups are encrypted and encrypted ones read.
/// </summary>
public sealed class BackupStore(string root, TimeProvider time, BackupKey? key)
{
    /// <summary>The store's directory (absolute).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    internal TimeProvider Time => time;

    internal BackupKey? Key => key;

    /// <summary>Starts a backup; its items are added to the writer, then it is committed (or disposed to discard it).</summary>
    public async Task<BackupWriter> BeginAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        if ((request.Kind == BackupKind.Incremental) != (request.ParentId is not null))
        {
            throw DownshiftException.InvalidState(request.Kind == BackupKind.Incremental
                ? "an incremental backup needs the backup it builds on (ParentId)"
                : $"a full backup has no parent (got '{request.ParentId}')");
        }

        if (request.ParentId is { } parentId && (await OpenAsync(parentId, cancellationToken)).Host != request.Host)
        {
            throw DownshiftException.InvalidState($"backup {parentId} is not of host '{request.Host}': an incremental must build on a backup of the same host");
        }

        Directory.CreateDirectory(Root);
        return BackupWriter.Begin(this, request, time.GetUtcNow(), time.GetTimestamp());
    }

    /// <summary>Reads and checks a backup's manifest; missing, altered, unreadable or wrong-key is a clear error naming the backup.</summary>
    public async Task<BackupManifest> OpenAsync(string id, CancellationToken cancellationToken)
    {
        var directory = BackupDirectory(id);
        if (!StoreLayout.IsId(id) || !Directory.Exists(directory))
        {
            throw DownshiftException.InvalidState($"backup {id} is not in the store {Root} (see 'downshift backups')");
        }

        var label = $"backup {id}";
        var manifest = await StoreDocuments.ReadAsync<BackupManifest>(directory, StoreLayout.Manifest, key, label, cancellationToken);
        if (manifest.Id != id)
        {
            throw DownshiftException.InvalidState($"{label} cannot be used: its manifest is that of backup {manifest.Id}");
        }

        return manifest.Format <= BackupManifest.CurrentFormat
            ? manifest
            : throw DownshiftException.InvalidState($"{label} was written by a newer Downshift (manifest format {manifest.Format})");
    }

    /// <summary>Every committed backup whose manifest checks out, newest first (<see cref="ScanAsync"/> also names the others).</summary>
    public async Task<IReadOnlyList<BackupManifest>> ListAsync(CancellationToken cancellationToken) =>
        (await ScanAsync(cancellationToken)).Backups;

    /// <summary>The committed backups of one host, newest first: only their manifests are opened (a step's look-ups stay cheap in a large store).</summary>
    public async Task<IReadOnlyList<BackupManifest>> ListAsync(string host, CancellationToken cancellationToken) =>
        (await ScanWhereAsync(id => StoreLayout.IsOfHost(id, host), cancellationToken)).Backups.Where(b => b.Host == host).ToList();

    /// <summary>Every committed backup, newest first, and the ones that cannot be used with the reason why.</summary>
    public Task<BackupListing> ScanAsync(CancellationToken cancellationToken) => ScanWhereAsync(_ => true, cancellationToken);

    private async Task<BackupListing> ScanWhereAsync(Func<string, bool> wanted, CancellationToken cancellationToken)
    {
        var backups = new List<BackupManifest>();
        var damaged = new List<DamagedBackup>();
        if (Directory.Exists(Root))
        {
            foreach (var directory in Directory.EnumerateDirectories(Root))
            {
                var id = Path.GetFileName(directory);
                if (!StoreLayout.IsId(id) || !wanted(id))
                {
                    continue; // .tmp-*, .del-*, .verify-*: never a committed backup
                }

                try
                {
                    backups.Add(await OpenAsync(id, cancellationToken));
                }
                catch (DownshiftException e)
                {
                    damaged.Add(new DamagedBackup(id, e.Message));
                }
            }
        }

        return new BackupListing(
            [.. backups.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal)],
            [.. damaged.OrderByDescending(d => d.Id, StringComparer.Ordinal)]);
    }

    /// <summary>The chain a backup needs to be restored: its full backup first, the given one last.</summary>
    public async Task<IReadOnlyList<BackupManifest>> ChainAsync(string id, CancellationToken cancellationToken)
    {
        var chain = new List<BackupManifest> { await OpenAsync(id, cancellationToken) };
        while (chain[^1].Kind == BackupKind.Incremental)
        {
            var child = chain[^1];
            if (child.ParentId is not { } parentId || chain.Any(b => b.Id == parentId))
            {
                throw DownshiftException.InvalidState($"backup {child.Id} cannot be used: its chain is broken (parent '{child.ParentId}')");
            }

            try
            {
                chain.Add(await OpenAsync(parentId, cancellationToken));
            }
            catch (DownshiftException e)
            {
                throw DownshiftException.InvalidState($"backup {id} cannot be restored: it builds on {parentId}, and {e.Message}");
            }
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>
    /// An item's plain bytes: decrypted, decompressed, and the stored blob's SHA-256 compared with the
    /// manifest when the stream is read to its end (a mismatch is a <see cref="DownshiftException"/>).
    /// </summary>
    public Task<Stream> OpenItemAsync(BackupManifest manifest, string item, CancellationToken cancellationToken)
    {
        var described = manifest.Item(item);
        var label = $"backup {manifest.Id} item '{item}'";
        if (manifest.Encrypted && key is null)
        {
            throw DownshiftException.InvalidState($"backup {manifest.Id} is encrypted: give the key it was made with (--backup-key FILE or $DOWNSHIFT_BACKUP_KEY)");
        }

        return Task.FromResult(BlobSource.Open(BackupDirectory(manifest.Id), described, manifest.Encrypted ? key : null, label));
    }

    /// <summary>Stores the verdict beside the backup (replacing an earlier one atomically).</summary>
    public async Task MarkVerifiedAsync(string id, BackupVerification verification, CancellationToken cancellationToken)
    {
        var directory = BackupDirectory(id);
        if (!StoreLayout.IsId(id) || !StoreDocuments.Exists(directory, StoreLayout.Manifest))
        {
            throw DownshiftException.InvalidState($"backup {id} is not in the store {Root}: its verification cannot be recorded");
        }

        var encrypted = StoreDocuments.IsEncrypted(directory, StoreLayout.Manifest);
        if (encrypted && key is null)
        {
            throw DownshiftException.InvalidState($"backup {id} is encrypted: its verification is recorded with the same key (--backup-key)");
        }

        await StoreDocuments.WriteAsync(directory, StoreLayout.Verification, new VerificationRecord(id, verification), encrypted ? key : null, atomic: true, cancellationToken);
        DiskSync.Directory(directory);
    }

    /// <summary>The stored verdict; null when the backup was never verified. A damaged record reads as a failed verification.</summary>
    public async Task<BackupVerification?> ReadVerificationAsync(string id, CancellationToken cancellationToken)
    {
        var directory = BackupDirectory(id);
        if (!StoreLayout.IsId(id) || !StoreDocuments.Exists(directory, StoreLayout.Verification))
        {
            return null;
        }

        try
        {
            var record = await StoreDocuments.ReadAsync<VerificationRecord>(directory, StoreLayout.Verification, key, $"the verification of backup {id}", cancellationToken);
            return record.BackupId == id
                ? record.Verification
                : Unusable($"the verification of backup {id} is that of backup {record.BackupId}");
        }
        catch (DownshiftException e)
        {
            return Unusable(e.Message);
        }
    }

    /// <summary>Keeps the newest full backups per host and source with their incrementals; deletes older chains and crash leftovers.</summary>
    public Task<RetentionResult> ApplyRetentionAsync(RetentionRule rule, CancellationToken cancellationToken) =>
        Retention.ApplyAsync(this, rule, cancellationToken);

    internal string BackupDirectory(string id) => Path.Combine(Root, id);

    private BackupVerification Unusable(string message) =>
        new(false, 0, 0, TimeSpan.Zero, DateTimeOffset.MinValue, [message]);

    /// <summary>The verification file: the verdict and the backup it belongs to.</summary>
    internal sealed record VerificationRecord(string BackupId, BackupVerification Verification);
}

/// <summary>What <see cref="BackupStore.ScanAsync"/> found: usable backups newest first, and the damaged ones.</summary>
public sealed record BackupListing(IReadOnlyList<BackupManifest> Backups, IReadOnlyList<DamagedBackup> Damaged);

/// <summary>A backup directory whose manifest cannot be used, and why.</summary>
public sealed record DamagedBackup(string Id, string Reason);
