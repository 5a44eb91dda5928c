namespace Downshift.Backups.Internal;

/// <summary>
/// The lock beside a temp or scratch directory (<c>DIR.lock</c>): an exclusive flock held by whoever
/// uses the directory, released by the kernel when that process dies.
/// </summary>
internal static class StoreLock
{
    /// <summary>Takes the lock of <paramref name="directory"/>; throws when another holds it.</summary>
    public static FileStream Take(string directory) =>
        new(directory + StoreLayout.LockSuffix, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    /// <summary>Takes the lock when nobody holds it; null when it is in use.</summary>
    public static FileStream? TryTake(string directory)
    {
        try
        {
            return Take(directory);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
