using Downshift.Steps.Internal;

namespace Downshift.Steps.Config.Internal;

/// <summary>What <see cref="ConfigStepKind.Bind"/> checks in the keys and in how the edits combine.</summary>
internal static class ConfigBindChecks
{
    public static bool Keys(
        IStepOptionsReader reader,
        ConfigFormat format,
        IEnumerable<string> set,
        IReadOnlyDictionary<string, string> rename,
        IEnumerable<string> remove,
        IEnumerable<string> carry)
    {
        var ok = true;
        foreach (var (option, key) in set.Select(k => ("set", k))
                     .Concat(rename.SelectMany(r => new[] { ("rename", r.Key), ("rename", r.Value) }))
                     .Concat(remove.Select(k => ("remove", k)))
                     .Concat(carry.Select(k => ("carry", k))))
        {
            if (Problem(format, key) is { } problem)
            {
                ok = OptionChecks.Fail(reader, option, $"{option} key '{key}': {problem}");
            }
        }

        return ok;
    }

    public static bool Conflicts(
        IStepOptionsReader reader,
        IEnumerable<string> set,
        IReadOnlyDictionary<string, string> rename,
        IReadOnlyList<string> remove)
    {
        var ok = true;
        foreach (var (from, to) in rename)
        {
            if (from == to)
            {
                ok = OptionChecks.Fail(reader, "rename", $"rename '{from}' onto itself");
            }
            else if (rename.ContainsKey(to))
            {
                ok = OptionChecks.Fail(reader, "rename", $"rename '{from}' -> '{to}': '{to}' is itself renamed; give the final name");
            }

            if (remove.Contains(from))
            {
                ok = OptionChecks.Fail(reader, "remove", $"'{from}' is both renamed and removed");
            }
        }

        foreach (var duplicate in rename.GroupBy(r => r.Value, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            ok = OptionChecks.Fail(reader, "rename", $"'{string.Join("', '", duplicate.Select(d => d.Key))}' are all renamed to '{duplicate.Key}'");
        }

        foreach (var key in set.Where(remove.Contains))
        {
            ok = OptionChecks.Fail(reader, "remove", $"'{key}' is both set and removed");
        }

        foreach (var duplicate in remove.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            ok = OptionChecks.Fail(reader, "remove", $"'{duplicate.Key}' is listed more than once");
        }

        return ok;
    }

    private static string? Problem(ConfigFormat format, string key)
    {
        if (key.Length == 0 || key.Trim() != key)
        {
            return "must not be empty or start or end with spaces";
        }

        if (key.Contains('\n') || key.Contains('\r'))
        {
            return "must be on one line";
        }

        return format switch
        {
            ConfigFormat.Yaml or ConfigFormat.Json when !DottedPath.IsValid(key) => "a dotted path must not have empty parts",
            ConfigFormat.Ini when key.Contains('=') || key.Contains('[') || key.Contains(']') => "an ini key cannot hold '=', '[' or ']'",
            ConfigFormat.KeyValue when key.Contains('=') || key.Contains(' ') || key.Contains('\t') => "a key-value key cannot hold '=' or spaces",
            _ => null,
        };
    }
}
