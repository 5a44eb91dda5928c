namespace Downshift.Databases.Internal;

/// <summary>
/// A restored copy for verification: reads go to <paramref name="copy"/>, and disposing runs
/// <paramref name="drop"/> once (a dropped database, a deleted file). A failed drop throws: a leftover
/// copy takes space and should be seen.
/// </summary>
internal sealed class ScratchDatabase(IDatabase copy, Func<CancellationToken, Task> drop) : IScratchDatabase
{
    private int disposed;

    public string Describe() => $"{copy.Describe()} (scratch copy)";

    public Task<DatabaseFingerprint> FingerprintAsync(CancellationToken cancellationToken) => copy.FingerprintAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            // No token to honour here: the drop's command has its own limit (DatabaseLimits.Housekeeping).
            await drop(CancellationToken.None);
        }
    }
}
