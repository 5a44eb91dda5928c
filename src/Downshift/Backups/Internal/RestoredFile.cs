using System.Security.Cryptography;

namespace Downshift.Backups.Internal;

/// <summary>Compares one restored path on this machine with its manifest entry.</summary>
internal static class RestoredFile
{
    /// <summary>The first difference (null when equal) and the bytes read to hash it.</summary>
    public static async Task<(string? Difference, long Bytes)> CompareAsync(FileEntry entry, string local, byte[] buffer, CancellationToken cancellationToken)
    {
        var info = new FileInfo(local);
        FileEntryType? type = info.LinkTarget is not null ? FileEntryType.Symlink
            : Directory.Exists(local) ? FileEntryType.Directory
            : info.Exists ? FileEntryType.File
            : null;
        if (type is null)
        {
            return ($"{entry.Path}: missing after the restore", 0);
        }

        if (type != entry.Type)
        {
            return ($"{entry.Path}: restored as {Name(type.Value)}, the manifest says {Name(entry.Type)}", 0);
        }

        if (type == FileEntryType.Symlink)
        {
            return (info.LinkTarget == entry.LinkTarget ? null : $"{entry.Path}: symlink to '{info.LinkTarget}', the manifest says '{entry.LinkTarget}'", 0);
        }

        var mode = OperatingSystem.IsWindows() ? entry.Mode : Modes.Format((int)File.GetUnixFileMode(local));
        if (mode != entry.Mode)
        {
            return ($"{entry.Path}: mode {mode}, the manifest says {entry.Mode}", 0);
        }

        var mtime = type == FileEntryType.File ? info.LastWriteTimeUtc : Directory.GetLastWriteTimeUtc(local);
        if (mtime.Ticks != entry.ModifiedAt.UtcTicks)
        {
            return ($"{entry.Path}: mtime {mtime:O}, the manifest says {entry.ModifiedAt.UtcDateTime:O}", 0);
        }

        if (type == FileEntryType.Directory)
        {
            return (null, 0);
        }

        if (info.Length != entry.Size)
        {
            return ($"{entry.Path}: {info.Length} bytes, the manifest says {entry.Size}", 0);
        }

        var sha = await HashAsync(local, buffer, cancellationToken);
        return (sha == entry.Sha256 ? null : $"{entry.Path}: content differs (SHA-256 {sha[..12]}…, the manifest says {entry.Sha256?[..Math.Min(12, entry.Sha256.Length)]}…)", info.Length);
    }

    private static async Task<string> HashAsync(string path, byte[] buffer, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Name(FileEntryType type) => type switch
    {
        FileEntryType.File => "a file",
        FileEntryType.Directory => "a directory",
        _ => "a symlink",
    };
}
