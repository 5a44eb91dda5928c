using System.Formats.Tar;
using System.Security.Cryptography;

namespace Downshift.Backups.Internal;

/// <summary>How a tar entry of a backup maps to a host path and a manifest entry.</summary>
internal static class TarEntries
{
    private const int HashBuffer = 1 << 20;

    /// <summary>The absolute host path of a member (<c>etc/app/</c> → <c>/etc/app</c>).</summary>
    public static string HostPath(TarEntry entry)
    {
        var name = entry.Name.TrimEnd('/');
        return name is "" or "." ? "/" : "/" + name.TrimStart('.', '/');
    }

    /// <summary>The member name for a host path (relative to <c>/</c>, as <c>tar -C /</c> writes it).</summary>
    public static string MemberName(string path) => path == "/" ? "." : path.TrimStart('/');

    public static FileEntryType? TypeOf(TarEntryType type) => type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => FileEntryType.File,
        TarEntryType.Directory => FileEntryType.Directory,
        TarEntryType.SymbolicLink => FileEntryType.Symlink,
        _ => null,
    };

    /// <summary>The manifest entry of a member, its content read (and hashed) to the end.</summary>
    public static async Task<FileEntry> DescribeAsync(TarEntry entry, FileEntryType type, byte[] buffer, CancellationToken cancellationToken)
    {
        string? sha = null;
        long size = 0;
        if (type == FileEntryType.File)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            if (entry.DataStream is { } data)
            {
                int read;
                while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    size += read;
                }
            }

            sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        var posix = entry as PosixTarEntry;
        var mtime = entry is PaxTarEntry pax && pax.ExtendedAttributes.TryGetValue("mtime", out var exact)
            ? Modes.ParseEpoch(exact)
            : entry.ModificationTime;
        return new FileEntry(
            HostPath(entry),
            type,
            size,
            Modes.Format((int)entry.Mode),
            entry.Uid,
            entry.Gid,
            posix?.UserName,
            posix?.GroupName,
            mtime,
            sha,
            type == FileEntryType.Symlink ? entry.LinkName : null);
    }

    public static byte[] NewBuffer() => new byte[HashBuffer];
}
