namespace Downshift;

/// <summary>
/// The one exception type of Downshift, for what is not an expected outcome. <see cref="IsTransient"/>
/// says whether trying again can help (Npgsql's NpgsqlException.IsTransient).
/// </summary>
public sealed class DownshiftException : Exception
{
    private DownshiftException(string message, bool isTransient, Exception? inner = null, DownshiftErrorKind kind = DownshiftErrorKind.InvalidInput)
        : base(message, inner)
    {
        IsTransient = isTransient;
        Kind = kind;
    }

    public bool IsTransient { get; }

    /// <summary>What went wrong, for the caller's exit code: set by each factory below.</summary>
    public DownshiftErrorKind Kind { get; }

    /// <summary>The connection broke while a command ran: whether it took effect is unknown (the step's check decides).</summary>
    public bool IsConnectionLost { get; private init; }

    public static DownshiftException Internal(string message) =>
        new($"internal error: {message}", isTransient: false, kind: DownshiftErrorKind.Internal);

    public static DownshiftException HostUnreachable(string host, string detail, Exception? inner = null) =>
        new($"host '{host}' cannot be reached: {detail}", isTransient: true, inner, DownshiftErrorKind.Host);

    public static DownshiftException CommandTimedOut(string host, string command, TimeSpan timeout) =>
        new($"command on '{host}' timed out after {timeout.TotalSeconds:0.#}s: {command}", isTransient: true, kind: DownshiftErrorKind.Host);

    public static DownshiftException RunNotFound(string runId) =>
        new($"no run '{runId}' in the journal (see 'downshift runs')", isTransient: false);

    public static DownshiftException LeaseHeld(string host, string holder) =>
        new($"host '{host}' is held by another run: {holder}", isTransient: false, kind: DownshiftErrorKind.Lease);

    public static DownshiftException InvalidState(string message) => new(message, isTransient: false);

    public static DownshiftException JournalCorrupt(string path, string detail, Exception? inner = null) =>
        new($"journal '{path}' cannot be used: {detail}", isTransient: false, inner, DownshiftErrorKind.Journal);

    /// <summary>The SSH host key was refused (unknown without TOFU, changed, or revoked); never transient.</summary>
    public static DownshiftException HostKeyRejected(string host, string detail) =>
        new($"host '{host}': {detail}", isTransient: false, kind: DownshiftErrorKind.Host);

    public static DownshiftException SshAuthenticationFailed(string host, string detail, Exception? inner = null) =>
        new($"host '{host}' refused the login: {detail}", isTransient: false, inner, DownshiftErrorKind.Host);

    /// <summary>The connection broke while a command ran: the command may or may not have taken effect.</summary>
    public static DownshiftException ConnectionLost(string host, string command, Exception? inner = null) =>
        new($"connection to '{host}' was lost while running: {command} (it may or may not have run; the step's check decides)", isTransient: true, inner, DownshiftErrorKind.Host)
        {
            IsConnectionLost = true,
        };

    /// <summary>
    /// A database cannot be reached or used: its client tools are missing on the host, the login is
    /// refused, it does not exist, its server is down (transient). <paramref name="database"/> is its
    /// one-line description (<c>postgresql database 'shop'</c>).
    /// </summary>
    public static DownshiftException DatabaseUnavailable(string database, string host, string detail, bool isTransient = false) =>
        new($"{database} on '{host}' cannot be used: {detail}", isTransient, kind: DownshiftErrorKind.Host);

    /// <summary>An operation on a database that could be reached failed: a dump, a restore, a query, an integrity check.</summary>
    public static DownshiftException DatabaseFailed(string database, string host, string operation, string detail) =>
        new($"{operation} of {database} on '{host}' failed: {detail}", isTransient: false);

    public static DownshiftException BecomeFailed(string host, string user, string detail) =>
        new($"host '{host}': 'sudo -n' as '{user}' failed: {detail}", isTransient: false, kind: DownshiftErrorKind.Host);
}

/// <summary>The kinds of <see cref="DownshiftException"/>, each with its own exit code in the CLI.</summary>
public enum DownshiftErrorKind
{
    /// <summary>What the caller gave cannot be used: an unknown run, a stored plan that no longer validates, a missing value.</summary>
    InvalidInput,

    /// <summary>A host could not be reached or used: unreachable, a command timed out, the connection broke, the login, host key or sudo refused.</summary>
    Host,

    /// <summary>A host is held by another run.</summary>
    Lease,

    /// <summary>The journal cannot be used: corrupt, not a journal, written by a newer Downshift.</summary>
    Journal,

    /// <summary>A bug.</summary>
    Internal,
}
