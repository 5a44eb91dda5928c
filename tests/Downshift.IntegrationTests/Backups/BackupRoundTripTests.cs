using Downshift.Backups;

namespace Downshift.IntegrationTests.Backups;

public sealed class BackupRoundTripTests : IAsyncLifetime
{
    private readonly BackupHarness harness = new();

    private static CancellationToken Ct => BackupHarness.Ct;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task FullBackup_MixedTree_VerifiesAndRestoresEqual()
    {
        // Given a tree with modes, owners, mtimes, empty dirs, symlinks and odd names
        await harness.MakeMixedTreeAsync();
        var before = BackupHarness.Snapshot(harness.Source);

        // When it is backed up, verified and restored into a directory
        var manifest = await harness.BackUpAsync();
        var verdict = await harness.VerifyAsync(manifest);
        var restored = await harness.RestoreAsync(manifest);

        // Then verification passes, every entry is in the manifest, and the restored tree equals the source
        Assert.Empty(verdict.Differences);
        Assert.Equal(before.Count + 1, verdict.FilesChecked); // the root directory too
        Assert.True(verdict.Bytes > 3 << 20);
        var files = manifest.Item("files");
        Assert.Equal(BackupItem.FilesKind, files.Kind);
        Assert.Equal(before.Count + 1, files.Entries!.Count);
        Assert.Null(files.Deleted);
        Assert.Equal(before, BackupHarness.Snapshot(restored));
        Assert.Equal("nobody:nogroup", await harness.OwnerAsync(Path.Combine(restored, "conf", "app.conf")));
        Assert.Equal(manifest.Id, (await harness.Store.ListAsync(Ct).WaitAsync(BackupHarness.Timeout, Ct)).Single().Id);
        Assert.Equal($"/dev/shm/downshift-verify-{manifest.Id}", BackupVerifier.ScratchDirectory(harness.Store, [manifest], "files"));
        Assert.False(Directory.Exists($"/dev/shm/downshift-verify-{manifest.Id}"));
        Assert.False(File.Exists($"/dev/shm/downshift-verify-{manifest.Id}.lock"));
    }

    [Fact]
    public async Task Incremental_ChangedAddedDeleted_StoresOnlyTheChangesAndTheChainRestoresTheEnd()
    {
        // Given a full backup of a tree
        await harness.MakeMixedTreeAsync();
        var full = await harness.BackUpAsync();

        // When a file changes, one is added, a file and a directory are deleted, and an incremental is taken
        var s = harness.Source;
        await harness.RunAsync($"cd '{s}' && printf 'port = 8080\\n' > conf/app.conf && printf 'new' > conf/added && rm conf/key && rm -r 'empty dir'");
        var after = BackupHarness.Snapshot(s);
        var incremental = await harness.BackUpAsync(full);

        // Then it holds only the changed paths (and the directory whose listing changed) and the deletions
        var item = incremental.Item("files");
        Assert.Equal(BackupKind.Incremental, incremental.Kind);
        Assert.Equal(full.Id, incremental.ParentId);
        Assert.Equal(
            [s, $"{s}/conf", $"{s}/conf/added", $"{s}/conf/app.conf"],
            item.Entries!.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal([$"{s}/conf/key", $"{s}/empty dir"], item.Deleted);
        Assert.True(item.RawSize < 64 << 10, $"an incremental of small changes stored {item.RawSize} bytes");

        // And the chain verifies and restores to the tree as it is now
        Assert.Empty((await harness.VerifyAsync(incremental)).Differences);
        Assert.Equal(after, BackupHarness.Snapshot(await harness.RestoreAsync(incremental)));
        Assert.Equal([full.Id, incremental.Id], (await harness.Store.ChainAsync(incremental.Id, Ct).WaitAsync(BackupHarness.Timeout, Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task Incremental_NothingChanged_StoresNoEntries()
    {
        // Given a full backup
        await harness.MakeMixedTreeAsync();
        var full = await harness.BackUpAsync();

        // When nothing changes and an incremental is taken
        var incremental = await harness.BackUpAsync(full);

        // Then it holds nothing, deletes nothing, and the chain still verifies
        Assert.Empty(incremental.Item("files").Entries!);
        Assert.Empty(incremental.Item("files").Deleted!);
        Assert.Empty((await harness.VerifyAsync(incremental)).Differences);
    }

    [Fact]
    public async Task ToHost_AfterChanges_PutsTheBackedUpStateBack()
    {
        // Given a full and an incremental backup of a tree
        await harness.MakeMixedTreeAsync();
        var full = await harness.BackUpAsync();
        await harness.RunAsync($"cd '{harness.Source}' && printf 'v2' > conf/app.conf && rm -r deep");
        var incremental = await harness.BackUpAsync(full);
        var expected = BackupHarness.Snapshot(harness.Source);

        // When the tree is changed again (edited, deleted, a deleted path recreated) and the chain is put back on the host
        await harness.RunAsync($"cd '{harness.Source}' && printf 'v3' > conf/app.conf && rm conf/key run.sh && mkdir -p deep && printf z > deep/stray");
        var chain = await harness.Store.ChainAsync(incremental.Id, Ct).WaitAsync(BackupHarness.Timeout, Ct);
        var count = await FileRestore.ToHostAsync(harness.Store, chain, "files", harness.Host, Ct).WaitAsync(BackupHarness.Timeout, Ct);

        // Then the tree is as it was at the incremental, and the count is its entries
        Assert.Equal(expected, BackupHarness.Snapshot(harness.Source));
        Assert.Equal(expected.Count + 1, count);
    }

    [Fact]
    public async Task Backup_MissingPath_FailsAndCommitsNothing()
    {
        // Given a path that does not exist
        var missing = harness.Combine("no", "such");

        // When a full backup of it is taken
        var error = await Assert.ThrowsAsync<DownshiftException>(() => harness.BackUpAsync(paths: [missing]));

        // Then the error names it and the store holds no backup and no temp directory
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Empty(await harness.Store.ListAsync(Ct).WaitAsync(BackupHarness.Timeout, Ct));
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.StoreRoot));
    }

    [Fact]
    public async Task FullBackup_FileRewrittenWhileRead_ManifestDescribesWhatWasStored()
    {
        // Given a 16 MiB file that a background loop keeps rewriting in place
        var busy = Path.Combine(harness.Source, "busy.bin");
        await harness.RunAsync($"head -c 16777216 /dev/urandom > '{busy}'");
        var stop = busy + ".stop";
        var stopped = busy + ".stopped";
        await harness.RunAsync(
            $"( for i in $(seq 1 400); do [ -e '{stop}' ] && break; head -c 1048576 /dev/urandom | dd of='{busy}' bs=1M seek=$((i % 16)) conv=notrunc status=none; done; touch '{stopped}' ) > /dev/null 2>&1 &");

        // When it is backed up while it changes, and verified
        BackupManifest manifest;
        FilesVerdict verdict;
        try
        {
            manifest = await harness.BackUpAsync();
            verdict = await harness.VerifyAsync(manifest);
        }
        finally
        {
            // The writer ends before the test's directory is removed (it would recreate the file under it)
            await harness.RunAsync($"touch '{stop}'; for _ in $(seq 1 600); do [ -e '{stopped}' ] && break; sleep 0.05; done");
        }

        // Then what was stored verifies: the manifest's hash is that of the stored bytes, whatever the file is now
        Assert.Empty(verdict.Differences);
        Assert.Equal(16 << 20, manifest.Item("files").Entries!.Single(e => e.Path == busy).Size);
    }
}
