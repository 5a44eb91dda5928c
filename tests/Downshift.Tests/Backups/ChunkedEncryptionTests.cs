using System.Security.Cryptography;
using Downshift.Backups;
using Downshift.Backups.Internal;

namespace Downshift.Tests.Backups;

public sealed class ChunkedEncryptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly BackupKey key = BackupKey.Generate();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Aead.ChunkSize)]
    [InlineData(Aead.ChunkSize + 1)]
    [InlineData((3 * Aead.ChunkSize) - 7)]
    public async Task RoundTrip_AnyLength_GivesTheSameBytes(int length)
    {
        // Given some bytes, sealed
        var plain = RandomNumberGenerator.GetBytes(length);
        var sealedBytes = await SealAsync(plain);

        // When they are opened with the same key
        var opened = await OpenAsync(sealedBytes, key);

        // Then they are the same, and the sealed form is header + chunks + one tag each
        Assert.Equal(plain, opened);
        var chunks = Math.Max(1, (length + Aead.ChunkSize - 1) / Aead.ChunkSize);
        Assert.Equal(Aead.HeaderSize + length + (chunks * Aead.TagSize), sealedBytes.Length);
    }

    [Fact]
    public async Task Open_TruncatedAtAChunkBoundary_FailsAsTruncated()
    {
        // Given three chunks with the last one cut off
        var sealedBytes = await SealAsync(RandomNumberGenerator.GetBytes(2 * Aead.ChunkSize + 10));
        var truncated = sealedBytes[..(Aead.HeaderSize + (2 * Aead.RecordSize))];

        // When opened, then the final-chunk flag does not match
        var error = await Assert.ThrowsAsync<DownshiftException>(() => OpenAsync(truncated, key));
        Assert.Contains("chunk 1 fails authentication", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_SwappedChunks_FailsAuthentication()
    {
        // Given three chunks with the first two swapped
        var sealedBytes = await SealAsync(RandomNumberGenerator.GetBytes(2 * Aead.ChunkSize + 10));
        var first = sealedBytes.AsSpan(Aead.HeaderSize, Aead.RecordSize).ToArray();
        sealedBytes.AsSpan(Aead.HeaderSize + Aead.RecordSize, Aead.RecordSize).CopyTo(sealedBytes.AsSpan(Aead.HeaderSize));
        first.CopyTo(sealedBytes.AsSpan(Aead.HeaderSize + Aead.RecordSize));

        // When opened, then the first chunk fails
        var error = await Assert.ThrowsAsync<DownshiftException>(() => OpenAsync(sealedBytes, key));
        Assert.Contains("blob X is damaged or was altered: chunk 0 fails authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WrongKey_SaysSoWithBothKeyIds()
    {
        // Given bytes sealed with one key
        var sealedBytes = await SealAsync([1, 2, 3]);
        var other = BackupKey.Generate();

        // When opened with another
        var error = await Assert.ThrowsAsync<DownshiftException>(() => OpenAsync(sealedBytes, other));

        // Then the error says the key differs and names both
        Assert.Equal($"blob X was encrypted with a different key (key {key.Id}; the key given is {other.Id})", error.Message);
    }

    private async Task<byte[]> SealAsync(byte[] plain)
    {
        using var output = new MemoryStream();
        await using (var encrypting = new EncryptingStream(output, key))
        {
            await encrypting.WriteAsync(plain, Ct).AsTask().WaitAsync(Timeout, Ct);
            await encrypting.FinishAsync(Ct).WaitAsync(Timeout, Ct);
        }

        return output.ToArray();
    }

    private static async Task<byte[]> OpenAsync(byte[] sealedBytes, BackupKey with)
    {
        await using var decrypting = new DecryptingStream(new MemoryStream(sealedBytes), with, "blob X");
        using var plain = new MemoryStream();
        await decrypting.CopyToAsync(plain, Ct).WaitAsync(Timeout, Ct);
        return plain.ToArray();
    }
}
