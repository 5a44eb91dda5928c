namespace Downshift.Backups.Internal;

/// <summary>
/// Keeps the newest N full backups of each (host, source) and every backup whose chain ends in one of
/// them; deletes the rest, children before parents, each by renaming it out of sight first. Backups
/// whose chain cannot be followed and damaged ones are left alone. Crash leftovers are removed.
/// </summary>
internal static class Retention
{
    public static async Task<RetentionResult> ApplyAsync(BackupStore store, RetentionRule rule, CancellationToken cancellationToken)
    {
        if (rule.KeepFull < 1)
        {
            throw DownshiftException.InvalidState($"retention must keep at least one full backup (got {rule.KeepFull})");
        }

        var backups = await store.ListAsync(cancellationToken);
        var byId = backups.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var keptFulls = backups
            .Where(b => b.Kind == BackupKind.Full && rule.Covers(b))
            .GroupBy(b => (b.Host, b.Source))
            .SelectMany(g => g.Take(rule.KeepFull)) // newest first
            .Select(b => b.Id)
            .ToHashSet(StringComparer.Ordinal);

        var kept = new List<string>();
        var deleted = new List<string>();
        foreach (var backup in backups)
        {
            var root = RootOf(backup, byId);
            if (root is null || keptFulls.Contains(root) || !rule.Covers(byId[root]))
            {
                kept.Add(backup.Id);
            }
            else
            {
                deleted.Add(backup.Id);
            }
        }

        // Newest first: an incremental goes before the backup it builds on.
        foreach (var id in deleted)
        {
            Delete(store.Root, id);
        }

        return new RetentionResult(kept, deleted, [.. RemoveLeftovers(store.Root), .. RemoveMemoryScratch()]);
    }

    /// <summary>The full backup a chain starts from; null when the chain is broken.</summary>
    private static string? RootOf(BackupManifest backup, Dictionary<string, BackupManifest> byId)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var current = backup; seen.Add(current.Id);)
        {
            if (current.Kind == BackupKind.Full)
            {
                return current.Id;
            }

            if (current.ParentId is null || !byId.TryGetValue(current.ParentId, out var parent))
            {
                return null;
            }

            current = parent;
        }

        return null;
    }

    private static void Delete(string root, string id)
    {
        var hidden = Path.Combine(root, StoreLayout.DeletePrefix + id);
        try
        {
            Directory.Move(Path.Combine(root, id), hidden);
        }
        catch (DirectoryNotFoundException)
        {
            return; // another retention got there first
        }

        Directory.Delete(hidden, recursive: true);
    }

    /// <summary>Verification scratch directories in memory that nobody holds (a crashed verification).</summary>
    private static IEnumerable<string> RemoveMemoryScratch()
    {
        var removed = new List<string>();
        if (!Directory.Exists(BackupVerifier.MemoryScratch))
        {
            return removed;
        }

        foreach (var directory in Directory.EnumerateDirectories(BackupVerifier.MemoryScratch, BackupVerifier.MemoryScratchPrefix + "*"))
        {
            using var held = StoreLock.TryTake(directory);
            if (held is not null)
            {
                Directory.Delete(directory, recursive: true);
                File.Delete(directory + StoreLayout.LockSuffix);
                removed.Add(directory);
            }
        }

        return removed;
    }

    /// <summary>Temp and scratch directories nobody holds (a crashed or killed writer), and half-deleted backups.</summary>
    private static IReadOnlyList<string> RemoveLeftovers(string root)
    {
        var removed = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            var locked = name.StartsWith(StoreLayout.TempPrefix, StringComparison.Ordinal) || name.StartsWith(StoreLayout.VerifyPrefix, StringComparison.Ordinal);
            if (!locked && !name.StartsWith(StoreLayout.DeletePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var held = locked ? StoreLock.TryTake(directory) : null;
            if (locked && held is null)
            {
                continue; // in use
            }

            try
            {
                Directory.Delete(directory, recursive: true);
                removed.Add(name);
            }
            catch (DirectoryNotFoundException)
            {
                // Gone meanwhile.
            }
            finally
            {
                if (held is not null)
                {
                    File.Delete(directory + StoreLayout.LockSuffix);
                }
            }
        }

        // A lock whose directory is gone (a writer that died between the two) and that nobody holds.
        foreach (var lockPath in Directory.EnumerateFiles(root, "." + "*" + StoreLayout.LockSuffix))
        {
            var directory = lockPath[..^StoreLayout.LockSuffix.Length];
            if (!Directory.Exists(directory) && StoreLock.TryTake(directory) is { } unused)
            {
                File.Delete(lockPath);
                unused.Dispose();
            }
        }

        return removed;
    }
}
