namespace Downshift.Steps.Config.Internal;

/// <summary>The edits of a config step, applied in this order: rename, remove, set.</summary>
internal sealed record ConfigEdits(
    IReadOnlyList<KeyValuePair<string, string>> Rename,
    IReadOnlyList<string> Remove,
    IReadOnlyList<KeyValuePair<string, ScalarValue>> Set)
{
    public static ConfigEdits From(ConfigOptions options) =>
        new([.. options.Rename], options.Remove, [.. options.Set]);
}

/// <summary>New bytes and notes (what was a no-op), or the errors that stopped the edit.</summary>
internal sealed record ConfigResult(byte[]? Content, IReadOnlyList<string> Notes, IReadOnlyList<string> Errors)
{
    public bool IsSuccess => Errors.Count == 0 && Content is not null;

    public static ConfigResult Ok(byte[] content, IReadOnlyList<string> notes) => new(content, notes, []);

    public static ConfigResult Fail(params string[] errors) => new(null, [], errors);
}

/// <summary>
/// One config format as pure functions over bytes, so each can be tested without a host.
/// </summary>
internal interface IConfigFormat
{
    /// <summary>Applies the edits to <paramref name="content"/> (empty for a file that does not exist yet).</summary>
    ConfigResult Apply(byte[] content, ConfigEdits edits);

    /// <summary>Copies the values of <paramref name="keys"/> from <paramref name="from"/> into <paramref name="into"/>.</summary>
    ConfigResult Carry(byte[] from, byte[] into, IReadOnlyList<string> keys);
}

internal static class ConfigFormats
{
    public static IConfigFormat For(ConfigFormat format) => format switch
    {
        ConfigFormat.Ini => new LineConfigFormat(sections: true),
        ConfigFormat.KeyValue => new LineConfigFormat(sections: false),
        ConfigFormat.Yaml => new YamlConfigFormat(),
        ConfigFormat.Json => new JsonConfigFormat(),
        _ => throw DownshiftException.Internal($"no config format {format}"),
    };

    /// <summary>The format a path's extension implies: .ini/.cfg, .yaml/.yml, .json, else key-value.</summary>
    public static ConfigFormat FromPath(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".ini" or ".cfg" => ConfigFormat.Ini,
            ".yaml" or ".yml" => ConfigFormat.Yaml,
            ".json" => ConfigFormat.Json,
            _ => ConfigFormat.KeyValue,
        };

    public static string Name(ConfigFormat format) => format.ToString().ToLowerInvariant();
}
