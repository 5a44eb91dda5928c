using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Downshift.Backups.Internal;

/// <summary>
/// The encrypted blob format: a header (<c>DSAEAD01</c>, the key's 8-byte id, a 32-byte random salt),
/// then the plaintext in chunks of <see cref="ChunkSize"/> bytes, each sealed with AES-256-GCM under the
/// blob's own key (HKDF of the store key and the salt). Chunk <c>i</c> has the nonce <c>0⁴ ‖ i</c>
/// (big-endian) and the associated data <c>i ‖ final</c>, so a reordered, dropped, appended or
/// truncated chunk fails authentication. The last chunk (possibly empty) is the only final one.
/// </summary>
internal static class Aead
{
    public const int ChunkSize = 1 << 20;

    public const int TagSize = 16;

    public const int SaltSize = 32;

    public const int HeaderSize = 8 + 8 + SaltSize;

    public const int RecordSize = ChunkSize + TagSize;

    public static ReadOnlySpan<byte> Magic => "DSAEAD01"u8;

    /// <summary>Whether <paramref name="start"/> (a file's first bytes) is an encrypted blob.</summary>
    public static bool IsEncrypted(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    public static void Seal(AesGcm aes, long index, bool final, ReadOnlySpan<byte> plain, Span<byte> record)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> data = stackalloc byte[9];
        Describe(index, final, nonce, data);
        aes.Encrypt(nonce, plain, record[..plain.Length], record.Slice(plain.Length, TagSize), data);
    }

    /// <summary>Opens one record; false when it fails authentication (wrong position, altered, truncated).</summary>
    public static bool TryOpen(AesGcm aes, long index, bool final, ReadOnlySpan<byte> record, Span<byte> plain)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> data = stackalloc byte[9];
        Describe(index, final, nonce, data);
        var length = record.Length - TagSize;
        try
        {
            aes.Decrypt(nonce, record[..length], record[length..], plain[..length], data);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static void Describe(long index, bool final, Span<byte> nonce, Span<byte> data)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
        BinaryPrimitives.WriteInt64BigEndian(data, index);
        data[8] = final ? (byte)1 : (byte)0;
    }
}
