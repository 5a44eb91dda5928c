using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Downshift.Plans.Internal;

/// <summary>
/// A YAML mapping being read: typed accessors that record positioned errors instead of throwing,
/// resolve <c>{{ var }}</c> in strings, and remember which keys were read so unknown ones are reported.
/// </summary>
internal sealed class YamlMap(YamlMappingNode node, string path, PlanReadContext context)
{
    public YamlMappingNode Node { get; } = node;

    public string Path { get; } = path;

    public PlanReadContext Context { get; } = context;

    public IEnumerable<string> Keys =>
        Node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public bool Has(string key) => Find(key) is not null;

    public YamlNode? Find(string key) =>
        Node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public SourceLocation LocationOf(string? key = null)
    {
        if (key is not null && Find(key) is { } value)
        {
            return Context.Locate(value.Start, PathOf(key));
        }

        return Context.Locate(Node.Start, Path);
    }

    public void Error(string? key, string message) => Context.Errors.Add(LocationOf(key), message);

    /// <summary>An error at item <paramref name="index"/> of the list under <paramref name="key"/> (at the list when it has no such item).</summary>
    public void ItemError(string key, int index, string message)
    {
        if (Find(key) is YamlSequenceNode list && index < list.Children.Count)
        {
            Context.Errors.Add(Context.Locate(list.Children[index].Start, $"{PathOf(key)}[{index}]"), message);
        }
        else
        {
            Error(key, message);
        }
    }

