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

    /// <summary>The connection broke while a command ran: whether it took effect is unknown (the step's check decides).</summary>
    public bool IsConnectionLost { get; private init; }

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

    /// <summary>The SSH host key was refused (unknown without TOFU, changed, or revoked); never transient.</summary>
    public static DownshiftException HostKeyRejected(string host, string detail) =>
        new($"host '{host}': {detail}", isTransient: false);

    public static DownshiftException SshAuthenticationFailed(string host, string detail, Exception? inner = null) =>
        new($"host '{host}' refused the login: {detail}", isTransient: false, inner);

    /// <summary>The connection broke while a command ran: the command may or may not have taken effect.</summary>
    public static DownshiftException ConnectionLost(string host, string command, Exception? inner = null) =>
        new($"connection to '{host}' was lost while running: {command} (it may or may not have run; the step's check decides)", isTransient: true, inner)
        {
            IsConnectionLost = true,
        };

    public static DownshiftException BecomeFailed(string host, string user, string detail) =>
        new($"host '{host}': 'sudo -n' as '{user}' failed: {detail}", isTransient: false);
}
