using Downshift.Backups;
using Downshift.Backups.Internal;

namespace Downshift.Tests.Backups;

public sealed class ChainStateTests
{
    [Fact]
    public void Of_FullThenIncrementals_KeepsTheNewestEntryAndTheDeletionsThatStayDeleted()
    {
        // Given a full backup of a, b, c; an incremental that changes a and deletes b and c; one that brings c back
        var chain = new[]
        {
            Backup(BackupKind.Full, [Entry("/d/a", 1), Entry("/d/b", 1), Entry("/d/c", 1)], null),
            Backup(BackupKind.Incremental, [Entry("/d/a", 2)], ["/d/b", "/d/c"]),
            Backup(BackupKind.Incremental, [Entry("/d/c", 3)], []),
        };

        // When merged
        var state = ChainState.Of(chain, "files");

        // Then a comes from the first incremental, c from the second, b stays deleted
        Assert.Equal(2, state.Count);
        Assert.True(state.TryGet("/d/a", out var a) && a.Layer == 1 && a.Entry.Size == 2);
        Assert.True(state.TryGet("/d/c", out var c) && c.Layer == 2);
        Assert.Equal(["/d/b"], state.Deleted);
        Assert.Equal(new HashSet<int> { 1, 2 }, state.Layers);
    }

    [Fact]
    public void Differs_OnlyWhatFindReportsChanged()
    {
        // Given a chain with one file
        var stored = Entry("/d/a", 5);
        var state = ChainState.Of([Backup(BackupKind.Full, [stored], null)], "files");

        // Then the same entry does not differ; a new size, mode, owner, mtime or path does
        Assert.False(state.Differs(stored));
        Assert.True(state.Differs(stored with { Size = 6 }));
        Assert.True(state.Differs(stored with { Mode = "0600" }));
        Assert.True(state.Differs(stored with { Uid = 1 }));
        Assert.True(state.Differs(stored with { ModifiedAt = stored.ModifiedAt.AddTicks(1) }));
        Assert.True(state.Differs(stored with { Path = "/d/new" }));
    }

    [Fact]
    public void IsUnder_RootAndChildrenOnly()
    {
        Assert.True(ChainState.IsUnder("/srv/app", "/srv/app"));
        Assert.True(ChainState.IsUnder("/srv/app/x", "/srv/app"));
        Assert.False(ChainState.IsUnder("/srv/apple", "/srv/app"));
        Assert.True(ChainState.IsUnder("/etc", "/"));
    }

    [Fact]
    public void ParseEpoch_FindAndPaxForms_TruncateTo100Nanoseconds()
    {
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(17964032131408882), Modes.ParseEpoch("1796403213.1408882830"));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(17964032131408882), Modes.ParseEpoch("1796403213.140888283"));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1577836800), Modes.ParseEpoch("1577836800"));
        Assert.Equal("4755", Modes.Format(Convert.ToInt32("104755", 8)));
    }

    private static FileEntry Entry(string path, long size) =>
        new(path, FileEntryType.File, size, "0644", 0, 0, "root", "root", DateTimeOffset.UnixEpoch.AddSeconds(size), "00", null);

    private static BackupManifest Backup(BackupKind kind, IReadOnlyList<FileEntry> entries, IReadOnlyList<string>? deleted) => new()
    {
        Id = $"b{entries.Count}{deleted?.Count}",
        Host = "h1",
        Source = "s",
        Kind = kind,
        CreatedAt = DateTimeOffset.UnixEpoch,
        Duration = TimeSpan.Zero,
        Encrypted = false,
        Items = [new BackupItem { Name = "files", Kind = BackupItem.FilesKind, Blob = "files.tar.zst", RawSize = 0, StoredSize = 0, Sha256 = "", Entries = entries, Deleted = deleted }],
    };
}
