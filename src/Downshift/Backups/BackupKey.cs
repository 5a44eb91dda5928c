using System.Security.Cryptography;
using System.Text;

namespace Downshift.Backups;

/// <summary>
/// The 32-byte AES-256 key a store encrypts new backups with and reads encrypted ones with. Each
/// blob gets its own key derived from this one (HKDF-SHA256 with a random salt); <see cref="Id"/>
/// names the key without revealing it, so a wrong key is told apart from damaged data.
/// </summary>
public sealed class BackupKey
{
    public const int Length = 32;

    private readonly byte[] key;

    private BackupKey(byte[] key)
    {
        this.key = key;
        IdBytes = HMACSHA256.HashData(key, "downshift backup key id"u8)[..8];
        Id = Convert.ToHexStringLower(IdBytes);
    }

    /// <summary>16 hex digits that name this key (an HMAC of it, not the key).</summary>
    public string Id { get; }

    /// <summary><see cref="Id"/> as the 8 bytes stored in each encrypted blob's header.</summary>
    internal byte[] IdBytes { get; }

    /// <summary>
    /// Reads a key file: exactly 32 raw bytes, or 64 hex digits, or base64 of 32 bytes (surrounding
    /// whitespace ignored). Anything else is a clear error that names the file.
    /// </summary>
    public static async Task<BackupKey> LoadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DownshiftException.InvalidState($"backup key '{path}' cannot be read: {e.Message}");
        }

        return Parse(content) ?? throw DownshiftException.InvalidState(
            $"backup key '{path}' must hold 32 bytes: raw, as 64 hex digits or as base64 (it holds {content.Length} bytes that are none of these)");
    }

    /// <summary>A new random key (for tests and for <c>downshift</c> to offer one).</summary>
    public static BackupKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>The key as 64 hex digits, the form <see cref="LoadAsync"/> reads.</summary>
    public string ToHex() => Convert.ToHexStringLower(key);

    /// <summary>The key for one blob: HKDF-SHA256 of this key with the blob's salt.</summary>
    internal byte[] Derive(ReadOnlySpan<byte> salt)
    {
        var derived = new byte[Length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, derived, salt, "downshift backup blob v1"u8);
        return derived;
    }

    internal static BackupKey? Parse(byte[] content)
    {
        if (content.Length == Length)
        {
            return new BackupKey(content);
        }

        var text = Encoding.ASCII.GetString(content).Trim();
        if (text.Length == 2 * Length && text.All(char.IsAsciiHexDigit))
        {
            return new BackupKey(Convert.FromHexString(text));
        }

        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) && written == Length
            ? new BackupKey(buffer[..Length])
            : null;
    }
}
