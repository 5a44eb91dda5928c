using Downshift.Backups.Internal;
using Downshift.Hosts;

namespace Downshift.Backups;

/// <summary>
/// Puts the files of a backup chain (full first) back: into a directory on this machine, or on the
/// host at their original paths. Both stream one tar (the chain's end state) into GNU <c>tar -x</c>,
/// which keeps modes, owners, mtimes and symlinks. The stored hashes are checked as the blobs are read.
/// </summary>
public static class FileRestore
{
    private const string Extract = "tar -xpf - --delay-directory-restore";

    /// <summary>Restores into <paramref name="directory"/> (host path <c>/a/b</c> → <c>DIR/a/b</c>, numeric owners); returns the number of entries.</summary>
    public static async Task<int> ToDirectoryAsync(
        BackupStore store, IReadOnlyList<BackupManifest> chain, string item, string directory, CancellationToken cancellationToken)
    {
        var state = StateOf(chain, item);
        var target = Path.GetFullPath(directory);
        Directory.CreateDirectory(target);
        await using var local = new LocalTransport(store.Time);
        await ExtractAsync(store, chain, item, state, local, $"{Extract} --numeric-owner -C {Sh.Quote(target)}", $"restore {chain[^1].Id} into {target}", cancellationToken);
        return state.Count;
    }

    /// <summary>The same as <see cref="ToDirectoryAsync"/>.</summary>
    public static Task<int> ExtractAsync(
        BackupStore store, IReadOnlyList<BackupManifest> chain, string item, string directory, CancellationToken cancellationToken) =>
        ToDirectoryAsync(store, chain, item, directory, cancellationToken);

    /// <summary>
    /// Restores on <paramref name="host"/> at the original paths (owners by name, as tar does), after
    /// deleting the paths the chain says are gone; returns the number of entries restored.
    /// </summary>
    public static async Task<int> ToHostAsync(
        BackupStore store, IReadOnlyList<BackupManifest> chain, string item, IHostTransport host, CancellationToken cancellationToken)
    {
        var state = StateOf(chain, item);
        if (state.Deleted is { Count: > 0 } gone)
        {
            var removed = await host.RunAsync(
                new HostCommand("xargs -0 -r rm -rf --")
                {
                    Stdin = System.Text.Encoding.UTF8.GetBytes(string.Join('\0', gone) + "\0"),
                    Display = $"delete {gone.Count} paths that are gone in backup {chain[^1].Id}",
                },
                cancellationToken);
            if (!removed.Succeeded)
            {
                throw DownshiftException.InvalidState($"cannot delete the paths that are gone in backup {chain[^1].Id} on '{host.HostName}': {removed.Stderr.Trim()}");
            }
        }

        await ExtractAsync(store, chain, item, state, host, $"{Extract} -C /", $"restore {state.Count} entries of backup {chain[^1].Id}", cancellationToken);
        return state.Count;
    }

    private static ChainState StateOf(IReadOnlyList<BackupManifest> chain, string item)
    {
        if (chain.Count == 0 || chain[0].Kind != BackupKind.Full)
        {
            throw DownshiftException.InvalidState("a restore needs the whole chain, its full backup first (BackupStore.ChainAsync)");
        }

        return chain.Any(m => m.Items.Any(i => i.Name == item && i.Kind == BackupItem.FilesKind))
            ? ChainState.Of(chain, item)
            : throw DownshiftException.InvalidState($"backup {chain[^1].Id} (and its chain) holds no files item '{item}'");
    }

    private static async Task ExtractAsync(
        BackupStore store, IReadOnlyList<BackupManifest> chain, string item, ChainState state, IHostTransport host, string script, string display, CancellationToken cancellationToken)
    {
        var result = await Piped.WriteAsync(
            host,
            new HostCommand(script) { Display = display, Timeout = BackupDefaults.CommandTimeout },
            (input, ct) => MergedTar.WriteAsync(store, chain, item, state, input, ct),
            cancellationToken);
        if (!result.Succeeded)
        {
            throw DownshiftException.InvalidState($"{display} failed on '{host.HostName}' (exit {result.ExitCode}): {result.Stderr.Trim()}");
        }
    }
}
