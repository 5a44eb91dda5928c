using ZstdSharp;

namespace Downshift.Backups.Internal;

/// <summary>
/// Reads one blob back: its stored bytes hashed on the way, decrypted when encrypted, decompressed.
/// At the end of the stream (or when the data cannot be decoded) the stored bytes' SHA-256 and sizes
/// are compared with the manifest: a mismatch is a <see cref="DownshiftException"/> naming the blob.
/// </summary>
internal sealed class BlobSource : ReadOnlyStream
{
    private readonly MeteredStream stored;
    private readonly Stream plain;
    private readonly Stream decompressing;
    private readonly BackupItem item;
    private readonly string label;
    private long rawBytes;
    private bool checkedEnd;

    private BlobSource(string path, BackupItem item, BackupKey? key, string label)
    {
        this.item = item;
        this.label = label;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        stored = new MeteredStream(file, hash: true, leaveOpen: false);
        plain = key is null ? stored : new DecryptingStream(stored, key, label);
        decompressing = new DecompressionStream(plain, 1 << 20, checkEndOfStream: true, leaveOpen: true);
    }

    /// <summary>Opens the blob of <paramref name="item"/> in <paramref name="directory"/>; <paramref name="key"/> only when it is encrypted.</summary>
    public static Stream Open(string directory, BackupItem item, BackupKey? key, string label)
    {
        var path = Path.Combine(directory, item.Blob);
        return File.Exists(path)
            ? new BlobSource(path, item, key, label)
            : throw DownshiftException.InvalidState($"{label} is missing its data ({item.Blob} is not in the backup's directory)");
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await decompressing.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is ZstdException or InvalidDataException or EndOfStreamException)
        {
            await CheckStoredAsync(cancellationToken);
            throw DownshiftException.InvalidState($"{label} is damaged: its data cannot be decompressed ({e.Message})");
        }

        rawBytes += read;
        if (read == 0 && buffer.Length > 0 && !checkedEnd)
        {
            await CheckStoredAsync(cancellationToken);
            if (rawBytes != item.RawSize)
            {
                throw DownshiftException.InvalidState($"{label} is damaged: it holds {rawBytes} bytes, its manifest says {item.RawSize}");
            }
        }

        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            decompressing.Dispose();
            plain.Dispose();
            stored.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads the rest of the stored bytes and compares their SHA-256 and count with the manifest.</summary>
    private async Task CheckStoredAsync(CancellationToken cancellationToken)
    {
        checkedEnd = true;
        await stored.CopyToAsync(Stream.Null, cancellationToken);
        var sha = stored.HashHex();
        if (stored.Bytes != item.StoredSize || !string.Equals(sha, item.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw DownshiftException.InvalidState(
                $"{label} is damaged: its stored data does not match the manifest (SHA-256 {sha[..12]}…, {stored.Bytes} bytes; expected {item.Sha256[..Math.Min(12, item.Sha256.Length)]}…, {item.StoredSize} bytes)");
        }
    }
}
