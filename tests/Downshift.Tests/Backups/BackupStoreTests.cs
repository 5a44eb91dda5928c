using System.Security.Cryptography;
using Downshift.Backups;
using Downshift.Databases;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.Tests.Backups;

public sealed class BackupStoreTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory directory = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 4, 17, 15, 30, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddStream_Committed_ReadsBackTheSameBytesWithItsFingerprint(bool encrypted)
    {
        // Given a store (encrypted or not) and 3 MiB of dump
        var store = Store(encrypted ? BackupKey.Generate() : null);
        var dump = RandomNumberGenerator.GetBytes(3 << 20);
        var fingerprint = new DatabaseFingerprint("abc", [new TableFingerprint("public.orders", 2, "def")]);

        // When it is stored as a database item and committed
        var manifest = await TakeAsync(store, "db-shop", dump, fingerprint);

        // Then the manifest describes it, it opens again, and its bytes read back
        Assert.Equal("20261204T171530Z-h1-", manifest.Id[..20]);
        Assert.Equal(encrypted, manifest.Encrypted);
        var item = (await store.OpenAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct)).Item("db-shop");
        Assert.Equal(("postgresql", dump.Length, fingerprint.SchemaHash), (item.Kind, item.RawSize, item.Fingerprint!.SchemaHash));
        await using var read = await store.OpenItemAsync(manifest, "db-shop", Ct).WaitAsync(Timeout, Ct);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy, Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(dump, copy.ToArray());
    }

    [Fact]
    public async Task Dispose_WithoutCommit_LeavesNothingAndListsNothing()
    {
        // Given a backup begun and an item added
        var store = Store();
        await using (var writer = await store.BeginAsync(Request(), Ct).WaitAsync(Timeout, Ct))
        {
            await writer.AddStreamAsync("db", "sqlite", (s, ct) => s.WriteAsync(new byte[100], ct).AsTask(), null, Ct).WaitAsync(Timeout, Ct);

            // When it is listed before the commit, then it is not there
            Assert.Empty(await store.ListAsync(Ct).WaitAsync(Timeout, Ct));
            Assert.Single(Directory.EnumerateDirectories(store.Root), d => Path.GetFileName(d).StartsWith(".tmp-", StringComparison.Ordinal));
        }

        // When it is disposed without commit, then the store is empty
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Root));
    }

    [Fact]
    public async Task List_SeveralBackups_NewestFirst()
    {
        // Given three backups a minute apart
        var store = Store();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await TakeAsync(store, "db", [1, 2, 3])).Id);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        // When listed, then newest first
        Assert.Equal(ids.AsEnumerable().Reverse(), (await store.ListAsync(Ct).WaitAsync(Timeout, Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task Retention_KeepTwo_DeletesTheOldestChainAndLeftovers()
    {
        // Given three full backups of one source, each with an incremental, another source's old full, and a crashed writer's temp dir
        var store = Store();
        var chains = new List<(string Full, string Incremental)>();
        var other = (await TakeAsync(store, "db", [9], source: "step-2")).Id;
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var full = await TakeAsync(store, "db", [1]);
            time.Advance(TimeSpan.FromMinutes(1));
            var incremental = await TakeAsync(store, "db", [2], parent: full);
            chains.Add((full.Id, incremental.Id));
        }

        Directory.CreateDirectory(Path.Combine(store.Root, ".tmp-20261204T000000Z-h1-dead"));

        // When retention keeps two full backups per host and source
        var result = await store.ApplyRetentionAsync(new RetentionRule(2), Ct).WaitAsync(Timeout, Ct);

        // Then the oldest chain is gone, the rest (and the other source's) kept, and the leftover removed
        Assert.Equal([chains[0].Incremental, chains[0].Full], result.Deleted);
        Assert.Equal(
            [chains[2].Incremental, chains[2].Full, chains[1].Incremental, chains[1].Full, other],
            (await store.ListAsync(Ct).WaitAsync(Timeout, Ct)).Select(m => m.Id));
        Assert.Contains(".tmp-20261204T000000Z-h1-dead", result.LeftoversRemoved);
        Assert.All(Directory.EnumerateDirectories(store.Root), d => Assert.False(Path.GetFileName(d).StartsWith('.')));
    }

    [Fact]
    public async Task MarkVerified_ThenRead_GivesTheVerdictBack()
    {
        // Given a backup and a verdict
        var store = Store(BackupKey.Generate());
        var manifest = await TakeAsync(store, "db", [1]);
        var verdict = new BackupVerification(true, 3, 42, TimeSpan.FromSeconds(2), time.GetUtcNow(), [])
        {
            Database = new DatabaseFingerprint("s", []),
        };

        // When it is stored and read back
        Assert.Null(await store.ReadVerificationAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct));
        await store.MarkVerifiedAsync(manifest.Id, verdict, Ct).WaitAsync(Timeout, Ct);
        var read = await store.ReadVerificationAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct);

        // Then it is the same verdict
        Assert.NotNull(read);
        Assert.Equal((verdict.Passed, verdict.FilesChecked, verdict.Bytes, verdict.VerifiedAt, "s"), (read.Passed, read.FilesChecked, read.Bytes, read.VerifiedAt, read.Database!.SchemaHash));
    }

    [Fact]
    public async Task Open_UnknownId_SaysItIsNotInTheStore()
    {
        // Given an empty store, when a backup is opened, then the error names it and the store
        var store = Store();
        var error = await Assert.ThrowsAsync<DownshiftException>(() => store.OpenAsync("20261204T171530Z-h1-abcd", Ct).WaitAsync(Timeout, Ct));
        Assert.Equal($"backup 20261204T171530Z-h1-abcd is not in the store {store.Root} (see 'downshift backups')", error.Message);
    }

    private BackupStore Store(BackupKey? key = null) => new(directory.Combine("store"), time, key);

    [Fact]
    public async Task ListByHost_HostsWithSharedPrefixes_OnlyThatHostsBackups()
    {
        // Given backups of h1, h1-b and web.h1 (names that contain one another)
        var store = Store();
        var mine = (await TakeAsync(store, "db", [1], host: "h1")).Id;
        await TakeAsync(store, "db", [2], host: "h1-b");
        await TakeAsync(store, "db", [3], host: "web.h1");

        // When h1's are listed, then only its own come back
        Assert.Equal([mine], (await store.ListAsync("h1", Ct).WaitAsync(Timeout, Ct)).Select(m => m.Id));
        Assert.Equal(3, (await store.ListAsync(Ct).WaitAsync(Timeout, Ct)).Count);
    }

    [Theory]
    [InlineData("h1", "h1", true)]
    [InlineData("h1-b", "h1", false)]
    [InlineData("web.h1", "h1", false)]
    [InlineData("h1", "h1-b", false)]
    public void IsOfHost_ReadFromTheIdAlone_NoPrefixConfusion(string took, string asked, bool expected) =>
        Assert.Equal(expected, Downshift.Backups.Internal.StoreLayout.IsOfHost(Downshift.Backups.Internal.StoreLayout.NewId(DateTimeOffset.UnixEpoch, took), asked));

    private static BackupRequest Request(BackupManifest? parent = null, string source = "step-1", string host = "h1") =>
        new(host, source, parent is null ? BackupKind.Full : BackupKind.Incremental, parent?.Id, "run-1");

    private static async Task<BackupManifest> TakeAsync(
        BackupStore store, string item, byte[] content, DatabaseFingerprint? fingerprint = null, BackupManifest? parent = null, string source = "step-1", string host = "h1")
    {
        await using var writer = await store.BeginAsync(Request(parent, source, host), Ct).WaitAsync(Timeout, Ct);
        await writer.AddStreamAsync(item, "postgresql", (s, ct) => s.WriteAsync(content, ct).AsTask(), fingerprint, Ct).WaitAsync(Timeout, Ct);
        return await writer.CommitAsync(Ct).WaitAsync(Timeout, Ct);
    }
}
