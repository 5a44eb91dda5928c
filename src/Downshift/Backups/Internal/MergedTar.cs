using System.Formats.Tar;

namespace Downshift.Backups.Internal;

/// <summary>
/// Writes the end state of a chain as one tar stream: each path's newest entry, its header blocks and
/// data passed on byte for byte from the blob that holds it (so nothing GNU tar wrote is lost), blobs in
/// chain order. Extract it with <c>--delay-directory-restore</c>: a directory may come after its files.
/// A chain whose end state is one whole blob is passed through as is. Every blob is read to its end,
/// so its stored SHA-256 is checked.
/// </summary>
internal static class MergedTar
{
    private const int Block = 512;

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

        foreach (var layer in layers.Order())
        {
            await using var blob = await store.OpenItemAsync(chain[layer], item, cancellationToken);
            await CopyNewestAsync(blob, path => state.TryGet(path, out var newest) && newest.Layer == layer, output, cancellationToken);
            await blob.CopyToAsync(Stream.Null, cancellationToken);
        }

        await output.WriteAsync(new byte[2 * Block], cancellationToken); // end of archive
    }

    /// <summary>Copies the members of <paramref name="archive"/> that <paramref name="keep"/> accepts, headers and data unchanged.</summary>
    private static async Task CopyNewestAsync(Stream archive, Func<string, bool> keep, Stream output, CancellationToken cancellationToken)
    {
        await using var recording = new RecordingStream(archive);
        await using var reader = new TarReader(recording, leaveOpen: true);
        long headerStart = 0;
        while (true)
        {
            recording.RecordFrom(headerStart);
            var entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken);
            var header = recording.Stop();
            if (entry is null)
            {
                return;
            }

            var kept = TarEntries.TypeOf(entry.EntryType) is not null && keep(TarEntries.HostPath(entry));
            if (kept)
            {
                if (header.Length != recording.Offset - headerStart)
                {
                    throw DownshiftException.Internal($"tar header of '{entry.Name}' read as {header.Length} bytes, expected {recording.Offset - headerStart}");
                }

                await output.WriteAsync(header, cancellationToken);
            }

            if (entry.DataStream is { } data)
            {
                var length = recording.Offset;
                await data.CopyToAsync(kept ? output : Stream.Null, 1 << 20, cancellationToken);
                length = recording.Offset - length;
                if (kept && length % Block != 0)
                {
                    await output.WriteAsync(new byte[Block - (length % Block)], cancellationToken);
                }
            }

            headerStart = (recording.Offset + Block - 1) / Block * Block;
        }
    }
}