    public void ReportUnknownKeys(IEnumerable<string> allowed, string what)
    {
        var known = allowed.ToHashSet(StringComparer.Ordinal);
        foreach (var keyNode in Node.Children.Keys)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(key))
            {
                var hint = Suggest(key, known);
                Context.Errors.Add(
                    Context.Locate(keyNode.Start, PathOf(key)),
                    $"unknown key '{key}' in {what}" + (hint is null ? "" : $"; did you mean '{hint}'?"));
            }
        }
    }

    public YamlScalarNode? Scalar(string key, bool required)
    {
        switch (Find(key))
        {
            case null:
                if (required)
                {
                    Error(null, $"missing required key '{key}'");
                }

                return null;
            case YamlScalarNode scalar when scalar.Style == ScalarStyle.Plain && (scalar.Value is null or "" or "~" or "null"):
                Error(key, $"'{key}' is empty");
                return null;
            case YamlScalarNode scalar:
                return scalar;
            default:
                Error(key, $"'{key}' must be a single value, not a list or mapping");
                return null;
        }
    }

    public string? String(string key, bool required = false)
    {
        var scalar = Scalar(key, required);
        return scalar is null ? null : Resolve(scalar.Value ?? "", key);
    }

    public string? Resolve(string text, string key)
    {
        var resolved = Interpolation.Resolve(text, Context.Variables, out var missing);
        foreach (var name in missing)
        {
            Error(key, $"unknown variable '{name}' (declare it under 'vars:' or pass --var {name}=VALUE)");
        }

        return resolved;
    }

    public int? Integer(string key, bool required = false, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Error(key, $"'{key}' must be a whole number, not '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Error(key, $"'{key}' must be between {min} and {max}, not {value}");
            return null;
        }

        return value;
    }

    public bool? Boolean(string key, bool required = false)
    {
        var text = String(key, required);
        return text switch
        {
            null => null,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => ErrorAndNull<bool>(key, $"'{key}' must be true or false, not '{text}'"),
        };
    }

    public TimeSpan? Duration(string key, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out var value) || value <= TimeSpan.Zero)
        {
            Error(key, $"'{key}' must be a positive duration such as 500ms, 30s, 5m or 1h, not '{text}'");
            return null;
        }

        return value;
    }

    public string? OneOf(string key, IReadOnlyList<string> allowed, bool required = false)
    {
        var text = String(key, required);
        if (text is not null && !allowed.Contains(text))
        {
            Error(key, $"'{key}' must be one of {string.Join(", ", allowed)}, not '{text}'");
            return null;
        }

        return text;
    }

    public YamlMap? Map(string key, bool required = false)
    {
        switch (Find(key))
        {
            case null:
                if (required)
                {
                    Error(null, $"missing required key '{key}'");
                }

                return null;
            case YamlMappingNode mapping:
                return new YamlMap(mapping, PathOf(key), Context);
            default:
                Error(key, $"'{key}' must be a mapping (key: value lines)");
                return null;
        }
    }

    public IReadOnlyList<(YamlNode Node, string Path)>? Sequence(string key, bool required = false)
    {
        switch (Find(key))
        {
            case null:
                if (required)
                {
                    Error(null, $"missing required key '{key}'");
                }

                return null;
            case YamlSequenceNode sequence:
                return [.. sequence.Children.Select((child, i) => (child, $"{PathOf(key)}[{i}]"))];
            default:
                Error(key, $"'{key}' must be a list");
                return null;
        }
    }

    public IReadOnlyList<string>? StringList(string key, bool required = false)
    {
        var items = Sequence(key, required);
        if (items is null)
        {
            return null;
        }

        var values = new List<string>();
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            if (item is YamlScalarNode scalar && Resolve(scalar.Value ?? "", key) is { } text)
            {
                values.Add(text);
            }
            else
            {
                ok = false;
                Context.Errors.Add(Context.Locate(item.Start, itemPath), $"each item of '{key}' must be a single value");
            }
        }

        return ok ? values : null;
    }

    public IReadOnlyDictionary<string, Steps.ScalarValue>? ScalarMap(string key, bool required = false) =>
        Map(key, required)?.Scalars();

    /// <summary>A list of mappings whose values are single values, each item's keys checked against <paramref name="itemKeys"/>.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, Steps.ScalarValue>>? MapList(string key, IReadOnlyList<string> itemKeys, bool required = false)
    {
        var items = Sequence(key, required);
        if (items is null)
        {
            return null;
        }

        var values = new List<IReadOnlyDictionary<string, Steps.ScalarValue>>();
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            if (item is not YamlMappingNode mapping)
            {
                ok = false;
                Context.Errors.Add(Context.Locate(item.Start, itemPath), $"each item of '{key}' must be a mapping ({string.Join(", ", itemKeys)})");
                continue;
            }

            var entry = new YamlMap(mapping, itemPath, Context);
            var errors = Context.Errors.All.Count;
            entry.ReportUnknownKeys(itemKeys, $"an item of '{key}'");
            if (entry.Scalars() is { } scalars && Context.Errors.All.Count == errors)
            {
                values.Add(scalars);
            }
            else
            {
                ok = false;
            }
        }

        return ok ? values : null;
    }

    /// <summary>This mapping's values, each a single value (errors recorded for the others).</summary>
    private Dictionary<string, Steps.ScalarValue>? Scalars()
    {
        var values = new Dictionary<string, Steps.ScalarValue>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (keyNode, valueNode) in Node.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (valueNode is YamlScalarNode scalar && Resolve(scalar.Value ?? "", name) is { } text)
            {
                values[name] = new Steps.ScalarValue(text, scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted);
            }
            else
            {
                ok = false;
                if (valueNode is not YamlScalarNode)
                {
                    Error(name, $"the value of '{name}' must be a single value");
                }
            }
        }

        return ok ? values : null;
    }

    private T? ErrorAndNull<T>(string key, string message)
        where T : struct
    {
        Error(key, message);
        return null;
    }

    internal static string? Suggest(string key, IReadOnlySet<string> known) =>
        known.Select(k => (Key: k, Distance: Distance(key, k)))
            .Where(c => c.Distance <= Math.Max(2, key.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Key)
            .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }

        return d[a.Length, b.Length];
    }
}

/// <summary>What every reader of one plan file shares: the file name, the errors, the variables.</summary>
internal sealed class PlanReadContext(string file, PlanErrors errors)
{
    public string File { get; } = file;

    public PlanErrors Errors { get; } = errors;

    public IReadOnlyDictionary<string, string> Variables { get; set; } = new Dictionary<string, string>();

    public SourceLocation Locate(Mark mark, string path) => new(File, (int)mark.Line, (int)mark.Column, path);
}
