namespace Downshift.Steps.Config;

/// <summary>How a config file is read and edited.</summary>
public enum ConfigFormat
{
    /// <summary><c>[section]</c> and <c>key = value</c> lines; keys are <c>section.key</c>. Line-based: untouched bytes stay.</summary>
    Ini,

    /// <summary><c>key = value</c> or <c>key value</c> lines. Line-based: untouched bytes stay.</summary>
    KeyValue,

    /// <summary>A YAML mapping; keys are dotted paths. Re-serialized in key order (comments are not kept).</summary>
    Yaml,

    /// <summary>A JSON object; keys are dotted paths. Re-serialized in key order.</summary>
    Json,
}
