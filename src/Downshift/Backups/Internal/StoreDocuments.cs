using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Downshift.Backups.Internal;

/// <summary>
/// The small JSON files of a backup (manifest, verification) and how they are protected: plain with a
/// <c>.sha256</c> sidecar (in <c>sha256sum</c> format), or encrypted and authenticated as <c>NAME.enc</c>.
/// </summary>
internal static class StoreDocuments
{
    public const string EncryptedSuffix = ".enc";

    public const string ChecksumSuffix = ".sha256";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Whether the document exists, plain or encrypted.</summary>
    public static bool Exists(string directory, string name) =>
        File.Exists(Path.Combine(directory, name)) || File.Exists(Path.Combine(directory, name + EncryptedSuffix));

    public static bool IsEncrypted(string directory, string name) => File.Exists(Path.Combine(directory, name + EncryptedSuffix));

    /// <summary>
    /// Writes the document (and, plain, its sidecar), each fsynced. With <paramref name="atomic"/> it
    /// is written beside and renamed over the old one (the directory is synced by the caller).
    /// </summary>
    public static async Task WriteAsync<T>(string directory, string name, T value, BackupKey? key, bool atomic, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, Json);
        if (key is null)
        {
            await WriteFileAsync(directory, name, json, atomic, cancellationToken);
            var sidecar = Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(SHA256.HashData(json))}  {name}\n");
            await WriteFileAsync(directory, name + ChecksumSuffix, sidecar, atomic, cancellationToken);
        }
        else
        {
            using var sealedBytes = new MemoryStream();
            await using (var encrypting = new EncryptingStream(sealedBytes, key))
            {
                await encrypting.WriteAsync(json, cancellationToken);
                await encrypting.FinishAsync(cancellationToken);
            }

            await WriteFileAsync(directory, name + EncryptedSuffix, sealedBytes.ToArray(), atomic, cancellationToken);
        }
    }

    /// <summary>
    /// Reads and checks a document; <paramref name="label"/> (<c>backup X</c>) starts every error.
    /// Missing, altered, unreadable and wrong-key documents are each a clear <see cref="DownshiftException"/>.
    /// </summary>
    public static async Task<T> ReadAsync<T>(string directory, string name, BackupKey? key, string label, CancellationToken cancellationToken)
    {
        byte[] json;
        var encrypted = Path.Combine(directory, name + EncryptedSuffix);
        if (File.Exists(encrypted))
        {
            if (key is null)
            {
                throw DownshiftException.InvalidState($"{label} is encrypted: give the key it was made with (--backup-key FILE or $DOWNSHIFT_BACKUP_KEY)");
            }

            await using var decrypting = new DecryptingStream(File.OpenRead(encrypted), key, label);
            using var plain = new MemoryStream();
            await decrypting.CopyToAsync(plain, cancellationToken);
            json = plain.ToArray();
        }
        else
        {
            json = await ReadPlainAsync(directory, name, label, cancellationToken);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw DownshiftException.InvalidState($"{label} cannot be used: its {name} cannot be read ({e.Message})");
        }
    }

    private static async Task<byte[]> ReadPlainAsync(string directory, string name, string label, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            throw DownshiftException.InvalidState($"{label} cannot be used: its {name} is missing (an incomplete or tampered backup)");
        }

        var json = await File.ReadAllBytesAsync(path, cancellationToken);
        var sidecar = path + ChecksumSuffix;
        if (!File.Exists(sidecar))
        {
            throw DownshiftException.InvalidState($"{label} cannot be used: the checksum of its {name} ({name}{ChecksumSuffix}) is missing");
        }

        var expected = (await File.ReadAllTextAsync(sidecar, cancellationToken)).Split(' ', 2)[0].Trim();
        return string.Equals(expected, Convert.ToHexStringLower(SHA256.HashData(json)), StringComparison.OrdinalIgnoreCase)
            ? json
            : throw DownshiftException.InvalidState($"{label} cannot be used: its {name} was altered or is damaged (its SHA-256 does not match {name}{ChecksumSuffix})");
    }

    private static async Task WriteFileAsync(string directory, string name, byte[] content, bool atomic, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, name);
        var target = atomic ? path + ".new" : path;
        await using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            await file.WriteAsync(content, cancellationToken);
            file.Flush(flushToDisk: true);
        }

        if (atomic)
        {
            File.Move(target, path, overwrite: true);
        }
    }
}
