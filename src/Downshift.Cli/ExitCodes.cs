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

    /// <summary>Refused: another run holds a host, or the run is still in progress.</summary>
    public const int Refused = 5;

    /// <summary>Cancelled with Ctrl+C (completed steps rolled back).</summary>
    /// <summary>A fleet run ended split: some hosts changed, the failed ones were rolled back.</summary>
    public const int Partial = 6;

    public const int Cancelled = 130;

    public const string HelpText =
        "Exit codes: 0 done; 1 failed without rollback; 2 invalid input; 3 rolled back cleanly; " +
        "4 needs attention (rollback incomplete); 5 refused (host held by another run); 6 partial (some hosts changed, the failed ones rolled back); 130 cancelled (Ctrl+C, rolled back).";

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
