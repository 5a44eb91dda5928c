using System.Collections.Concurrent;
using Downshift.Backups.Internal;

namespace Downshift.Backups;

/// <summary>
/// Verifies a files item the only way that proves it (P6): the chain is restored into a scratch
/// directory on this machine, then every entry is read back and compared with the chain's merged
/// manifest (type, size, SHA-256, mode, mtime, symlink target), and nothing else may be there.
/// </summary>
public static class BackupVerifier
{
    /// <summary>The tmpfs <see cref="ScratchDirectory"/> prefers.</summary>
    internal const string MemoryScratch = "/dev/shm";

    /// <summary>The name prefix of a verification's scratch directory in <see cref="MemoryScratch"/>.</summary>
    internal const string MemoryScratchPrefix = "downshift-verify-";

    private const int MaxDifferences = 100;

    /// <summary>
    /// Restores <paramref name="chain"/> (full first) into <paramref name="scratchDirectory"/>, compares,
    /// and removes the scratch directory (also on failure). A blob that cannot be restored (damaged,
    /// wrong key) is a difference, not an exception.
    /// </summary>
    public static async Task<FilesVerdict> VerifyFilesAsync(
        BackupStore store, IReadOnlyList<BackupManifest> chain, string item, string scratchDirectory, CancellationToken cancellationToken)
    {
        var scratch = Path.GetFullPath(scratchDirectory);
        await using var held = StoreLock.Take(scratch);
        try
        {
            DeleteTree(scratch);
            Directory.CreateDirectory(scratch);
            try
            {
                await FileRestore.ToDirectoryAsync(store, chain, item, scratch, cancellationToken);
            }
            catch (DownshiftException e)
            {
                return new FilesVerdict([$"the files of {chain[^1].Id} cannot be restored: {e.Message}"], 0, 0);
            }

            return await CompareAsync(ChainState.Of(chain, item), scratch, cancellationToken);
        }
        finally
        {
            DeleteTree(scratch);
            File.Delete(scratch + StoreLayout.LockSuffix);
        }
    }

    /// <summary>
    /// Where to verify <paramref name="chain"/>'s files: in memory (<c>/dev/shm/downshift-verify-ID</c>)
    /// when that tmpfs has room for twice the files, since creating thousands of files there is many
    /// times faster than on a disk; otherwise <c>STORE/.verify-ID</c>. Both are cleaned by retention
    /// if a crash leaves them.
    /// </summary>
    public static string ScratchDirectory(BackupStore store, IReadOnlyList<BackupManifest> chain, string item)
    {
        var bytes = ChainState.Of(chain, item).Entries.Sum(e => e.Entry.Size);
        try
        {
            var memory = new DriveInfo(MemoryScratch);
            if (memory.IsReady && memory.DriveFormat == "tmpfs" && memory.AvailableFreeSpace > (2 * bytes) + (64 << 20))
            {
                return Path.Combine(MemoryScratch, MemoryScratchPrefix + chain[^1].Id);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // No usable tmpfs: the store's disk.
        }

        return Path.Combine(store.Root, StoreLayout.VerifyPrefix + chain[^1].Id);
    }

    private static async Task<FilesVerdict> CompareAsync(ChainState state, string scratch, CancellationToken cancellationToken)
    {
        var entries = state.Entries.Select(e => e.Entry).OrderBy(e => e.Path, StringComparer.Ordinal).ToArray();
        var found = new string?[entries.Length];
        long bytes = 0;
        var buffers = new ConcurrentBag<byte[]>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, entries.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var buffer = buffers.TryTake(out var spare) ? spare : TarEntries.NewBuffer();
                var (difference, read) = await RestoredFile.CompareAsync(entries[i], scratch + entries[i].Path, buffer, ct);
                buffers.Add(buffer);
                found[i] = difference;
                Interlocked.Add(ref bytes, read);
            });

        var differences = found.OfType<string>().ToList();
        differences.AddRange(Unexpected(entries, scratch));
        if (differences.Count > MaxDifferences)
        {
            differences = [.. differences.Take(MaxDifferences), $"… and {differences.Count - MaxDifferences} more differences"];
        }

        return new FilesVerdict(differences, entries.Length, bytes);
    }

    /// <summary>Whatever the restore left that the manifest does not hold (the roots' parent directories aside).</summary>
    private static IEnumerable<string> Unexpected(IReadOnlyList<FileEntry> entries, string scratch)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            for (var path = entry.Path; path.Length > 1 && expected.Add(path); path = Hosts.HostFiles.Parent(path))
            {
            }
        }

        var pending = new Stack<string>([scratch]);
        while (pending.TryPop(out var directory))
        {
            foreach (var child in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                var path = child.FullName[scratch.Length..];
                if (!expected.Contains(path))
                {
                    yield return $"{path}: restored but not in the manifest";
                }
                else if (child is DirectoryInfo && child.LinkTarget is null)
                {
                    pending.Push(child.FullName);
                }
            }
        }
    }

    private static void DeleteTree(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing to delete.
        }
    }
}
