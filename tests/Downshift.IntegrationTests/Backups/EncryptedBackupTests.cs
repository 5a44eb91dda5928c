using System.Text;
using Downshift.Backups;

namespace Downshift.IntegrationTests.Backups;

public sealed class EncryptedBackupTests : IAsyncLifetime
{
    private readonly BackupKey key = BackupKey.Generate();
    private readonly BackupHarness harness;

    public EncryptedBackupTests()
    {
        harness = new BackupHarness(key);
    }

    private static CancellationToken Ct => BackupHarness.Ct;

    private static TimeSpan Timeout => BackupHarness.Timeout;

    public async ValueTask InitializeAsync() => await harness.MakeMixedTreeAsync();

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task Encrypted_FullAndIncremental_VerifyAndRestoreWithNothingInTheClear()
    {
        // Given an encrypted full backup and an incremental after a change
        var before = BackupHarness.Snapshot(harness.Source);
        var full = await harness.BackUpAsync();
        await harness.RunAsync($"cd '{harness.Source}' && printf 'port = 9090\\n' > conf/app.conf");
        var after = BackupHarness.Snapshot(harness.Source);
        var incremental = await harness.BackUpAsync(full);

        // When both are verified and restored
        var verdicts = new[] { await harness.VerifyAsync(full), await harness.VerifyAsync(incremental) };
        var restoredFull = BackupHarness.Snapshot(await harness.RestoreAsync(full));
        var restoredIncremental = BackupHarness.Snapshot(await harness.RestoreAsync(incremental));

        // Then they pass and equal the source, and no file of the store holds a name or content in the clear
        Assert.All(verdicts, v => Assert.Empty(v.Differences));
        Assert.Equal(before, restoredFull);
        Assert.Equal(after, restoredIncremental);
        Assert.True(full.Encrypted);
        Assert.False(File.Exists(Path.Combine(harness.StoreRoot, full.Id, "manifest.json")));
        foreach (var file in Directory.EnumerateFiles(harness.StoreRoot, "*", SearchOption.AllDirectories))
        {
            var text = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, Ct));
            Assert.DoesNotContain("app.conf", text, StringComparison.Ordinal);
            Assert.DoesNotContain("port = ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Open_WrongOrNoKey_SaysSoAndListsNothingAsGood()
    {
        // Given an encrypted backup
        var manifest = await harness.BackUpAsync();

        // When the store is opened with another key, and with none
        var other = new BackupStore(harness.StoreRoot, TimeProvider.System, BackupKey.Generate());
        var none = new BackupStore(harness.StoreRoot, TimeProvider.System, null);
        var wrong = await Assert.ThrowsAsync<DownshiftException>(() => other.OpenAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct));
        var missing = await Assert.ThrowsAsync<DownshiftException>(() => none.OpenAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct));
        var listing = await other.ScanAsync(Ct).WaitAsync(Timeout, Ct);

        // Then the errors say which, and the backup is listed as unusable, not as good
        Assert.Contains($"backup {manifest.Id} was encrypted with a different key", wrong.Message, StringComparison.Ordinal);
        Assert.Contains($"backup {manifest.Id} is encrypted: give the key", missing.Message, StringComparison.Ordinal);
        Assert.Empty(listing.Backups);
        Assert.Equal(manifest.Id, Assert.Single(listing.Damaged).Id);
    }

    [Fact]
    public async Task OpenItem_WrongKey_SaysSoBeforeAnyByte()
    {
        // Given an encrypted backup whose manifest was read with the right key
        var manifest = await harness.BackUpAsync();
        var other = new BackupStore(harness.StoreRoot, TimeProvider.System, BackupKey.Generate());

        // When its item is read with another key
        var error = await Assert.ThrowsAsync<DownshiftException>(async () =>
        {
            await using var item = await other.OpenItemAsync(manifest, "files", Ct).WaitAsync(Timeout, Ct);
            await item.ReadAsync(new byte[1], Ct).AsTask().WaitAsync(Timeout, Ct);
        });

        // Then it says the key differs
        Assert.Contains($"backup {manifest.Id} item 'files' was encrypted with a different key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FlippedByteInEncryptedBlob_FailsAuthentication()
    {
        // Given an encrypted backup with one byte of its blob flipped
        var manifest = await harness.BackUpAsync();
        var blob = Path.Combine(harness.StoreRoot, manifest.Id, manifest.Item("files").Blob);
        var bytes = await File.ReadAllBytesAsync(blob, Ct);
        bytes[bytes.Length / 2] ^= 1;
        await File.WriteAllBytesAsync(blob, bytes, Ct);

        // When it is verified
        var verdict = await harness.VerifyAsync(manifest);

        // Then the difference names the damage
        Assert.Contains("is damaged or was altered", Assert.Single(verdict.Differences), StringComparison.Ordinal);
    }
}
