namespace Downshift;

/// <summary>
/// The one exception type of Downshift, for what is not an expected outcome. <see cref="IsTransient"/>
/// says whether trying again can help (Npgsql's NpgsqlException.IsTransient).
/// </summary>
public sealed class DownshiftException : Exception
{
    private DownshiftException(string message, bool isTransient, Exception? inner = null)
        : base(message, inner) => IsTransient = isTransient;

    public bool IsTransient { get; }

    public static DownshiftException Internal(string message) =>
        new($"internal error: {message}", isTransient: false);

    public static DownshiftException HostUnreachable(string host, string detail, Exception? inner = null) =>
        new($"host '{host}' cannot be reached: {detail}", isTransient: true, inner);

    public static DownshiftException CommandTimedOut(string host, string command, TimeSpan timeout) =>
        new($"command on '{host}' timed out after {timeout.TotalSeconds:0.#}s: {command}", isTransient: true);

    public static DownshiftException RunNotFound(string runId) =>
        new($"no run '{runId}' in the journal (see 'downshift runs')", isTransient: false);

    public static DownshiftException LeaseHeld(string host, string holder) =>
        new($"host '{host}' is held by another run: {holder}", isTransient: false);

    public static DownshiftException InvalidState(string message) => new(message, isTransient: false);

    public static DownshiftException JournalCorrupt(string path, string detail, Exception? inner = null) =>
        new($"journal '{path}' cannot be used: {detail}", isTransient: false, inner);
}
