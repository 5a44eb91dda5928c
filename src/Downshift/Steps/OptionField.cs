namespace Downshift.Steps;

public enum OptionType
{
    String,
    Integer,
    Boolean,
    Duration,
    StringList,
    StringMap,

    /// <summary>A list of mappings of single values.</summary>
    MapList,
}

/// <summary>
/// One key a step kind accepts. The list of fields drives the unknown-key check and the JSON Schema;
/// the kind's <see cref="IStepKind.Bind"/> reads the values.
/// </summary>
public sealed record OptionField(
    string Name,
    OptionType Type,
    string Description,
    bool Required = false,
    IReadOnlyList<string>? Allowed = null);
