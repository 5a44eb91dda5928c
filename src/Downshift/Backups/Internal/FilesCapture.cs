using System.Formats.Tar;
using System.Text;
using Downshift.Hosts;

namespace Downshift.Backups.Internal;

/// <summary>
/// Backs up host paths into one blob: <c>find</c> lists them, then <c>tar</c> streams only what the
/// chain does not already hold (everything for a full backup) to this machine, where each file is
/// hashed from the very bytes that are compressed and stored. The manifest's entries come from the
/// stored tar headers, so a file that changed while it was read is described as it was stored.
/// </summary>
internal static class FilesCapture
{
    /// <summary>tar exits 1 when a file changed while it was read: the archive is still whole.</summary>
    private const int TarFileChanged = 1;

    private const int MaxWarnings = 50;

    private static readonly string TarCreate =
        "tar --format=pax --pax-option=delete=atime,delete=ctime -C / --null --no-recursion --verbatim-files-from --no-unquote " +
        "--hard-dereference --ignore-failed-read -cf - -T -";

    /// <param name="chain">The chain an incremental builds on (null for a full backup).</param>
    public static async Task<BackupItem> CaptureAsync(
        string item, IHostTransport host, IReadOnlyList<string> roots, ChainState? chain, BlobSink sink, string blob, CancellationToken cancellationToken)
    {
        var listing = await FileListing.ListAsync(host, roots, cancellationToken);
        if (chain is null && listing.Missing.Count > 0)
        {
            throw DownshiftException.InvalidState($"cannot back up {string.Join(", ", listing.Missing)} on '{host.HostName}': no such file or directory");
        }

        var wanted = chain is null ? listing.Entries : [.. listing.Entries.Where(chain.Differs)];
        var warnings = listing.Skipped.Select(path => $"{path}: not a file, directory or symlink; not backed up").ToList();
        var stored = wanted.Count == 0
            ? await WriteEmptyArchiveAsync(sink.Input, cancellationToken)
            : await ArchiveAsync(host, wanted, sink.Input, warnings, cancellationToken);

        var deleted = new List<string>();
        if (chain is not null)
        {
            // Gone: what the chain held that is neither unchanged now nor in this archive (a file can vanish between find and tar).
            var now = listing.Entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
            now.ExceptWith(wanted.Select(e => e.Path));
            now.UnionWith(stored.Select(e => e.Path));
            deleted.AddRange(chain.PathsUnder(roots).Where(p => !now.Contains(p)).Order(StringComparer.Ordinal));
        }

        var (raw, storedSize, sha) = await sink.FinishAsync(cancellationToken);
        return new BackupItem
        {
            Name = item,
            Kind = BackupItem.FilesKind,
            Blob = blob,
            RawSize = raw,
            StoredSize = storedSize,
            Sha256 = sha,
            Roots = roots,
            Entries = stored,
            Deleted = chain is null ? null : deleted,
            Warnings = warnings.Count == 0 ? null : [.. warnings.Take(MaxWarnings)],
        };
    }

    private static async Task<IReadOnlyList<FileEntry>> ArchiveAsync(
        IHostTransport host, IReadOnlyList<FileEntry> wanted, Stream sink, List<string> warnings, CancellationToken cancellationToken)
    {
        var names = new StringBuilder();
        foreach (var entry in wanted)
        {
            names.Append(TarEntries.MemberName(entry.Path)).Append('\0');
        }

        var command = new HostCommand(TarCreate)
        {
            Stdin = Encoding.UTF8.GetBytes(names.ToString()),
            Display = $"tar {wanted.Count} entries to the backup store",
            Timeout = BackupDefaults.CommandTimeout,
        };
        var (result, entries) = await Piped.ReadAsync(
            host,
            command,
            (stdout, ct) => ReadArchiveAsync(new TeeStream(stdout, sink), ct),
            r => r.ExitCode != TarFileChanged,
            cancellationToken);
        if (result.ExitCode is not 0 and not TarFileChanged)
        {
            throw DownshiftException.InvalidState($"tar failed on '{host.HostName}' (exit {result.ExitCode}): {result.Stderr.Trim()}");
        }

        warnings.AddRange(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var stored = entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        warnings.AddRange(wanted.Where(e => !stored.Contains(e.Path)).Select(e => $"{e.Path}: listed but not stored (it vanished or could not be read)"));
        return entries;
    }

    private static async Task<IReadOnlyList<FileEntry>> ReadArchiveAsync(Stream archive, CancellationToken cancellationToken)
    {
        var entries = new List<FileEntry>();
        var buffer = TarEntries.NewBuffer();
        await using (var reader = new TarReader(archive, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (TarEntries.TypeOf(entry.EntryType) is { } type)
                {
                    entries.Add(await TarEntries.DescribeAsync(entry, type, buffer, cancellationToken));
                }
            }
        }

        // The archive's end blocks and padding belong to the blob too.
        await archive.CopyToAsync(Stream.Null, cancellationToken);
        return entries;
    }

    private static async Task<IReadOnlyList<FileEntry>> WriteEmptyArchiveAsync(Stream sink, CancellationToken cancellationToken)
    {
        await sink.WriteAsync(new byte[1024], cancellationToken);
        return [];
    }
}
