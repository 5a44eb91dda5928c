namespace Downshift.Journal;

/// <summary>
/// A run's state, derived from its records alone (a pure function; nothing is stored as mutable
/// state). This is what <c>resume</c>, <c>rollback</c>, <c>runs</c> and the report read.
/// </summary>
public sealed record RunReplay
{
    public required RunStatus Status { get; init; }

    /// <summary>The Result of the last RollbackStarted (why it rolled back), if any.</summary>
    public string? RollbackReason { get; init; }

    /// <summary>Some rollback started: of the whole fleet, or of a failed host.</summary>
    public bool RollbackStarted { get; init; }

    /// <summary>The run decided to roll back every host that changed (a RollbackStarted record without a host).</summary>
    public bool FleetRollbackStarted { get; init; }

    /// <summary>Hosts whose own rollback started (a failed host goes back at once), in order.</summary>
    public IReadOnlyList<string> HostsRolledBack { get; init; } = [];

    public bool Cancelled { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Time of the last RunFinished, or null while the run is <see cref="RunStatus.Running"/>.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Hosts in the order they first appear.</summary>
    public required IReadOnlyList<string> Hosts { get; init; }

    /// <summary>Every step seen, in the order it first started.</summary>
    public required IReadOnlyList<StepReplay> Steps { get; init; }

    /// <summary>What a rollback must undo, last changed first (see <see cref="StepReplay.NeedsUndo"/>).</summary>
    public IReadOnlyList<StepReplay> StepsToUndo { get; private init; } = [];

    /// <summary>Hosts that failed: a step failed there, or their own rollback started.</summary>
    public IReadOnlySet<string> FailedHosts { get; private init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Hosts whose lease this run took (LeaseAcquired) and has not given back (LeaseReleased).</summary>
    public IReadOnlyList<string> LeasesHeld { get; private init; } = [];

    /// <summary>Whether any step may have changed a host (some step was prepared).</summary>
    public bool AnyChange => Steps.Any(s => s.Prepared);

    private IReadOnlyDictionary<StepKey, StepReplay> ByKey { get; init; } = new Dictionary<StepKey, StepReplay>();

    public StepReplay? Find(string host, int stepIndex) => ByKey.GetValueOrDefault(new StepKey(host, stepIndex));

    /// <summary>Steps started and not ended; after a crash their effect is unknown until checked.</summary>
    public IReadOnlyList<StepReplay> InFlightSteps() =>
        [.. Steps.Where(s => s.State is StepState.InFlight or StepState.UndoInFlight)];

    /// <summary>What a human must look at: failed undos, and steps (or undos) left in flight.</summary>
    public IReadOnlyList<StepReplay> NeedsAttention() =>
        [.. Steps.Where(s => s.State is StepState.UndoFailed or StepState.UndoInFlight
            || (s.State is StepState.InFlight && Status is not RunStatus.Running))];

    /// <summary>Replays a run's records.</summary>
    /// <param name="records">The run's records, in journal order.</param>
    /// <param name="checks">
    /// The plan's check steps (undo mode "not needed": they change nothing), by step index, when the plan
    /// is known. The rule: a check never counts as prepared, so it never makes a host "changed" and is
    /// never undone. The engine journals no StepPrepared for a check; journals written before it did so
    /// still hold one, and this set is what keeps them replaying right. Without it (plan unknown), a
    /// check's StepPrepared counts like any other.
    /// </param>
    public static RunReplay From(IReadOnlyList<JournalRecord> records, IReadOnlySet<int>? checks = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var leases = new Dictionary<string, bool>(StringComparer.Ordinal);
        var steps = new Dictionary<StepKey, StepReplay>();
        var order = new List<StepKey>();
        var hosts = new List<string>();
        var lastEvent = new Dictionary<StepKey, JournalEvent>();
        DateTimeOffset? startedAt = null;
        JournalRecord? lastFinished = null;
        var openAfterFinish = false;
        string? rollbackReason = null;
        var rollbackStarted = false;
        var fleetRollback = false;
        var hostsRolledBack = new List<string>();
        var cancelled = false;

        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            startedAt ??= record.Time;
            if (record.Host is { } host && !hosts.Contains(host, StringComparer.Ordinal))
            {
                hosts.Add(host);
            }

            switch (record.Event)
            {
                case JournalEvent.RunFinished:
                    lastFinished = record;
                    openAfterFinish = false;
                    continue;
                case JournalEvent.RollbackStarted:
                    rollbackStarted = true;
                    rollbackReason = record.Result;
                    if (record.Host is null)
                    {
                        fleetRollback = true;
                    }
                    else if (!hostsRolledBack.Contains(record.Host, StringComparer.Ordinal))
                    {
                        hostsRolledBack.Add(record.Host);
                    }

                    break;
                case JournalEvent.Cancelled:
                    cancelled = true;
                    break;
                case JournalEvent.LeaseAcquired when record.Host is { } leased:
                    leases[leased] = true;
                    break;
                case JournalEvent.LeaseReleased when record.Host is { } released:
                    leases[released] = false;
                    break;
            }

            if (lastFinished is not null && !KeepsRunFinished.Contains(record.Event))
            {
                openAfterFinish = true;
            }

            if (record is { Host: { } stepHost, StepIndex: { } index })
            {
                var key = new StepKey(stepHost, index);
                if (!steps.TryGetValue(key, out var step))
                {
                    step = new StepReplay { Host = stepHost, StepIndex = index };
                    order.Add(key);
                }

                lastEvent.TryGetValue(key, out var previous);
                steps[key] = Apply(step, record, i, previous, isCheck: checks?.Contains(index) == true);
                lastEvent[key] = record.Event;
            }
        }

        var status = lastFinished is null || openAfterFinish ? RunStatus.Running : ParseStatus(lastFinished.Result);
        var ordered = order.Select(k => steps[k]).OrderBy(s => s.StartedOrder < 0 ? int.MaxValue : s.StartedOrder).ToList();
        var failedHosts = new HashSet<string>(hostsRolledBack, StringComparer.Ordinal);
        failedHosts.UnionWith(ordered.Where(s => s.StepOutcome == StepState.Failed).Select(s => s.Host));
        return new RunReplay
        {
            Status = status,
            RollbackReason = rollbackReason,
            RollbackStarted = rollbackStarted,
            FleetRollbackStarted = fleetRollback,
            HostsRolledBack = hostsRolledBack,
            Cancelled = cancelled,
            StartedAt = startedAt,
            FinishedAt = status is RunStatus.Running ? null : lastFinished?.Time,
            Hosts = hosts,
            Steps = ordered,
            ByKey = steps,
            StepsToUndo = [.. ordered.Where(s => s.NeedsUndo)
                .OrderByDescending(s => s.PreparedOrder >= 0 ? s.PreparedOrder : s.StartedOrder)],
            FailedHosts = failedHosts,
            LeasesHeld = [.. leases.Where(l => l.Value).Select(l => l.Key)],
        };
    }

    private static StepReplay Apply(StepReplay step, JournalRecord record, int position, JournalEvent previous, bool isCheck)
    {
        step = step with
        {
            StepId = record.StepId ?? step.StepId,
            Phase = record.Phase ?? step.Phase,
            LastResult = record.Result ?? step.LastResult,
        };

        var next = record.Event switch
        {
            JournalEvent.StepStarted => step with
            {
                State = StepState.InFlight,
                Attempts = previous is JournalEvent.StepRetry ? step.Attempts : step.Attempts + 1,
                StartedAt = step.StartedAt ?? record.Time,
                StartedOrder = step.StartedOrder >= 0 ? step.StartedOrder : position,
                FinishedAt = null,
            },
            JournalEvent.StepRetry => step with { State = StepState.InFlight, Attempts = step.Attempts + 1 },
            JournalEvent.StepPrepared when isCheck => step with { State = StepState.InFlight },
            JournalEvent.StepPrepared => step with
            {
                State = StepState.InFlight,
                Prepared = true,
                UndoData = step.Prepared ? step.UndoData : record.Data,
                PreparedOrder = step.PreparedOrder >= 0 ? step.PreparedOrder : position,
            },
            JournalEvent.StepAlreadyDone => step with { State = StepState.AlreadyDone, FinishedAt = record.Time },
            JournalEvent.StepSucceeded => step with { State = StepState.Succeeded, FinishedAt = record.Time },
            JournalEvent.StepFailed => step with { State = StepState.Failed, FinishedAt = record.Time },
            JournalEvent.UndoStarted => step with { State = StepState.UndoInFlight },
            JournalEvent.UndoSucceeded => step with { State = StepState.Undone },
            JournalEvent.UndoFailed => step with { State = StepState.UndoFailed },
            JournalEvent.UndoSkipped => step with { State = StepState.UndoSkipped },
            _ => step with { StartedOrder = step.StartedOrder >= 0 ? step.StartedOrder : position },
        };

        return record.Event switch
        {
            JournalEvent.StepStarted or JournalEvent.StepRetry or JournalEvent.StepPrepared =>
                next with { StepOutcome = next.State, OutcomeResult = null },
            JournalEvent.StepAlreadyDone or JournalEvent.StepSucceeded or JournalEvent.StepFailed =>
                next with { StepOutcome = next.State, OutcomeResult = record.Result },
            _ => next,
        };
    }

    /// <summary>
    /// The events that do not reopen a finished run: a note (an annotation), a lease's release (the
    /// engine writes it after RunFinished) and monitoring samples (observations, the last of them written
    /// when the monitor stops). Any other record after the last RunFinished means the run is running
    /// again. <see cref="SqliteJournal.ListRunsAsync"/> applies the same rule in SQL.
    /// </summary>
    internal static readonly IReadOnlySet<JournalEvent> KeepsRunFinished =
        new HashSet<JournalEvent> { JournalEvent.Note, JournalEvent.LeaseReleased, JournalEvent.MetricSamples };

    /// <summary>The status a RunFinished record's Result names (unreadable: needs attention).</summary>
    internal static RunStatus ParseStatus(string? wire)
    {
        try
        {
            return wire is null ? RunStatus.NeedsAttention : RunStatusNames.FromWire(wire);
        }
        catch (ArgumentOutOfRangeException)
        {
            // A finish we cannot read is not a success: a human must look.
            return RunStatus.NeedsAttention;
        }
    }
}

/// <summary>Where one host of a run stands, for the end-of-run table and <c>status</c>.</summary>
public enum HostState
{
    /// <summary>No step started on the host (a later batch that never ran, or staged only).</summary>
    Untouched,

