using System.Globalization;
using Downshift.Databases;

namespace Downshift.Steps.Internal;

/// <summary>Reads a step's <c>database:</c> map (backup, migrate) into a <see cref="DatabaseTarget"/>, reporting every problem at the key.</summary>
internal static class DatabaseTargetReader
{
    /// <summary>The keys of a <c>database:</c> map.</summary>
    public static readonly IReadOnlyList<string> Keys = ["engine", "name", "host", "port", "user", "password-env", "run-as", "path"];

    public static DatabaseTarget? Read(IStepOptionsReader reader, string key, bool required = false)
    {
        var map = reader.StringMap(key, required);
        return map is null ? null : FromMap(map, key, message => OptionChecks.Fail(reader, key, message));
    }

    /// <summary>
    /// The target a map of single values describes (named <paramref name="key"/> in messages), or null after
    /// <paramref name="fail"/> was called once per problem.
    /// </summary>
    public static DatabaseTarget? FromMap(IReadOnlyDictionary<string, ScalarValue> map, string key, Action<string> fail)
    {
        var ok = true;
        foreach (var unknown in map.Keys.Where(k => !Keys.Contains(k)))
        {
            ok = Fail($"unknown key '{unknown}' in '{key}' (known: {string.Join(", ", Keys)})");
        }

        int? port = null;
        if (Value("port") is { } portText)
        {
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536)
            {
                port = parsed;
            }
            else
            {
                ok = Fail($"'{key}.port' must be a TCP port (1-65535), got '{portText}'");
            }
        }

        var target = new DatabaseTarget
        {
            Engine = Value("engine") ?? "",
            Name = Value("name"),
            Host = Value("host"),
            Port = port,
            User = Value("user"),
            PasswordEnv = Value("password-env"),
            RunAs = Value("run-as"),
            Path = Value("path"),
        };
        foreach (var problem in target.Validate())
        {
            ok = Fail($"'{key}': {problem}");
        }

        return ok ? target : null;

        string? Value(string name) => map.TryGetValue(name, out var value) && value.Text.Length > 0 ? value.Text : null;

        bool Fail(string message)
        {
            fail(message);
            return false;
        }
    }
}
