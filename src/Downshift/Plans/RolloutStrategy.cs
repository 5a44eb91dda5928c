namespace Downshift.Plans;

/// <summary>What happens to the fleet when the failure budget is spent.</summary>
public enum FleetRollback
{
    /// <summary>Every host that changed goes back (the default: one version across the fleet).</summary>
    WholeFleet,

    /// <summary>Only the failed hosts go back; hosts that succeeded keep the new version.</summary>
    FailedHosts,
}

/// <summary>A number of hosts, given as a count (<c>2</c>) or a share of the fleet (<c>25%</c>).</summary>
public readonly record struct HostCount(int Value, bool IsPercent)
{
    public static HostCount Hosts(int count) => new(count, false);

    public static HostCount Percent(int percent) => new(percent, true);

    /// <summary>The count for a fleet of <paramref name="total"/> hosts; a share rounds up (a batch of 10% of 5 is 1).</summary>
    public int RoundUp(int total) => IsPercent ? (int)Math.Ceiling(total * Value / 100.0) : Value;

    /// <summary>The count for a fleet of <paramref name="total"/> hosts; a share rounds down (10% of 5 hosts may fail: 0).</summary>
    public int RoundDown(int total) => IsPercent ? total * Value / 100 : Value;

    public override string ToString() => IsPercent ? $"{Value}%" : $"{Value}";
}

/// <summary>
/// How a plan rolls through its hosts (issue 3 §5): a canary first (then a bake time and its checks
/// again), then batches; at most <see cref="Concurrency"/> hosts work at once; past the failure
/// budget no new batch starts and the fleet rolls back as <see cref="Rollback"/> says.
/// </summary>
public sealed record RolloutStrategy
{
    public static RolloutStrategy Default { get; } = new();

    /// <summary>Hosts in the canary batch (0: no canary).</summary>
    public HostCount Canary { get; init; } = HostCount.Hosts(0);

    /// <summary>After the canary succeeded: wait this long, then run the plan's checks on the canary hosts again.</summary>
    public TimeSpan Bake { get; init; } = TimeSpan.Zero;

    /// <summary>Hosts per batch after the canary (default: all the rest at once).</summary>
    public HostCount Batch { get; init; } = HostCount.Percent(100);

    /// <summary>At most this many hosts work at the same time.</summary>
    public int Concurrency { get; init; } = PlanDefaults.Concurrency;

    /// <summary>How many hosts may fail before the fleet stops (default 0: the first failure stops it).</summary>
    public HostCount MaxFailed { get; init; } = HostCount.Hosts(0);

    public FleetRollback Rollback { get; init; } = FleetRollback.WholeFleet;

    /// <summary>The hosts cut into batches, canary first, in plan order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Batches(IReadOnlyList<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var batches = new List<IReadOnlyList<string>>();
        var canary = Math.Min(Canary.RoundUp(hosts.Count), hosts.Count);
        if (canary > 0)
        {
            batches.Add([.. hosts.Take(canary)]);
        }

        var size = Math.Max(1, Batch.RoundUp(hosts.Count));
        for (var start = canary; start < hosts.Count; start += size)
        {
            batches.Add([.. hosts.Skip(start).Take(size)]);
        }

        return batches;
    }

    /// <summary>True when <paramref name="failed"/> failed hosts out of <paramref name="total"/> spend more than the budget.</summary>
    public bool BudgetSpent(int failed, int total) => failed > MaxFailed.RoundDown(total);

    public bool HasCanary(int total) => Canary.RoundUp(total) > 0;

    /// <summary>The name of batch <paramref name="index"/> of <see cref="Batches"/>: "canary", or "batch i/n" counting the batches after it.</summary>
    public string BatchLabel(int index, int batchCount, int total)
    {
        var canary = HasCanary(total);
        return canary && index == 0
            ? "canary"
            : $"batch {(canary ? index : index + 1)}/{(canary ? batchCount - 1 : batchCount)}";
    }
}
