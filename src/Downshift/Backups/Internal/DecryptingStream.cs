using System.Security.Cryptography;

namespace Downshift.Backups.Internal;

/// <summary>
/// Read-only: opens an <see cref="Aead"/> blob chunk by chunk. A different key, an altered or
/// reordered chunk and a truncated blob each end in a clear <see cref="DownshiftException"/> that
/// names <paramref name="label"/> (<c>backup X item Y</c>); nothing unauthenticated is ever returned.
/// </summary>
internal sealed class DecryptingStream(Stream inner, BackupKey key, string label) : ReadOnlyStream
{
    private readonly byte[] record = new byte[Aead.RecordSize];
    private readonly byte[] plain = new byte[Aead.ChunkSize];
    private readonly byte[] peek = new byte[1];
    private AesGcm? aes;
    private int carried;
    private int position;
    private int available;
    private long index;
    private bool done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (position == available)
        {
            if (done)
            {
                return 0;
            }

            await NextChunkAsync(cancellationToken);
        }

        var take = Math.Min(buffer.Length, available - position);
        plain.AsMemory(position, take).CopyTo(buffer);
        position += take;
        return take;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            aes?.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task NextChunkAsync(CancellationToken cancellationToken)
    {
        aes ??= await OpenHeaderAsync(cancellationToken);

        // A full record is final only when nothing follows it: one byte is read ahead to know, and
        // carried over as the first byte of the next record.
        var length = carried + await inner.ReadAtLeastAsync(
            record.AsMemory(carried), Aead.RecordSize - carried, throwOnEndOfStream: false, cancellationToken);
        carried = 0;
        var final = length < Aead.RecordSize || await inner.ReadAsync(peek, cancellationToken) == 0;
        if (length < Aead.TagSize)
        {
            throw DownshiftException.InvalidState($"{label} is damaged: it ends inside chunk {index} (truncated)");
        }

        if (!Aead.TryOpen(aes, index, final, record.AsSpan(0, length), plain))
        {
            throw DownshiftException.InvalidState(
                $"{label} is damaged or was altered: chunk {index} fails authentication (AES-GCM){(final ? "; or it was truncated" : "")}");
        }

        available = length - Aead.TagSize;
        position = 0;
        index++;
        done = final;
        if (!final)
        {
            record[0] = peek[0];
            carried = 1;
        }
    }

    private async Task<AesGcm> OpenHeaderAsync(CancellationToken cancellationToken)
    {
        var header = new byte[Aead.HeaderSize];
        var read = await inner.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        if (read < header.Length || !Aead.IsEncrypted(header))
        {
            throw DownshiftException.InvalidState($"{label} is damaged: it does not start with the encrypted-blob header");
        }

        if (!header.AsSpan(8, 8).SequenceEqual(key.IdBytes))
        {
            throw DownshiftException.InvalidState(
                $"{label} was encrypted with a different key (key {Convert.ToHexStringLower(header.AsSpan(8, 8))}; the key given is {key.Id})");
        }

        return new AesGcm(key.Derive(header.AsSpan(16, Aead.SaltSize)), Aead.TagSize);
    }
}
