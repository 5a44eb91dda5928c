using System.Globalization;
using Downshift.Hosts;
using Downshift.Plans;

namespace Downshift.Inventory.Internal;

/// <summary>A variable as read, with where it was read (for errors in its value).</summary>
internal sealed record InventoryVar(string Value, SourceLocation Location);

/// <summary>
/// Collects what an inventory reader found (groups, their hosts, children and vars; host vars), then
/// resolves it: group membership through children, variable precedence, and each host's
/// <see cref="HostEntry"/> from its <c>ansible_*</c> variables.
/// </summary>
internal sealed class InventoryBuilder(string path, PlanErrors errors)
{
    private readonly Dictionary<string, Group> groups = new(StringComparer.Ordinal) { [Inventory.AllGroup] = new(Inventory.AllGroup) };
    private readonly Dictionary<string, Dictionary<string, InventoryVar>> hostVars = new(StringComparer.Ordinal);
    private readonly List<string> hostOrder = [];
    private bool cycleReported;

    public string Path { get; } = path;

    public SourceLocation At(int line, int column, string yamlPath = "") => new(Path, line, column, yamlPath);

    public void Error(SourceLocation location, string message) => errors.Add(location, message);

    public void AddGroup(string name) => GroupOf(name);

    public void AddHost(string group, string host, IEnumerable<KeyValuePair<string, InventoryVar>> vars)
    {
        if (!hostVars.TryGetValue(host, out var own))
        {
            own = new Dictionary<string, InventoryVar>(StringComparer.Ordinal);
            hostVars[host] = own;
            hostOrder.Add(host);
        }

        foreach (var (key, value) in vars)
        {
            own[key] = value;
        }

        var members = GroupOf(group).Hosts;
        if (!members.Contains(host))
        {
            members.Add(host);
        }
    }

    public void AddChild(string parent, string child, SourceLocation location)
    {
        if (child == Inventory.AllGroup)
        {
            Error(location, $"'{Inventory.AllGroup}' cannot be a child of '{parent}'");
            return;
        }

        GroupOf(child);
        var children = GroupOf(parent).Children;
        if (!children.Contains(child))
        {
            children.Add(child);
        }
    }

    public void SetGroupVar(string group, string key, InventoryVar value) => GroupOf(group).Vars[key] = value;

    public Inventory Build()
    {
        var depth = Depths();
        var members = groups.Keys.ToDictionary(g => g, g => Members(g, []), StringComparer.Ordinal);
        var grouped = groups.Where(g => g.Key is not Inventory.AllGroup and not Inventory.UngroupedGroup).SelectMany(g => members[g.Key]).ToHashSet(StringComparer.Ordinal);
        members[Inventory.AllGroup] = [.. hostOrder];
        members[Inventory.UngroupedGroup] = [.. hostOrder.Where(h => !grouped.Contains(h))];

        var hosts = hostOrder.Select(name =>
        {
            var memberOf = groups.Keys.Where(g => g != Inventory.AllGroup && members[g].Contains(name))
                .OrderBy(g => depth.GetValueOrDefault(g)).ThenBy(g => g, StringComparer.Ordinal).ToList();
            var vars = new Dictionary<string, InventoryVar>(StringComparer.Ordinal);
            foreach (var group in memberOf.Prepend(Inventory.AllGroup))
            {
                Merge(vars, groups[group].Vars);
            }

            Merge(vars, hostVars[name]);
            return ToEntry(name, memberOf, vars);
        }).ToList();

        var ordered = groups.Keys.Append(Inventory.UngroupedGroup).Distinct()
            .ToDictionary(g => g, g => (IReadOnlyList<string>)[.. hostOrder.Where(members[g].Contains)], StringComparer.Ordinal);
        return new Inventory { Path = Path, Hosts = hosts, Groups = ordered };
    }

    private Group GroupOf(string name)
    {
        if (!groups.TryGetValue(name, out var group))
        {
            group = new Group(name);
            groups[name] = group;
        }

        return group;
    }

    private HashSet<string> Members(string group, HashSet<string> visiting)
    {
        if (!visiting.Add(group))
        {
            if (cycleReported)
            {
                return [];
            }

            cycleReported = true;
            Error(At(0, 0), $"group '{group}' is its own descendant (children: {string.Join(" → ", visiting)} → {group})");
            return [];
        }

        var result = groups[group].Hosts.ToHashSet(StringComparer.Ordinal);
        foreach (var child in groups[group].Children)
        {
            result.UnionWith(Members(child, [.. visiting]));
        }

        return result;
    }

    /// <summary>Ansible's group depth: all is 0, a top-level group 1, a child one more than its deepest parent.</summary>
    private Dictionary<string, int> Depths()
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal) { [Inventory.AllGroup] = 0 };
        for (var round = 0; round <= groups.Count; round++)
        {
            foreach (var group in groups.Values)
            {
                var own = depth.GetValueOrDefault(group.Name, group.Name == Inventory.AllGroup ? 0 : 1);
                depth[group.Name] = own;
                foreach (var child in group.Children)
                {
                    depth[child] = Math.Max(depth.GetValueOrDefault(child, 1), own + 1);
                }
            }
        }

        return depth;
    }

    private static void Merge(Dictionary<string, InventoryVar> into, Dictionary<string, InventoryVar> from)
    {
        foreach (var (key, value) in from)
        {
            into[key] = value;
        }
    }

    private HostEntry ToEntry(string name, IReadOnlyList<string> memberOf, Dictionary<string, InventoryVar> vars)
    {
        string? Get(params string[] keys) => keys.Select(k => vars.GetValueOrDefault(k)?.Value).FirstOrDefault(v => v is not null);

        var entry = new HostEntry(name)
        {
            Address = Get("ansible_host", "ansible_ssh_host") ?? name,
            User = Get("ansible_user", "ansible_ssh_user"),
            KeyFile = Get("ansible_ssh_private_key_file", "ansible_private_key_file") is { } key ? KeyPath(key) : null,
            Groups = memberOf,
            Vars = vars.ToDictionary(v => v.Key, v => v.Value.Value, StringComparer.Ordinal),
        };

        if ((vars.GetValueOrDefault("ansible_port") ?? vars.GetValueOrDefault("ansible_ssh_port")) is { } port)
        {
            if (int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536)
            {
                entry = entry with { Port = number };
            }
            else
            {
                Error(port.Location, $"ansible_port of host '{name}' must be a port number (1-65535), not '{port.Value}'");
            }
        }

        if (vars.GetValueOrDefault("ansible_become") is { } become)
        {
            switch (become.Value.ToLowerInvariant())
            {
                case "true" or "yes" or "on" or "1":
                    entry = entry with { Become = true };
                    break;
                case "false" or "no" or "off" or "0":
                    break;
                default:
                    Error(become.Location, $"ansible_become of host '{name}' must be true or false, not '{become.Value}'");
                    break;
            }
        }

        return entry;
    }

    /// <summary>A key path: <c>~/</c> is the home directory; a relative path is relative to the inventory file.</summary>
    private string KeyPath(string key) =>
        key.StartsWith("~/", StringComparison.Ordinal)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), key[2..])
            : System.IO.Path.GetFullPath(key, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);

    private sealed class Group(string name)
    {
        public string Name { get; } = name;

        public List<string> Hosts { get; } = [];

        public List<string> Children { get; } = [];

        public Dictionary<string, InventoryVar> Vars { get; } = new(StringComparer.Ordinal);
    }
}
