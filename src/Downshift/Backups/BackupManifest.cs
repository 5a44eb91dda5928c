using System.Text.Json.Serialization;

namespace Downshift.Backups;

/// <summary>
/// What one committed backup holds: written last, after every item, and checked on every read (a
/// SHA-256 sidecar, or authenticated encryption with the store's key). See docs/backups.md.
/// </summary>
public sealed record BackupManifest
{
    /// <summary>The layout version this manifest was written with.</summary>
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    /// <summary>Sortable by time: <c>20261204T171530Z-h1-abcd</c> (UTC start, host, random suffix).</summary>
    public required string Id { get; init; }

    public required string Host { get; init; }

    /// <summary>The plan step's id, or what the CLI was told (<c>manual</c>).</summary>
    public required string Source { get; init; }

    public required BackupKind Kind { get; init; }

    public string? ParentId { get; init; }

    public string? RunId { get; init; }

    /// <summary>When the backup began (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The same as <see cref="CreatedAt"/>: when the backup began.</summary>
    [JsonIgnore]
    public DateTimeOffset StartedAt => CreatedAt;

    /// <summary>From begin to commit.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Whether the items and this manifest are encrypted with the store's key.</summary>
    public required bool Encrypted { get; init; }

    public required IReadOnlyList<BackupItem> Items { get; init; }

    /// <summary>The item called <paramref name="name"/>; a clear error when the backup has none.</summary>
    public BackupItem Item(string name) =>
        Items.FirstOrDefault(i => i.Name == name)
        ?? throw DownshiftException.InvalidState($"backup {Id} has no item '{name}' (it has: {string.Join(", ", Items.Select(i => i.Name))})");
}

/// <summary>
/// One stored blob of a backup: the files of some host paths (a tar stream) or a database dump,
/// compressed (zstd) and, with a key, encrypted.
/// </summary>
public sealed record BackupItem
{
    /// <summary>The <see cref="Kind"/> of an item that holds host files (a database dump's kind is its engine).</summary>
    public const string FilesKind = "files";

    public required string Name { get; init; }

    /// <summary><see cref="FilesKind"/>, or the database engine (<c>postgresql</c>, <c>sqlite</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>The blob's file name inside the backup's directory.</summary>
    public required string Blob { get; init; }

    /// <summary>Bytes before compression: the tar stream, or the dump.</summary>
    public required long RawSize { get; init; }

    /// <summary>Bytes of the blob on disk.</summary>
    public required long StoredSize { get; init; }

    /// <summary>SHA-256 (hex) of the blob as stored on disk.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Files items: the host paths asked for.</summary>
    public IReadOnlyList<string>? Roots { get; init; }

    /// <summary>Files items: every entry this blob holds (an incremental: only the new and changed ones).</summary>
    public IReadOnlyList<FileEntry>? Entries { get; init; }

    /// <summary>Files items of an incremental: the paths its parent chain held that are gone.</summary>
    public IReadOnlyList<string>? Deleted { get; init; }

    /// <summary>What tar said while reading (a file that changed as it was read); the entries are what was stored.</summary>
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>Database items: the source's fingerprint when the dump was taken.</summary>
    public Databases.DatabaseFingerprint? Fingerprint { get; init; }
}

/// <summary>The type of a <see cref="FileEntry"/>: sockets, pipes and devices are not backed up.</summary>
public enum FileEntryType
{
    File,
    Directory,
    Symlink,
}

/// <summary>One file, directory or symlink as it was stored (from its tar header, hashed on the way).</summary>
/// <param name="Path">The absolute path on the host.</param>
/// <param name="Size">Bytes of a file's content (0 for directories and symlinks).</param>
/// <param name="Mode">Permission bits in octal, with setuid/setgid/sticky: <c>0644</c>, <c>4755</c>.</param>
/// <param name="ModifiedAt">The mtime (to 100 ns).</param>
/// <param name="Sha256">SHA-256 (hex) of a file's content; null for directories and symlinks.</param>
/// <param name="LinkTarget">A symlink's target.</param>
public sealed record FileEntry(
    string Path,
    FileEntryType Type,
    long Size,
    string Mode,
    int Uid,
    int Gid,
    string? User,
    string? Group,
    DateTimeOffset ModifiedAt,
    string? Sha256,
    string? LinkTarget);
