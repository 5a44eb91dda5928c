namespace Downshift.Plans;

/// <summary>Where a plan's hosts come from besides the plan file itself.</summary>
public sealed record PlanLoadOptions
{
    public static readonly PlanLoadOptions None = new();

    /// <summary>An inventory file that replaces the plan's <c>inventory:</c> (<c>--inventory FILE</c>).</summary>
    public string? InventoryPath { get; init; }

    /// <summary>
    /// The hosts as they were resolved when a run started (resume, rollback): used as they are, so a
    /// later change of the inventory file does not change which hosts a run touches.
    /// </summary>
    public IReadOnlyList<Hosts.HostEntry>? ResolvedHosts { get; init; }
}