    /// <summary>The host's changes are in place (nothing undone).</summary>
    Changed,

    /// <summary>The host's changes were undone.</summary>
    RolledBack,

    /// <summary>A step failed and nothing on the host needed undoing (staging failed).</summary>
    Failed,

    /// <summary>A step or an undo was in flight when the run stopped.</summary>
    InFlight,

    /// <summary>An undo failed: a human must look at the host.</summary>
    NeedsAttention,
}

/// <summary>One host's state with the step it reached.</summary>
public sealed record HostSummary(string Host, HostState State, string? LastStep);

/// <summary>Derives each host's <see cref="HostState"/> from a replay.</summary>
public static class HostSummaries
{
    /// <param name="replay">The run's replay (checks never count as changes: see <see cref="RunReplay.From"/>).</param>
    public static IReadOnlyList<HostSummary> Of(RunReplay replay)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var byHost = replay.Steps.ToLookup(s => s.Host, StringComparer.Ordinal);
        return [.. replay.Hosts.Select(host =>
        {
            var steps = byHost[host].ToList();
            var last = steps.LastOrDefault(s => s.State != StepState.NotStarted)?.StepId;
            var state = steps switch
            {
                [] => HostState.Untouched,
                _ when steps.Any(s => s.State is StepState.UndoFailed) => HostState.NeedsAttention,
                _ when steps.Any(s => s.State is StepState.InFlight or StepState.UndoInFlight) => HostState.InFlight,
                _ when steps.Any(s => s.NeedsUndo) => HostState.Changed,
                _ when steps.Any(s => s.State is StepState.Undone or StepState.UndoSkipped) => HostState.RolledBack,
                _ when steps.Any(s => s.State is StepState.Failed) => HostState.Failed,
                _ => HostState.Untouched,
            };
            return new HostSummary(host, state, last);
        })];
    }

    public static string ToWire(this HostState state) => state switch
    {
        HostState.Untouched => "untouched",
        HostState.Changed => "changed",
        HostState.RolledBack => "rolled-back",
        HostState.Failed => "failed",
        HostState.InFlight => "in-flight",
        _ => "needs-attention",
    };
}
