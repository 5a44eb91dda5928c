using System.Formats.Tar;
using System.Security.Cryptography;

namespace Downshift.Steps.File.Internal;

/// <summary>
/// What a file step sends: the bytes of one file, or a tar stream of a directory, read on the
/// controller. <see cref="Listing"/> is what the host must show when the step is done.
/// </summary>
internal sealed record FileSource(bool IsDirectory, byte[] Payload, string ContentHash, IReadOnlyList<string> Listing, string Origin)
{
    public static async Task<FileSource> LoadAsync(FileOptions options, string planDirectory, CancellationToken cancellationToken)
    {
        if (options.Content is { } content)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(content);
            return new FileSource(false, bytes, Hash(bytes), [], "inline content");
        }

        var full = Path.GetFullPath(Path.Combine(planDirectory, options.Source!));
        if (Directory.Exists(full))
        {
            return new FileSource(true, await TarAsync(full, cancellationToken), "", await ListAsync(full, cancellationToken), full);
        }

        if (System.IO.File.Exists(full))
        {
            var bytes = await System.IO.File.ReadAllBytesAsync(full, cancellationToken);
            return new FileSource(false, bytes, Hash(bytes), [], full);
        }

        throw DownshiftException.InvalidState(
            $"file step source '{options.Source}' does not exist on the controller (looked at '{full}')");
    }

    /// <summary>Lines <c>sha256  ./relative/path</c> for every regular file, sorted ordinally.</summary>
    public static IReadOnlyList<string> Sorted(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.Length > 0).OrderBy(l => l, StringComparer.Ordinal)];

    /// <summary>
    /// A tar stream of everything under <paramref name="root"/>, dot-files included
    /// (<see cref="TarFile.CreateFromDirectoryAsync(string, Stream, bool, CancellationToken)"/> skips hidden files).
    /// </summary>
    private static async Task<byte[]> TarAsync(string root, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", AllEntries))
            {
                var name = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
                await writer.WriteEntryAsync(entry.FullName, entry is DirectoryInfo && entry.LinkTarget is null ? name + "/" : name, cancellationToken);
            }
        }

        return buffer.ToArray();
    }

    private static EnumerationOptions AllEntries => new() { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };

    private static async Task<IReadOnlyList<string>> ListAsync(string root, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", AllEntries))
        {
            if (new FileInfo(file).LinkTarget is not null)
            {
                continue; // `find -type f` on the host skips links too.
            }

            await using var stream = System.IO.File.OpenRead(file);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            lines.Add($"{hash}  ./{Path.GetRelativePath(root, file).Replace('\\', '/')}");
        }

        return Sorted(lines);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
