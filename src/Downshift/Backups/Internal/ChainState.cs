namespace Downshift.Backups.Internal;

/// <summary>
/// The files an item holds at the end of a chain (full first): each path's newest entry and the
/// backup (<see cref="Layered.Layer"/>, its index in the chain) whose blob holds it, and the paths the
/// chain deleted that did not come back.
/// </summary>
internal sealed class ChainState
{
    private readonly Dictionary<string, Layered> entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> deleted = new(StringComparer.Ordinal);

    private ChainState()
    {
    }

    public int Count => entries.Count;

    /// <summary>Every entry at the end of the chain.</summary>
    public IEnumerable<Layered> Entries => entries.Values;

    /// <summary>Paths an incremental of the chain deleted that are not there at its end, sorted.</summary>
    public IReadOnlyList<string> Deleted => [.. deleted.Order(StringComparer.Ordinal)];

    /// <summary>The indexes of the backups whose blobs hold at least one entry of the end state.</summary>
    public IReadOnlySet<int> Layers => entries.Values.Select(e => e.Layer).ToHashSet();

    public static ChainState Of(IReadOnlyList<BackupManifest> chain, string item)
    {
        var state = new ChainState();
        for (var layer = 0; layer < chain.Count; layer++)
        {
            if (chain[layer].Items.FirstOrDefault(i => i.Name == item) is not { } files)
            {
                continue;
            }

            foreach (var path in files.Deleted ?? [])
            {
                state.entries.Remove(path);
                state.deleted.Add(path);
            }

            foreach (var entry in files.Entries ?? [])
            {
                state.entries[entry.Path] = new Layered(entry, layer);
                state.deleted.Remove(entry.Path);
            }
        }

        return state;
    }

    public bool TryGet(string path, out Layered layered) => entries.TryGetValue(path, out layered);

    /// <summary>Whether a listed entry is new or differs in type, size, mtime, mode, owner or link target from the chain's.</summary>
    public bool Differs(FileEntry listed) =>
        !entries.TryGetValue(listed.Path, out var known) || Differs(known.Entry, listed);

    /// <summary>The paths of the chain under one of <paramref name="roots"/> (a root itself or below it).</summary>
    public IEnumerable<string> PathsUnder(IReadOnlyList<string> roots) =>
        entries.Keys.Where(path => roots.Any(root => IsUnder(path, root)));

    public static bool IsUnder(string path, string root) =>
        path == root || (path.StartsWith(root, StringComparison.Ordinal) && (root == "/" || path[root.Length] == '/'));

    private static bool Differs(FileEntry stored, FileEntry listed) =>
        stored.Type != listed.Type
        || (stored.Type == FileEntryType.File && stored.Size != listed.Size)
        || stored.ModifiedAt != listed.ModifiedAt
        || stored.Mode != listed.Mode
        || stored.Uid != listed.Uid
        || stored.Gid != listed.Gid
        || (stored.Type == FileEntryType.Symlink && stored.LinkTarget != listed.LinkTarget);

    /// <summary>An entry and the index in the chain of the backup whose blob holds it.</summary>
    public readonly record struct Layered(FileEntry Entry, int Layer);
}
