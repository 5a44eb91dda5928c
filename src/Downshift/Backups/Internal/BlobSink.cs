using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Downshift.Backups.Internal;

/// <summary>
/// Writes one blob: what is written to <see cref="Input"/> is compressed (zstd, multithreaded),
/// encrypted when there is a key, hashed (SHA-256 of the stored bytes) and written to a new file.
/// <see cref="FinishAsync"/> ends the frame and fsyncs the file.
/// </summary>
internal sealed class BlobSink : IAsyncDisposable
{
    /// <summary>zstd's level 3: its default, fast with a good ratio.</summary>
    public const int CompressionLevel = 3;

    private const int BufferSize = 1 << 20;

    /// <summary>After this many bytes more, an fsync starts in the background, so the final one has little left to write.</summary>
    private const long SyncEvery = 64 << 20;

    private readonly FileStream file;
    private readonly MeteredStream stored;
    private readonly EncryptingStream? encrypting;
    private readonly CompressionStream compressing;
    private readonly MeteredStream raw;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle syncHandle;
    private Task syncing = Task.CompletedTask;
    private long syncedUpTo;

    private BlobSink(string path, BackupKey? key)
    {
        file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        syncHandle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stored = new MeteredStream(file, hash: true, written: SyncInBackground);
        encrypting = key is null ? null : new EncryptingStream(stored, key);
        compressing = new CompressionStream((Stream?)encrypting ?? stored, CompressionLevel, BufferSize, leaveOpen: true);
        compressing.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, Math.Max(1, Environment.ProcessorCount));
        compressing.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        raw = new MeteredStream(compressing, hash: false);
    }

    /// <summary>Where the blob's plain bytes go; disposing it does not end the blob.</summary>
    public Stream Input => raw;

    public static BlobSink Create(string path, BackupKey? key) => new(path, key);

    /// <summary>Ends the blob and fsyncs it: returns its plain size, stored size and the stored bytes' SHA-256.</summary>
    public async Task<(long RawSize, long StoredSize, string Sha256)> FinishAsync(CancellationToken cancellationToken)
    {
        await compressing.DisposeAsync();
        if (encrypting is not null)
        {
            await encrypting.FinishAsync(cancellationToken);
        }

        await file.FlushAsync(cancellationToken);
        await syncing;
        file.Flush(flushToDisk: true);
        return (raw.Bytes, stored.Bytes, stored.HashHex());
    }

    public async ValueTask DisposeAsync()
    {
        await raw.DisposeAsync();
        try
        {
            await compressing.DisposeAsync();
        }
        catch (IOException)
        {
            // Ending the frame failed (the disk is full): the blob is discarded anyway.
        }

        if (encrypting is not null)
        {
            await encrypting.DisposeAsync();
        }

        await stored.DisposeAsync();
        try
        {
            await syncing;
        }
        catch (IOException)
        {
            // A background fsync failed: the blob is discarded or its final fsync failed already.
        }

        syncHandle.Dispose();
        await file.DisposeAsync();
    }

    /// <summary>Starts an fsync of what is written so far when enough is new and none is running: disk writes overlap the work.</summary>
    private void SyncInBackground(long total)
    {
        if (total - syncedUpTo >= SyncEvery && syncing.IsCompleted)
        {
            syncedUpTo = total;
            syncing = Task.Run(() => RandomAccess.FlushToDisk(syncHandle));
        }
    }
}
