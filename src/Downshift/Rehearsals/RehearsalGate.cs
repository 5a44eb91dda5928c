using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.Rehearsals;

/// <summary>
/// What <c>run --require-rehearsal</c> and a plan's <c>require-rehearsal: true</c> ask (issue 5 §5; P9):
/// a passing rehearsal of the plan's exact text (its content hash) in the journal, or a refusal that
/// says how to make one.
/// </summary>
public static class RehearsalGate
{
    /// <summary>Null when the plan may run; otherwise why not (the caller refuses, exit 5).</summary>
    /// <param name="requiredByCommand">True for <c>run --require-rehearsal</c>; the plan can require it too.</param>
    public static async Task<string?> RefusalAsync(Plan plan, bool requiredByCommand, IRehearsalStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        if (!requiredByCommand && !plan.RequireRehearsal)
        {
            return null;
        }

        var rehearsals = await store.ListRehearsalsAsync(plan.ContentHash, cancellationToken);
        if (rehearsals.Any(r => r.Passed))
        {
            return null;
        }

        var why = requiredByCommand ? "--require-rehearsal" : "the plan sets require-rehearsal: true";
        var tried = rehearsals.Count == 0
            ? "has never been rehearsed in this journal"
            : $"has {rehearsals.Count} rehearsal(s) in this journal, none passed (last: run {rehearsals[^1].RunId}, {rehearsals[^1].Time:u})";
        return $"{why}: plan '{plan.Name}' as written now (sha256 {plan.ContentHash}) {tried}; " +
               $"rehearse this exact file on test hosts first: 'downshift rehearse {plan.SourcePath} --inventory TEST' " +
               "(any edit to the file needs a new rehearsal)";
    }
}
