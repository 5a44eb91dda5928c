namespace Downshift.IntegrationTests.Backups;

/// <summary>A store on a 2 MiB tmpfs (mounted here; the tests run as root) that a backup does not fit on.</summary>
public sealed class StoreFullTests : IAsyncLifetime
{
    private readonly BackupHarness harness = new();

    private static CancellationToken Ct => BackupHarness.Ct;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(harness.StoreRoot);
        await harness.RunAsync($"mount -t tmpfs -o size=2m tmpfs '{harness.StoreRoot}'");
    }

    public async ValueTask DisposeAsync()
    {
        await harness.RunAsync($"umount '{harness.StoreRoot}'");
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task Backup_StoreFills_ClearErrorNoBackupNoTempLeft()
    {
        // Given 6 MiB of incompressible files, three times what the store can hold
        await harness.RunAsync($"cd '{harness.Source}' && for i in 1 2 3; do head -c 2097152 /dev/urandom > part$i; done");

        // When a backup is taken
        var error = await Assert.ThrowsAsync<DownshiftException>(() => harness.BackUpAsync());

        // Then it says the store is full, nothing is listed, and the store is empty again
        Assert.Contains("no space left on device", error.Message, StringComparison.Ordinal);
        Assert.Contains(harness.StoreRoot, error.Message, StringComparison.Ordinal);
        Assert.Empty(await harness.Store.ListAsync(Ct).WaitAsync(BackupHarness.Timeout, Ct));
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.StoreRoot));
    }
}
