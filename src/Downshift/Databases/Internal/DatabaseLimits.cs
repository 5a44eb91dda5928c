namespace Downshift.Databases.Internal;

/// <summary>
/// How long one command on a database may run. They are generous on purpose: the step or backup that
/// asked bounds the work with its own timeout (its cancellation token); these only end what nothing
/// else would.
/// </summary>
internal static class DatabaseLimits
{
    /// <summary>A dump or a restore: the whole database through one pipe.</summary>
    public static readonly TimeSpan Transfer = TimeSpan.FromHours(12);

    /// <summary>A query, a script of statements, a fingerprint (it reads every row).</summary>
    public static readonly TimeSpan Statement = TimeSpan.FromHours(2);

    /// <summary>Creating or dropping a scratch copy.</summary>
    public static readonly TimeSpan Housekeeping = TimeSpan.FromMinutes(5);
}
