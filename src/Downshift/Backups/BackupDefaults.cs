namespace Downshift.Backups;

/// <summary>The store's fixed numbers.</summary>
public static class BackupDefaults
{
    /// <summary>How long one host command of a backup or restore (find, tar) may run; the caller's token still cancels it.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromHours(12);
}
