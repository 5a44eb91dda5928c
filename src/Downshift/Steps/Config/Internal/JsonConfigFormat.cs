using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Downshift.Steps.Config.Internal;

/// <summary>
/// A JSON object edited through <see cref="JsonObject"/> (which keeps key order) and written back
/// indented like the original. Comments and trailing commas are accepted on read, not kept.
/// </summary>
internal sealed class JsonConfigFormat : IConfigFormat
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    public ConfigResult Apply(byte[] content, ConfigEdits edits)
    {
        if (Load(content) is not { } root)
        {
            return ConfigResult.Fail("the file is not a JSON object");
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
            if (parent is null || !parent.Remove(name))
            {
                notes.Add($"remove {key}: not present, nothing to do");
            }
        }

        foreach (var (key, value) in edits.Set)
        {
            var error = SetNode(root, key, ToNode(value));
            if (error is not null)
            {
                errors.Add(error);
            }
        }

        return errors.Count > 0 ? new ConfigResult(null, notes, errors) : ConfigResult.Ok(Write(root, content), notes);
    }

    public ConfigResult Carry(byte[] from, byte[] into, IReadOnlyList<string> keys)
    {
        if (Load(from) is not { } source || Load(into) is not { } target)
        {
            return ConfigResult.Fail("the current file or the package default is not a JSON object");
        }

        var notes = new List<string>();
        foreach (var key in keys)
        {
            var (parent, name) = Parent(source, key, create: false);
            if (parent is not null && parent.TryGetPropertyValue(name, out var node))
            {
                if (SetNode(target, key, node?.DeepClone()) is { } error)
                {
                    return ConfigResult.Fail($"carry {key}: {error}");
                }

                notes.Add($"carried {key} from the current file");
            }
            else
            {
                notes.Add($"carry {key}: not in the current file, the package default is kept");
            }
        }

        return ConfigResult.Ok(Write(target, into), notes);
    }

    internal static JsonNode? ToNode(ScalarValue value) =>
        ScalarLiteral.IsLiteral(value) ? JsonNode.Parse(value.Text) : JsonValue.Create(value.Text);

    private static JsonObject? Load(byte[] content)
    {
        if (Encoding.UTF8.GetString(content).Trim().Length == 0)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(content, documentOptions: ReadOptions) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Rename(JsonObject root, string from, string to, List<string> notes, List<string> errors)
    {
        var (source, oldName) = Parent(root, from, create: false);
        var (target, newName) = Parent(root, to, create: false);
        if (target is not null && target.ContainsKey(newName))
        {
            errors.Add($"rename {from} -> {to}: '{to}' already exists");
        }
        else if (source is null || !source.TryGetPropertyValue(oldName, out var node))
        {
            notes.Add($"rename {from} -> {to}: '{from}' not present, nothing to do");
        }
        else if (ReferenceEquals(source, target))
        {
            var index = source.IndexOf(oldName);
            source.RemoveAt(index);
            source.Insert(index, newName, node);
        }
        else
        {
            source.Remove(oldName);
            if (SetNode(root, to, node) is { } error)
            {
                errors.Add($"rename {from} -> {to}: {error}");
            }
        }
    }

    private static string? SetNode(JsonObject root, string key, JsonNode? value)
    {
        var (parent, name) = Parent(root, key, create: true);
        if (parent is null)
        {
            return $"set {key}: a part of '{key}' is not an object";
        }

        parent[name] = value;
        return null;
    }

    /// <summary>The object holding the last part of <paramref name="key"/>; null when a part is missing or not an object.</summary>
    private static (JsonObject? Parent, string Name) Parent(JsonObject root, string key, bool create)
    {
        var parts = DottedPath.Split(key);
        var current = root;
        foreach (var part in parts[..^1])
        {
            if (!current.TryGetPropertyValue(part, out var child) && create)
            {
                child = new JsonObject();
                current[part] = child;
            }

            if (child is not JsonObject next)
            {
                return (null, parts[^1]);
            }

            current = next;
        }

        return (current, parts[^1]);
    }

    private static byte[] Write(JsonObject root, byte[] original)
    {
        var text = Encoding.UTF8.GetString(original);
        var (character, size) = Indent(text);
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentCharacter = character,
            IndentSize = size,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        var json = root.ToJsonString(options);
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        json = json.Replace("\n", newline, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text.Length == 0 || text.EndsWith('\n') ? json + newline : json);
    }

    /// <summary>The indent of the first indented line (two spaces when there is none).</summary>
    private static (char Character, int Size) Indent(string text)
    {
        foreach (var line in text.Split('\n').Skip(1))
        {
            var width = line.Length - line.TrimStart(' ', '\t').Length;
            if (width > 0 && line.Trim().Length > 0)
            {
                return line[0] == '\t' ? ('\t', 1) : (' ', Math.Min(width, 127));
            }
        }

        return (' ', 2);
    }
}
