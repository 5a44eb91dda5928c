using Downshift.Journal;

namespace Downshift.Cli;

/// <summary>The exit codes of <c>downshift</c>, in one place (also in --help and the README).</summary>
public static class ExitCodes
{
    /// <summary>Done: the run (or command) succeeded.</summary>
    public const int Success = 0;

    /// <summary>The run failed and stopped without undoing (or an unexpected error).</summary>
    public const int Failed = 1;

    /// <summary>Invalid input: a plan with errors, a bad option, an unknown run.</summary>
    public const int InvalidInput = 2;

    /// <summary>The run failed and every completed step was undone.</summary>
    public const int RolledBack = 3;

    /// <summary>A rollback was incomplete, or a step's state cannot be told: read the journal.</summary>
    public const int NeedsAttention = 4;

    /// <summary>Refused: another run holds a host, the run is still in progress, or a required rehearsal of the plan is missing.</summary>
    public const int Refused = 5;

    /// <summary>A fleet run ended split: some hosts changed, the failed ones were rolled back.</summary>
    public const int Partial = 6;

    /// <summary>A host could not be reached or used (unreachable, connection lost, login, host key or sudo refused); nothing more was done there.</summary>
    public const int HostUnreachable = 7;

    /// <summary>The journal cannot be used (corrupt, not a Downshift journal, written by a newer Downshift).</summary>
    public const int JournalUnusable = 8;

    /// <summary>Cancelled with Ctrl+C (completed steps rolled back).</summary>
    public const int Cancelled = 130;

    public const string HelpText =
        "Exit codes: 0 done; 1 failed without rollback (or a bug); 2 invalid input; 3 rolled back cleanly; " +
        "4 needs attention (rollback incomplete); 5 refused (host held by another run, or no passing rehearsal when one is required); 6 partial (some hosts changed, the failed ones rolled back); " +
        "7 a host unreachable or refused the connection; 8 the journal cannot be used; 130 cancelled (Ctrl+C, rolled back).";

    /// <summary>The code for an error no command handled itself, by its kind (not every error is invalid input).</summary>
    public static int For(DownshiftException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind switch
        {
            DownshiftErrorKind.Host => HostUnreachable,
            DownshiftErrorKind.Journal => JournalUnusable,
            DownshiftErrorKind.Lease => Refused,
            DownshiftErrorKind.Internal => Failed,
            _ => InvalidInput,
        };
    }

    public static int For(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Success,
        RunStatus.RolledBack => RolledBack,
        RunStatus.NeedsAttention => NeedsAttention,
        RunStatus.Cancelled => Cancelled,
        RunStatus.Partial => Partial,
        RunStatus.Running => NeedsAttention,
        _ => Failed,
    };
}
