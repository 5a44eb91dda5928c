using Downshift.Hosts;
using YamlDotNet.RepresentationModel;

namespace Downshift.Plans.Internal;

/// <summary>What a plan's hosts may be resolved against: an inventory, or the hosts a run already resolved.</summary>
internal sealed record HostSources(Inventory.Inventory? Inventory, IReadOnlyList<HostEntry>? Resolved);

/// <summary>
/// Reads <c>hosts:</c>: each item is <c>local</c>, a host or group of the inventory, or an inline host
/// (<c>{name: h1, address: 10.0.0.1, port: 22, user: deploy, key: path, become: true}</c>). Duplicates
/// collapse, the first place wins (plan order is batch order). Unknown names are positioned errors.
/// </summary>
internal static class PlanHostsReader
{
    /// <summary>The inventory a plan names (<c>inventory:</c>, relative to the plan file), or the override.</summary>
    public static string? InventoryPath(YamlMap root, PlanLoadOptions options)
    {
        if (options.InventoryPath is { Length: > 0 } given)
        {
            return given;
        }

        return root.String("inventory") is { } path
            ? Path.GetFullPath(path, Path.GetDirectoryName(Path.GetFullPath(root.Context.File))!)
            : null;
    }

    public static IReadOnlyList<HostEntry> Read(YamlMap root, HostSources sources)
    {
        root.String("inventory"); // read by InventoryPath; here only so the key counts as known
        if (sources.Resolved is { } resolved)
        {
            return resolved;
        }

        var items = root.Sequence("hosts");
        if (items is null)
        {
            return [HostEntry.Local];
        }

        if (items.Count == 0)
        {
            root.Error("hosts", "'hosts' lists at least one host (or leave it out for 'local')");
        }

        var hosts = new List<HostEntry>();
        foreach (var (node, path) in items)
        {
            var found = node switch
            {
                YamlScalarNode scalar => ByName(root, scalar, path, sources.Inventory),
                YamlMappingNode mapping => Inline(new YamlMap(mapping, path, root.Context)) is { } inline ? [inline] : [],
                _ => Error(root, node, path, "each item of 'hosts' is a host or group name, or a mapping {name: …, address: …}"),
            };
            hosts.AddRange(found.Where(h => hosts.All(known => known.Name != h.Name)));
        }

        return hosts;
    }

    private static IReadOnlyList<HostEntry> ByName(YamlMap root, YamlScalarNode scalar, string path, Inventory.Inventory? inventory)
    {
        var name = root.Resolve(scalar.Value ?? "", "hosts") ?? "";
        if (name == PlanDefaults.LocalHost)
        {
            return [HostEntry.Local];
        }

        if (inventory?.Resolve(name) is { } found)
        {
            return found;
        }

        var known = (inventory?.Names ?? []).Append(PlanDefaults.LocalHost).ToHashSet(StringComparer.Ordinal);
        var hint = YamlMap.Suggest(name, known);
        var where = inventory is null
            ? "there is no inventory: add 'inventory: FILE' (or --inventory FILE), or write the host as {name: " + name + ", address: …}"
            : $"it is neither a host nor a group of {inventory.Path}";
        return Error(root, scalar, path, $"unknown host '{name}': {where}" + (hint is null ? "" : $"; did you mean '{hint}'?"));
    }

    private static HostEntry? Inline(YamlMap map)
    {
        map.ReportUnknownKeys(PlanKeys.InlineHost, "an inline host");
        var name = map.String("name", required: true);
        var address = map.String("address");
        var port = map.Integer("port", min: 1, max: 65535);
        var user = map.String("user");
        var key = map.String("key");
        var become = map.Boolean("become");
        if (name is null)
        {
            return null;
        }

        return new HostEntry(name)
        {
            Address = address ?? name,
            Port = port ?? HostEntry.DefaultSshPort,
            User = user,
            KeyFile = key is null ? null : Path.GetFullPath(key, Path.GetDirectoryName(Path.GetFullPath(map.Context.File))!),
            Become = become ?? false,
        };
    }

    private static IReadOnlyList<HostEntry> Error(YamlMap root, YamlNode node, string path, string message)
    {
        root.Context.Errors.Add(root.Context.Locate(node.Start, path), message);
        return [];
    }
}
