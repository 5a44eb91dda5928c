using Downshift.Steps;

namespace Downshift.Plans;

/// <summary>A validated, immutable downgrade plan (P1, E3, E4).</summary>
public sealed record Plan
{
    public required string Name { get; init; }
    public required PlanReason Reason { get; init; }
    public required PlanScope Scope { get; init; }
    public required string FromVersion { get; init; }
    public required string ToVersion { get; init; }
    /// <summary>Names of the targeted hosts, in plan order (the order batches are cut in).</summary>
    public IReadOnlyList<string> Hosts => HostEntries.Select(h => h.Name).ToList();

    /// <summary>The targeted hosts with how to reach them (from inline hosts or an inventory).</summary>
    public required IReadOnlyList<Hosts.HostEntry> HostEntries { get; init; }
    /// <summary>How the run rolls through the hosts: canary, batches, concurrency, failure budget.</summary>
    public RolloutStrategy Strategy { get; init; } = RolloutStrategy.Default;

    /// <summary>The plan's <c>monitor:</c> (baseline, bake, probes, log watches, trigger rules); null when it has none.</summary>
    public Monitoring.MonitorPlan? Monitor { get; init; }

    /// <summary>What a fingerprint of a host covers and which differences are expected (<c>fingerprint:</c>); null when the plan declares none.</summary>
    public Fingerprints.FingerprintSpec? Fingerprint { get; init; }

    /// <summary><c>require-rehearsal: true</c>: <c>downshift run</c> refuses this exact text (its <see cref="ContentHash"/>) until a rehearsal of it passed (P9).</summary>
    public bool RequireRehearsal { get; init; }

    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
    public required IReadOnlyList<PlanPhase> Phases { get; init; }

    /// <summary>Path of the plan file it was loaded from (directory anchors relative sources).</summary>
    public required string SourcePath { get; init; }

    /// <summary>The exact text the plan was read from; a run stores it so resume uses what was validated.</summary>
    public required string Text { get; init; }

    /// <summary>The variables given on the command line (--var); <see cref="Variables"/> already includes them.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();

    /// <summary>SHA-256 of the plan text (lower-case hex); binds journal records and rehearsals to the exact plan.</summary>
    public required string ContentHash { get; init; }

    public IEnumerable<PlanStep> Steps => Phases.SelectMany(p => p.Steps);

    /// <summary>Indexes of the steps that are checks (they change nothing): what a journal replay needs to know of the plan.</summary>
    public IReadOnlySet<int> CheckSteps => Steps.Where(s => s.IsCheck).Select(s => s.Index).ToHashSet();
}

public enum ReasonKind
{
    Compatibility,
    Bug,
    Performance,
    Other,
}

public sealed record PlanReason(ReasonKind Kind, string Detail);

public enum ScopeKind
{
    System,
    Modules,
}

public sealed record PlanScope(ScopeKind Kind, IReadOnlyList<string> Items);

public sealed record PlanPhase(string Name, IReadOnlyList<PlanStep> Steps);

/// <summary>
/// One step of a phase. <see cref="Options"/> is the kind's own options record; the common keys
/// (check, undo, timeout, retries) live here.
/// </summary>
public sealed record PlanStep
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Phase { get; init; }

    /// <summary>Position in the whole plan, 0-based, across phases.</summary>
    public required int Index { get; init; }

    public string? Description { get; init; }
    public required StepOptions Options { get; init; }

    /// <summary>A shell command on the host: exit 0 means the step already took effect.</summary>
    public string? Check { get; init; }

    public required UndoSpec Undo { get; init; }

    /// <summary>A check (undo "not needed"): it changes nothing, so it is never prepared and never undone.</summary>
    public bool IsCheck => Undo.Mode == UndoMode.NotNeeded;

    /// <summary>A new executor of this step's kind with its options.</summary>
    public IStepExecutor CreateExecutor() =>
        (StepKinds.Find(Kind) ?? throw DownshiftException.Internal($"step kind '{Kind}' is not registered")).CreateExecutor(Options);

    /// <summary>What undoing this step does, in words: the dry run shows it, the journal's UndoStarted records it.</summary>
    public string UndoText(IStepExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return Undo.Mode switch
        {
            UndoMode.Command => $"run: {Undo.Command}",
            UndoMode.None => $"none ({Undo.Reason})",
            UndoMode.NotNeeded => "— (a check: nothing to undo)",
            _ => executor.DescribeUndo() ?? "—",
        };
    }

    public TimeSpan Timeout { get; init; } = PlanDefaults.StepTimeout;
    public int Retries { get; init; } = PlanDefaults.Retries;
    public TimeSpan RetryDelay { get; init; } = PlanDefaults.RetryDelay;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

public enum UndoMode
{
    /// <summary>The step kind knows how to undo itself (service, file, config, release).</summary>
    Derived,

    /// <summary>A shell command declared in the plan.</summary>
    Command,

    /// <summary>Declared as impossible or unnecessary, with a recorded reason.</summary>
    None,

    /// <summary>The step changes nothing (http-check), so there is nothing to undo.</summary>
    NotNeeded,
}

public sealed record UndoSpec(UndoMode Mode, string? Command = null, string? Reason = null)
{
    public static readonly UndoSpec Derived = new(UndoMode.Derived);
    public static readonly UndoSpec NotNeeded = new(UndoMode.NotNeeded);
}
