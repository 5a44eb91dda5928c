using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.Engine;

/// <summary>
/// A run as the journal holds it: its header, its records, the plan it stored (loaded again with the
/// hosts as resolved when it started) and its replay — read once, for the engine and the CLI alike.
/// </summary>
public sealed record StoredRun
{
    public required RunHeader Header { get; init; }

    public required IReadOnlyList<JournalRecord> Records { get; init; }

    /// <summary>The stored plan, or null when it no longer validates (see <see cref="PlanErrors"/>).</summary>
    public Plan? Plan { get; init; }

    public IReadOnlyList<string> PlanErrors { get; init; } = [];

    /// <summary>The replay, told by the plan which steps are checks (see <see cref="RunReplay.From"/>) when the plan loads.</summary>
    public required RunReplay Replay { get; init; }

    /// <summary>Reads a run's header and records once; null when the journal has no such run.</summary>
    public static async Task<StoredRun?> LoadAsync(IJournal journal, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var header = await journal.FindRunAsync(runId, cancellationToken);
        if (header is null)
        {
            return null;
        }

        var records = await journal.ReadAsync(runId, cancellationToken);

        // The hosts as resolved when the run started (the inventory may have changed since).
        var started = records.FirstOrDefault(r => r.Event == JournalEvent.RunStarted);
        var hosts = HostEntryJson.FromProperty(started?.Data, "targets");
        var loaded = PlanLoader.Load(header.PlanPath, header.PlanText, header.Variables, new PlanLoadOptions { ResolvedHosts = hosts });
        return new StoredRun
        {
            Header = header,
            Records = records,
            Plan = loaded.Plan,
            PlanErrors = [.. loaded.Errors.Select(e => e.ToString())],
            Replay = RunReplay.From(records, loaded.Plan?.CheckSteps),
        };
    }
}
