namespace Downshift.Journal;

/// <summary>
/// One append-only record of the operation log (E7): time, operator, host, step, command, exit code,
/// output excerpt (secrets redacted), duration and result. <see cref="Data"/> carries JSON where an
/// event needs more (undo data, the plan, a diff).
/// </summary>
public sealed record JournalRecord
{
    /// <summary>Sequence number in the journal, assigned on append (0 before).</summary>
    public long Sequence { get; init; }

    public required string RunId { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string Operator { get; init; }

    public required JournalEvent Event { get; init; }

    public string? Host { get; init; }

    public string? Phase { get; init; }

    /// <summary>The step's index in the plan, or null for run-level records.</summary>
    public int? StepIndex { get; init; }

    public string? StepId { get; init; }

    public string? Command { get; init; }

    public int? ExitCode { get; init; }

    public string? Output { get; init; }

    public TimeSpan? Duration { get; init; }

    /// <summary>A short result word or message: ok, failed: …, skipped, rolled-back.</summary>
    public string? Result { get; init; }

    public string? Data { get; init; }
}
