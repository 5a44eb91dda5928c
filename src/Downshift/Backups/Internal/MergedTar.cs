using System.Formats.Tar;

namespace Downshift.Backups.Internal;

/// <summary>
/// Writes the end state of a chain as one tar stream: each path's newest entry, read from the blob
/// that holds it, blobs in chain order (extract with <c>--delay-directory-restore</c>, since a
/// directory may come after its files). A chain whose end state is one blob is passed through as is.
/// Every blob is read to its end, so its stored SHA-256 is checked.
/// </summary>
internal static class MergedTar
{
    public static async Task WriteAsync(
        BackupStore store, IReadOnlyList<BackupManifest> chain, string item, ChainState state, Stream output, CancellationToken cancellationToken)
    {
        var layers = state.Layers;
        if (layers.Count == 1 && chain[layers.Single()].Item(item).Entries?.Count == state.Count)
        {
            await using var blob = await store.OpenItemAsync(chain[layers.Single()], item, cancellationToken);
            await blob.CopyToAsync(output, 1 << 20, cancellationToken);
            return;
        }

        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var layer in layers.Order())
        {
            await using var blob = await store.OpenItemAsync(chain[layer], item, cancellationToken);
            await using (var reader = new TarReader(blob, leaveOpen: true))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
                {
                    if (TarEntries.TypeOf(entry.EntryType) is not null
                        && state.TryGet(TarEntries.HostPath(entry), out var newest) && newest.Layer == layer)
                    {
                        await writer.WriteEntryAsync(entry, cancellationToken);
                    }
                }
            }

            await blob.CopyToAsync(Stream.Null, cancellationToken);
        }
    }
}
