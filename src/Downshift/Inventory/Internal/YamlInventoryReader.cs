using Downshift.Plans.Internal;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Downshift.Inventory.Internal;

/// <summary>
/// Ansible's YAML inventory: top-level groups (usually <c>all:</c>), each a mapping with <c>hosts:</c>
/// (name → vars or nothing), <c>vars:</c> and <c>children:</c> (groups again). Only scalar variables are
/// kept (lists and mappings are skipped: nothing here reads them).
/// </summary>
internal static class YamlInventoryReader
{
    private static readonly IReadOnlySet<string> GroupKeys = new HashSet<string>(["hosts", "vars", "children"], StringComparer.Ordinal);

    public static void Read(string text, InventoryBuilder builder)
    {
        if (YamlText.Load(text, out var error) is not { } stream)
        {
            builder.Error(At(builder, error!.Position, ""), error.Message);
            return;
        }

        if (stream.Documents.Count == 0)
        {
            return;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            builder.Error(At(builder, stream.Documents[0].RootNode.Start, ""), "a YAML inventory is a mapping of groups (all: …)");
            return;
        }

        foreach (var (key, value) in root.Children)
        {
            ReadGroup(Name(key), value, builder, parent: null, Name(key));
        }
    }

    private static void ReadGroup(string group, YamlNode node, InventoryBuilder builder, string? parent, string path)
    {
        if (parent is not null)
        {
            builder.AddChild(parent, group, At(builder, node.Start, path));
        }
        else
        {
            builder.AddGroup(group);
        }

        if (IsEmpty(node))
        {
            return;
        }

        if (node is not YamlMappingNode mapping)
        {
            builder.Error(At(builder, node.Start, path), $"group '{group}' must be a mapping with hosts:, vars: or children:");
            return;
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Name(keyNode);
            var at = $"{path}.{key}";
            switch (key)
            {
                case "hosts":
                    foreach (var (hostNode, vars) in Entries(value, builder, at))
                    {
                        ReadHost(group, hostNode, vars, builder, $"{at}.{Name(hostNode)}");
                    }

                    break;
                case "vars":
                    foreach (var (name, var) in Vars(value, builder, at))
                    {
                        builder.SetGroupVar(group, name, var);
                    }

                    break;
                case "children":
                    foreach (var (childNode, child) in Entries(value, builder, at))
                    {
                        ReadGroup(Name(childNode), child, builder, group, $"{at}.{Name(childNode)}");
                    }

                    break;
                default:
                    var hint = YamlMap.Suggest(key, GroupKeys);
                    builder.Error(At(builder, keyNode.Start, at), $"unknown key '{key}' in group '{group}'" + (hint is null ? " (use hosts:, vars: or children:)" : $"; did you mean '{hint}'?"));
                    break;
            }
        }
    }

    private static void ReadHost(string group, YamlNode hostNode, YamlNode vars, InventoryBuilder builder, string path)
    {
        var names = HostRanges.Expand(Name(hostNode), out var error);
        if (names is null)
        {
            builder.Error(At(builder, hostNode.Start, path), error!);
            return;
        }

        var own = Vars(vars, builder, path).ToList();
        foreach (var name in names)
        {
            builder.AddHost(group, name, own);
        }
    }

    private static IEnumerable<(YamlNode Key, YamlNode Value)> Entries(YamlNode node, InventoryBuilder builder, string path)
    {
        if (IsEmpty(node))
        {
            return [];
        }

        if (node is YamlMappingNode mapping)
        {
            return mapping.Children.Select(c => (c.Key, c.Value));
        }

        builder.Error(At(builder, node.Start, path), "must be a mapping (name: …), not a list or a value");
        return [];
    }

    private static IEnumerable<KeyValuePair<string, InventoryVar>> Vars(YamlNode node, InventoryBuilder builder, string path) =>
        Entries(node, builder, path)
            .Where(e => e.Value is YamlScalarNode)
            .Select(e => new KeyValuePair<string, InventoryVar>(
                Name(e.Key), new InventoryVar(((YamlScalarNode)e.Value).Value ?? "", At(builder, e.Value.Start, $"{path}.{Name(e.Key)}"))));

    private static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    private static string Name(YamlNode node) => (node as YamlScalarNode)?.Value ?? "";

    private static Plans.SourceLocation At(InventoryBuilder builder, Mark mark, string path) => builder.At((int)mark.Line, (int)mark.Column, path);
}
