using System.Security.Cryptography;

namespace Downshift.Backups.Internal;

/// <summary>
/// Write-only: seals what is written into the <see cref="Aead"/> format on the inner stream.
/// <see cref="FinishAsync"/> writes the final chunk; without it the blob reads as truncated.
/// </summary>
internal sealed class EncryptingStream : Stream
{
    private readonly Stream inner;
    private readonly AesGcm aes;
    private readonly byte[] plain = new byte[Aead.ChunkSize];
    private readonly byte[] output = new byte[Aead.HeaderSize + Aead.RecordSize];
    private int filled;
    private long index;
    private bool finished;

    public EncryptingStream(Stream inner, BackupKey key)
    {
        this.inner = inner;
        var salt = RandomNumberGenerator.GetBytes(Aead.SaltSize);
        aes = new AesGcm(key.Derive(salt), Aead.TagSize);
        Aead.Magic.CopyTo(output);
        key.IdBytes.CopyTo(output, 8);
        salt.CopyTo(output, 16);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !finished;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (filled == Aead.ChunkSize)
            {
                inner.Write(SealChunk(final: false).Span);
            }

            buffer = buffer[Fill(buffer)..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (filled == Aead.ChunkSize)
            {
                await inner.WriteAsync(SealChunk(final: false), cancellationToken);
            }

            buffer = buffer[Fill(buffer.Span)..];
        }
    }

    /// <summary>Seals the final chunk (empty when nothing is pending) and flushes.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (!finished)
        {
            await inner.WriteAsync(SealChunk(final: true), cancellationToken);
            finished = true;
        }

        await inner.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        // Chunks are sealed when full; only FinishAsync writes a partial one.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            aes.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Fill(ReadOnlySpan<byte> buffer)
    {
        var take = Math.Min(buffer.Length, Aead.ChunkSize - filled);
        buffer[..take].CopyTo(plain.AsSpan(filled));
        filled += take;
        return take;
    }

    private ReadOnlyMemory<byte> SealChunk(bool final)
    {
        var start = index == 0 ? 0 : Aead.HeaderSize;
        Aead.Seal(aes, index, final, plain.AsSpan(0, filled), output.AsSpan(Aead.HeaderSize));
        var sealedBytes = output.AsMemory(start, Aead.HeaderSize - start + filled + Aead.TagSize);
        index++;
        filled = 0;
        return sealedBytes;
    }
}
