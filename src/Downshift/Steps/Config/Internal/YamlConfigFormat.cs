using Downshift.Plans.Internal;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Downshift.Steps.Config.Internal;

/// <summary>
/// A YAML mapping edited through YamlDotNet's node model (which keeps key order and the style of
/// untouched scalars) and written back. Comments are not kept; the outcome says so.
/// </summary>
internal sealed class YamlConfigFormat : IConfigFormat
{
    public ConfigResult Apply(byte[] content, ConfigEdits edits)
    {
        if (Load(content, out var loadError) is not { } root)
        {
            return ConfigResult.Fail(loadError!);
        }

        var notes = new List<string>();
        var errors = new List<string>();
        foreach (var (from, to) in edits.Rename)
        {
            Rename(root, from, to, notes, errors);
        }

        foreach (var key in edits.Remove)
        {
            var (parent, name) = Parent(root, key, create: false);
            if (parent is null || IndexOf(parent, name) is not (>= 0 and var index))
            {
                notes.Add($"remove {key}: not present, nothing to do");
                continue;
            }

            parent.Children.RemoveAt(index);
        }

        foreach (var (key, value) in edits.Set)
        {
            if (SetNode(root, key, ToNode(value)) is { } error)
            {
                errors.Add(error);
            }
        }

        if (HasComments(content))
        {
            notes.Add("yaml is written back without its comments");
        }

        return errors.Count > 0 ? new ConfigResult(null, notes, errors) : ConfigResult.Ok(Write(root), notes);
    }

    public ConfigResult Carry(byte[] from, byte[] into, IReadOnlyList<string> keys)
    {
        if (Load(from, out var error) is not { } source || Load(into, out error) is not { } target)
        {
            return ConfigResult.Fail(error!);
        }

        var notes = new List<string>();
        foreach (var key in keys)
        {
            var (parent, name) = Parent(source, key, create: false);
            if (parent is not null && IndexOf(parent, name) is >= 0 and var index)
            {
                if (SetNode(target, key, parent.Children[index].Value) is { } setError)
                {
                    return ConfigResult.Fail($"carry {key}: {setError}");
                }

                notes.Add($"carried {key} from the current file");
            }
            else
            {
                notes.Add($"carry {key}: not in the current file, the package default is kept");
            }
        }

        return ConfigResult.Ok(Write(target), notes);
    }

    internal static YamlScalarNode ToNode(ScalarValue value) =>
        new(value.Text)
        {
            Style = ScalarLiteral.IsLiteral(value) ? ScalarStyle.Plain
                : ScalarLiteral.LooksTyped(value.Text) ? ScalarStyle.DoubleQuoted
                : ScalarStyle.Any,
        };

    private static YamlMappingNode? Load(byte[] content, out string? error)
    {
        error = null;
        var text = Encoding.UTF8.GetString(content);
        if (YamlText.Load(text, out var invalid) is not { } stream)
        {
            error = $"the file is {invalid!.Message} (line {invalid.Position.Line}, column {invalid.Position.Column})";
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            return [];
        }

        if (stream.Documents.Count > 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            error = "the file is not a single YAML mapping";
            return null;
        }

        return root;
    }

    private static void Rename(YamlMappingNode root, string from, string to, List<string> notes, List<string> errors)
    {
        var (source, oldName) = Parent(root, from, create: false);
        var (target, newName) = Parent(root, to, create: false);
        var oldIndex = source is null ? -1 : IndexOf(source, oldName);
        if (target is not null && IndexOf(target, newName) >= 0)
        {
            errors.Add($"rename {from} -> {to}: '{to}' already exists");
        }
        else if (source is null || oldIndex < 0)
        {
            notes.Add($"rename {from} -> {to}: '{from}' not present, nothing to do");
        }
        else
        {
            var node = source.Children[oldIndex].Value;
            source.Children.RemoveAt(oldIndex);
            if (ReferenceEquals(source, target))
            {
                source.Children.Insert(oldIndex, new YamlScalarNode(newName), node);
            }
            else if (SetNode(root, to, node) is { } error)
            {
                errors.Add($"rename {from} -> {to}: {error}");
            }
        }
    }

    private static string? SetNode(YamlMappingNode root, string key, YamlNode value)
    {
        var (parent, name) = Parent(root, key, create: true);
        if (parent is null)
        {
            return $"set {key}: a part of '{key}' is not a mapping";
        }

        var index = IndexOf(parent, name);
        if (index >= 0)
        {
            var existing = parent.Children[index].Key;
            parent.Children.RemoveAt(index);
            parent.Children.Insert(index, existing, value);
        }
        else
        {
            parent.Children.Add(new YamlScalarNode(name), value);
        }

        return null;
    }

    private static (YamlMappingNode? Parent, string Name) Parent(YamlMappingNode root, string key, bool create)
    {
        var parts = DottedPath.Split(key);
        var current = root;
        foreach (var part in parts[..^1])
        {
            var index = IndexOf(current, part);
            if (index < 0 && create)
            {
                var created = new YamlMappingNode();
                current.Children.Add(new YamlScalarNode(part), created);
                current = created;
                continue;
            }

            if (index < 0 || current.Children[index].Value is not YamlMappingNode next)
            {
                return (null, parts[^1]);
            }

            current = next;
        }

        return (current, parts[^1]);
    }

    private static int IndexOf(YamlMappingNode mapping, string name)
    {
        for (var i = 0; i < mapping.Children.Count; i++)
        {
            if (mapping.Children[i].Key is YamlScalarNode { Value: var value } && value == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool HasComments(byte[] content) =>
        Encoding.UTF8.GetString(content).Split('\n').Any(l => l.TrimStart().StartsWith('#') || l.Contains(" #", StringComparison.Ordinal));

    private static byte[] Write(YamlMappingNode root)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }

        return Encoding.UTF8.GetBytes(text);
    }
}
