namespace Downshift.Backups;

/// <summary>Look-ups over a store that the backup step, its restore and the CLI share.</summary>
public static class BackupQueries
{
    /// <summary>The newest backup of <paramref name="host"/> that <paramref name="match"/> accepts and whose verification passed.</summary>
    public static async Task<BackupManifest?> LatestVerifiedAsync(
        this BackupStore store, string host, Func<BackupManifest, bool> match, CancellationToken cancellationToken)
    {
        foreach (var manifest in await store.ListAsync(host, cancellationToken))
        {
            if (match(manifest) && await store.ReadVerificationAsync(manifest.Id, cancellationToken) is { Passed: true })
            {
                return manifest; // ListAsync is newest first
            }
        }

        return null;
    }
}
