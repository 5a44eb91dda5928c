namespace Downshift.Lab.Internal;

/// <summary>
/// An exclusive lock on a file, across processes. On Linux .NET takes it with flock(2) when a file is
/// opened with FileShare.None, so this is the same lock as <c>flock FILE</c> in a shell.
/// </summary>
internal sealed class FileLock : IAsyncDisposable
{
    private readonly FileStream stream;

    private FileLock(FileStream stream) => this.stream = stream;

    /// <summary>Waits for the lock; <paramref name="onWait"/> runs once if another process holds it.</summary>
    public static async Task<FileLock> AcquireAsync(string path, Action? onWait, CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                if (!told)
                {
                    onWait?.Invoke();
                    told = true;
                }

                await Task.Delay(200, cancellationToken);
            }
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
