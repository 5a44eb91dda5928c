using Downshift.Backups;

namespace Downshift.IntegrationTests.Backups;

public sealed class BackupDamageTests : IAsyncLifetime
{
    private readonly BackupHarness harness = new();

    private static CancellationToken Ct => BackupHarness.Ct;

    private static TimeSpan Timeout => BackupHarness.Timeout;

    public async ValueTask InitializeAsync() => await harness.MakeMixedTreeAsync();

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task Verify_FlippedByteInBlob_FailsNamingTheDamage()
    {
        // Given a backup whose blob has one byte flipped in the middle
        var manifest = await harness.BackUpAsync();
        FlipByte(Path.Combine(harness.StoreRoot, manifest.Id, manifest.Item("files").Blob));

        // When it is verified, restored, and its item read to the end
        var verdict = await harness.VerifyAsync(manifest);
        var restore = await Assert.ThrowsAsync<DownshiftException>(() => harness.RestoreAsync(manifest));
        var read = await Assert.ThrowsAsync<DownshiftException>(async () =>
        {
            await using var item = await harness.Store.OpenItemAsync(manifest, "files", Ct).WaitAsync(Timeout, Ct);
            await item.CopyToAsync(Stream.Null, Ct).WaitAsync(Timeout, Ct);
        });

        // Then each fails with a message that names the backup and says it is damaged
        var difference = Assert.Single(verdict.Differences);
        foreach (var message in new[] { difference, restore.Message, read.Message })
        {
            Assert.Contains($"backup {manifest.Id} item 'files' is damaged", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Open_EditedManifest_IsRefusedAndNotListed()
    {
        // Given two backups, the older one with an edited manifest
        var edited = await harness.BackUpAsync();
        var good = await harness.BackUpAsync();
        var path = Path.Combine(harness.StoreRoot, edited.Id, "manifest.json");
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path, Ct)).Replace("step-1", "step-2", StringComparison.Ordinal), Ct);

        // When it is opened and the store listed
        var error = await Assert.ThrowsAsync<DownshiftException>(() => harness.Store.OpenAsync(edited.Id, Ct).WaitAsync(Timeout, Ct));
        var listing = await harness.Store.ScanAsync(Ct).WaitAsync(Timeout, Ct);

        // Then the error says it was altered, and the listing shows the good one and names the damaged one
        Assert.Contains($"backup {edited.Id} cannot be used: its manifest.json was altered", error.Message, StringComparison.Ordinal);
        Assert.Equal([good.Id], listing.Backups.Select(b => b.Id));
        Assert.Equal(edited.Id, Assert.Single(listing.Damaged).Id);
        Assert.Equal([good.Id], (await harness.Store.ListAsync(Ct).WaitAsync(Timeout, Ct)).Select(b => b.Id));
    }

    [Fact]
    public async Task Open_DeletedManifest_IsRefusedAndItsIncrementalCannotBeRestored()
    {
        // Given a full backup and an incremental on it, the full one's manifest deleted
        var full = await harness.BackUpAsync();
        var incremental = await harness.BackUpAsync(full);
        File.Delete(Path.Combine(harness.StoreRoot, full.Id, "manifest.json"));

        // When the full one is opened and the incremental's chain asked for
        var opened = await Assert.ThrowsAsync<DownshiftException>(() => harness.Store.OpenAsync(full.Id, Ct).WaitAsync(Timeout, Ct));
        var chain = await Assert.ThrowsAsync<DownshiftException>(() => harness.Store.ChainAsync(incremental.Id, Ct).WaitAsync(Timeout, Ct));

        // Then both say what is missing, and only the incremental is listed
        Assert.Contains($"backup {full.Id} cannot be used: its manifest.json is missing", opened.Message, StringComparison.Ordinal);
        Assert.Contains($"backup {incremental.Id} cannot be restored: it builds on {full.Id}", chain.Message, StringComparison.Ordinal);
        Assert.Equal([incremental.Id], (await harness.Store.ListAsync(Ct).WaitAsync(Timeout, Ct)).Select(b => b.Id));
    }

    [Fact]
    public async Task ReadVerification_EditedRecord_ReadsAsFailed()
    {
        // Given a verified backup whose verification record is then edited
        var manifest = await harness.BackUpAsync();
        await harness.Store.MarkVerifiedAsync(manifest.Id, new BackupVerification(false, 1, 2, TimeSpan.FromSeconds(1), DateTimeOffset.UnixEpoch, ["x"]), Ct).WaitAsync(Timeout, Ct);
        var path = Path.Combine(harness.StoreRoot, manifest.Id, "verification.json");
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path, Ct)).Replace("false", "true", StringComparison.Ordinal), Ct);

        // When it is read
        var verification = await harness.Store.ReadVerificationAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct);

        // Then it does not pass, and says why
        Assert.NotNull(verification);
        Assert.False(verification.Passed);
        Assert.Contains("altered", Assert.Single(verification.Differences), StringComparison.Ordinal);
    }

    private static void FlipByte(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = file.Length / 2;
        var b = file.ReadByte();
        file.Position = file.Length / 2;
        file.WriteByte((byte)(b ^ 0x40));
    }
}
