using Downshift.Hosts;

namespace Downshift.Inventory;

/// <summary>
/// An Ansible inventory, resolved: every host with how to reach it (from its <c>ansible_*</c> variables,
/// host over child group over parent group over <c>all</c>) and every group with its hosts, children included.
/// </summary>
public sealed record Inventory
{
    public const string AllGroup = "all";
    public const string UngroupedGroup = "ungrouped";

    /// <summary>The file it was read from.</summary>
    public required string Path { get; init; }

    /// <summary>Every host, in the order the file first names them.</summary>
    public required IReadOnlyList<HostEntry> Hosts { get; init; }

    /// <summary>Every group and its hosts (children included), in inventory order; <c>all</c> and <c>ungrouped</c> too.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; init; }

    /// <summary>The hosts a name stands for: the host itself, or every host of the group; null when it is neither.</summary>
    public IReadOnlyList<HostEntry>? Resolve(string name)
    {
        if (Hosts.FirstOrDefault(h => h.Name == name) is { } host)
        {
            return [host];
        }

        return Groups.TryGetValue(name, out var members)
            ? [.. members.Select(m => Hosts.First(h => h.Name == m))]
            : null;
    }

    /// <summary>Host and group names, for did-you-mean suggestions.</summary>
    public IEnumerable<string> Names => Hosts.Select(h => h.Name).Concat(Groups.Keys);
}

/// <summary>An inventory, or every error that keeps it from being one (positioned like plan errors).</summary>
public sealed record InventoryLoadResult(Inventory? Inventory, IReadOnlyList<Plans.PlanError> Errors)
{
    public bool IsValid => Inventory is not null && Errors.Count == 0;
}
