using System.Globalization;
using Downshift.Databases;

namespace Downshift.Steps.Internal;

/// <summary>Reads a step's <c>database:</c> map (backup, migrate) into a <see cref="DatabaseTarget"/>, reporting every problem at the key.</summary>
internal static class DatabaseTargetReader
{
    private static readonly string[] Keys = ["engine", "name", "host", "port", "user", "password-env", "run-as", "path"];

    public static DatabaseTarget? Read(IStepOptionsReader reader, string key, bool required = false)
    {
        var map = reader.StringMap(key, required);
        if (map is null)
        {
            return null;
        }

        var ok = true;
        foreach (var unknown in map.Keys.Where(k => !Keys.Contains(k)))
        {
            ok = OptionChecks.Fail(reader, key, $"unknown key '{unknown}' in '{key}' (known: {string.Join(", ", Keys)})");
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
                ok = OptionChecks.Fail(reader, key, $"'{key}.port' must be a TCP port (1-65535), got '{portText}'");
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
            ok = OptionChecks.Fail(reader, key, $"'{key}': {problem}");
        }

        return ok ? target : null;

        string? Value(string name) => map.TryGetValue(name, out var value) && value.Text.Length > 0 ? value.Text : null;
    }
}
