using Downshift.Backups.Internal;
using Downshift.Databases;
using Downshift.Hosts;

namespace Downshift.Backups;

/// <summary>
/// One backup being written, in the store's <c>.tmp-ID</c> directory (locked while in use). Items are
/// added one after another; <see cref="CommitAsync"/> writes the manifest, fsyncs and renames the
/// directory into place. Disposing without a commit deletes everything written.
/// </summary>
public sealed class BackupWriter : IAsyncDisposable
{
    private readonly BackupStore store;
    private readonly BackupRequest request;
    private readonly DateTimeOffset createdAt;
    private readonly long started;
    private readonly string temp;
    private readonly FileStream lockFile;
    private readonly List<BackupItem> items = [];
    private bool committed;

    private BackupWriter(BackupStore store, BackupRequest request, string id, DateTimeOffset createdAt, long started, string temp, FileStream lockFile)
    {
        this.store = store;
        this.request = request;
        Id = id;
        this.createdAt = createdAt;
        this.started = started;
        this.temp = temp;
        this.lockFile = lockFile;
    }

    /// <summary>The id the backup will have once committed.</summary>
    public string Id { get; }

    /// <summary>
    /// Backs up files and directories (recursively) on <paramref name="host"/>. With
    /// <paramref name="parent"/>, only what is new or changed against the parent's chain is stored,
    /// with the paths that are gone.
    /// </summary>
    public async Task AddFilesAsync(string item, IHostTransport host, IReadOnlyList<string> paths, BackupManifest? parent, CancellationToken cancellationToken)
    {
        var roots = Roots(paths);
        var chain = parent is null ? null : ChainState.Of(await store.ChainAsync(parent.Id, cancellationToken), item);
        var blob = StartItem(item, ".tar.zst");
        await GuardAsync(async () =>
        {
            await using var sink = BlobSink.Create(Path.Combine(temp, blob), store.Key);
            items.Add(await FilesCapture.CaptureAsync(item, host, roots, chain, sink, blob, cancellationToken));
        });
    }

    /// <summary>Stores what <paramref name="write"/> writes (a database dump of engine <paramref name="kind"/>), compressed and encrypted on the way.</summary>
    public async Task AddStreamAsync(
        string item, string kind, Func<Stream, CancellationToken, Task> write, DatabaseFingerprint? fingerprint, CancellationToken cancellationToken)
    {
        var blob = StartItem(item, ".zst");
        await GuardAsync(async () =>
        {
            await using var sink = BlobSink.Create(Path.Combine(temp, blob), store.Key);
            await write(sink.Input, cancellationToken);
            var (raw, stored, sha) = await sink.FinishAsync(cancellationToken);
            items.Add(new BackupItem { Name = item, Kind = kind, Blob = blob, RawSize = raw, StoredSize = stored, Sha256 = sha, Fingerprint = fingerprint });
        });
    }

    /// <summary>Writes the manifest, fsyncs, and renames the backup into place: from now on it is listed.</summary>
    public async Task<BackupManifest> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(committed, this);
        var manifest = new BackupManifest
        {
            Id = Id,
            Host = request.Host,
            Source = request.Source,
            Kind = request.Kind,
            ParentId = request.ParentId,
            RunId = request.RunId,
            CreatedAt = createdAt,
            Duration = store.Time.GetElapsedTime(started),
            Encrypted = store.Key is not null,
            Items = [.. items],
        };
        await GuardAsync(async () =>
        {
            await StoreDocuments.WriteAsync(temp, StoreLayout.Manifest, manifest, store.Key, atomic: false, cancellationToken);
            DiskSync.Directory(temp);
            Directory.Move(temp, store.BackupDirectory(Id));
            DiskSync.Directory(store.Root);
        });
        committed = true;
        await ReleaseLockAsync();
        return manifest;
    }

    public async ValueTask DisposeAsync()
    {
        if (!committed)
        {
            committed = true;
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Never created, or already gone.
            }

            await ReleaseLockAsync();
        }
    }

    internal static BackupWriter Begin(BackupStore store, BackupRequest request, DateTimeOffset createdAt, long started)
    {
        while (true)
        {
            var id = StoreLayout.NewId(createdAt, request.Host);
            var temp = Path.Combine(store.Root, StoreLayout.TempPrefix + id);
            if (Directory.Exists(store.BackupDirectory(id)) || Directory.Exists(temp))
            {
                continue;
            }

            var lockFile = StoreLock.Take(temp);
            Directory.CreateDirectory(temp);
            return new BackupWriter(store, request, id, createdAt, started, temp, lockFile);
        }
    }

    private static IReadOnlyList<string> Roots(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            throw DownshiftException.InvalidState("no paths to back up");
        }

        if (paths.FirstOrDefault(p => !p.StartsWith('/')) is { } relative)
        {
            throw DownshiftException.InvalidState($"backup paths must be absolute, got '{relative}'");
        }

        return [.. paths.Select(p => p.Length > 1 ? p.TrimEnd('/') : p).Distinct(StringComparer.Ordinal)];
    }

    private string StartItem(string item, string suffix)
    {
        ObjectDisposedException.ThrowIf(committed, this);
        if (string.IsNullOrEmpty(item) || items.Any(i => i.Name == item))
        {
            throw DownshiftException.InvalidState($"backup {Id}: item '{item}' is empty or already added");
        }

        return StoreLayout.BlobName(item, suffix);
    }

    /// <summary>Runs a write step; a full disk becomes a clear error that names the store.</summary>
    private async Task GuardAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw DownshiftException.InvalidState(
                $"backup {Id} failed: no space left on device in the backup store {store.Root} ({Sizes.Format(UsedBytes())} written; nothing was committed)");
        }
    }

    private static bool IsDiskFull(IOException e) =>
        e.HResult is 28 or unchecked((int)0x80070070) || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private long UsedBytes() =>
        Directory.Exists(temp) ? new DirectoryInfo(temp).EnumerateFiles().Sum(f => f.Length) : 0;

    private async Task ReleaseLockAsync()
    {
        File.Delete(lockFile.Name);
        await lockFile.DisposeAsync();
    }
}
