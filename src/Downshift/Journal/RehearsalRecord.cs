namespace Downshift.Journal;

/// <summary>
/// The outcome of one <c>downshift rehearse</c> (issue 5 §5; P8, P9), bound to the exact plan text by its
/// hash (the same SHA-256 a run's <see cref="RunHeader.PlanHash"/> holds) and to the run it rehearsed.
/// Written once, never changed: a later rehearsal of the same hash adds a record.
/// </summary>
public sealed record RehearsalRecord
{
    /// <summary>Position in the journal's rehearsals (0 until stored).</summary>
    public long Sequence { get; init; }

    public required string PlanHash { get; init; }

    public required string PlanName { get; init; }

    /// <summary>The run the rehearsal made (downgrade, then rollback), journaled as a normal run.</summary>
    public required string RunId { get; init; }

    /// <summary>True when the run and its rollback ended as expected and no host showed an unexpected difference.</summary>
    public required bool Passed { get; init; }

    public required string Operator { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>JSON: <c>{hosts: [{host, unexpected, expected, differences: […]}], …}</c>.</summary>
    public required string Data { get; init; }
}

/// <summary>Where rehearsal records are kept (the journal database's <c>rehearsals</c> table).</summary>
public interface IRehearsalStore
{
    /// <summary>Appends durably and returns the record with its sequence number.</summary>
    Task<RehearsalRecord> AppendRehearsalAsync(RehearsalRecord record, CancellationToken cancellationToken);

    /// <summary>Every rehearsal of the plan with this content hash, oldest first.</summary>
    Task<IReadOnlyList<RehearsalRecord>> ListRehearsalsAsync(string planHash, CancellationToken cancellationToken);
}

/// <summary>Questions asked of an <see cref="IRehearsalStore"/>.</summary>
public static class RehearsalStoreExtensions
{
    /// <summary>The latest passing rehearsal of the plan with exactly this hash; null when there is none.</summary>
    public static async Task<RehearsalRecord?> FindPassingRehearsalAsync(
        this IRehearsalStore store, string planHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var records = await store.ListRehearsalsAsync(planHash, cancellationToken);
        return records.LastOrDefault(r => r.Passed);
    }
}
